// Node clients (nodes.read; changes nodes.write): the protocol endpoints agents serve, newest
// first. Server, protocol and node-group filters in the URL; a new client opens on its page.

import { Button, Group, Paper, Select, SimpleGrid } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { telecom } from '../api/telecom';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { PageHeader, Pager } from '../components/bits';
import { NewNodeClientModal } from '../components/NodeClientForm';
import { ClientsTable } from '../components/nodes';
import { EmptyState, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { useGroups } from '../lib/commerceQueries';
import { PROTOCOLS } from '../lib/domain';
import { useServerLookup } from '../lib/telecomQueries';
import { useCursorPaging, useFilters } from '../lib/urlState';

const KEYS = ['server', 'protocol', 'group', 'new'] as const;

export default function NodeClientsPage() {
    const { t } = useI18n();
    const { can } = useAuth();
    const gate = useWriteGate();
    const { values, set } = useFilters(KEYS);
    const paging = useCursorPaging();
    const servers = useServerLookup();
    const groups = useGroups();
    const list = useQuery({
        queryKey: ['nodes', 'clients', 'list', values.server, values.protocol, values.group, paging.cursor, paging.limit],
        queryFn: () =>
            telecom.adminListNodeClients({
                ...(values.server ? { serverId: values.server } : {}),
                ...(values.protocol ? { protocol: values.protocol } : {}),
                ...(values.group ? { groupId: values.group } : {}),
                limit: paging.limit,
                ...(paging.cursor ? { cursor: paging.cursor } : {}),
            }),
        placeholderData: keepPreviousData,
    });

    return (
        <>
            <PageHeader
                title={t('nodeClients.title')}
                description={t('nodeClients.subtitle')}
                actions={
                    can('nodes.write') ? (
                        <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => gate(() => set({ new: '1' }, { keepPage: true }))} data-testid="client-new">
                            {t('nodeClients.new')}
                        </Button>
                    ) : null
                }
            />
            <NewNodeClientModal opened={values.new === '1' && can('nodes.write')} {...(values.server ? { serverId: values.server } : {})} onClose={() => set({ new: '' }, { keepPage: true })} />
            <Paper withBorder p="md" mb="md" role="search" aria-label={t('nodeClients.filters')}>
                <SimpleGrid cols={{ base: 1, sm: 3 }}>
                    <Select
                        label={t('nodeClients.server')}
                        data={[{ value: '', label: t('common.all') }, ...servers.items.map((s) => ({ value: s.id, label: s.name }))]}
                        value={values.server}
                        onChange={(v) => set({ server: v ?? '' })}
                        allowDeselect={false}
                        searchable
                        nothingFoundMessage={t('common.nothingFound')}
                        data-testid="clients-filter-server"
                    />
                    <Select
                        label={t('nodeClients.protocol')}
                        data={[{ value: '', label: t('common.all') }, ...PROTOCOLS.map((p) => ({ value: p, label: t(`protocol.${p}`) }))]}
                        value={values.protocol}
                        onChange={(v) => set({ protocol: v ?? '' })}
                        allowDeselect={false}
                        data-testid="clients-filter-protocol"
                    />
                    <Select
                        label={t('nodeClients.group')}
                        data={[{ value: '', label: t('common.all') }, ...groups.items.map((g) => ({ value: g.id, label: g.name }))]}
                        value={values.group}
                        onChange={(v) => set({ group: v ?? '' })}
                        allowDeselect={false}
                        searchable
                        nothingFoundMessage={t('common.nothingFound')}
                        disabled={!can('catalog.read')}
                        data-testid="clients-filter-group"
                    />
                </SimpleGrid>
                {values.server || values.protocol || values.group ? (
                    <Group mt="md">
                        <Button variant="default" size="xs" onClick={() => set({ server: '', protocol: '', group: '' })}>
                            {t('common.clear')}
                        </Button>
                    </Group>
                ) : null}
            </Paper>
            <Paper withBorder p="md">
                {list.isPending ? <TableSkeleton /> : null}
                {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
                {list.data && list.data.items.length === 0 ? <EmptyState>{t('nodeClients.empty')}</EmptyState> : null}
                {list.data && list.data.items.length > 0 ? <ClientsTable clients={list.data.items} servers={servers.byId} groups={groups.byId} /> : null}
                {list.data ? (
                    <Pager page={paging.page} hasPrev={paging.hasPrev} nextCursor={list.data.nextCursor} onPrev={paging.prev} onNext={paging.next} limit={paging.limit} onLimit={paging.setLimit} />
                ) : null}
            </Paper>
        </>
    );
}
