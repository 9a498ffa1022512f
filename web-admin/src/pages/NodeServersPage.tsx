// Node servers (nodes.read; changes nodes.write): the machines agents run on, newest first.
// Region and maintenance filters in the URL; a new server opens on its own page, where its
// clients are added.

import { Anchor, Button, Group, Paper, Select, SimpleGrid, Table, TextInput } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { telecom } from '../api/telecom';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { PageHeader, Pager, When } from '../components/bits';
import { NodeServerModal } from '../components/NodeServerForm';
import { MaintenanceBadge, TagList } from '../components/nodes';
import { EmptyState, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { showRate } from '../lib/telecom';
import { useCursorPaging, useFilters } from '../lib/urlState';

const KEYS = ['region', 'maintenance', 'new'] as const;

export default function NodeServersPage() {
    const { t } = useI18n();
    const { can } = useAuth();
    const gate = useWriteGate();
    const { values, set } = useFilters(KEYS);
    const paging = useCursorPaging();
    const [region, setRegion] = useState(values.region);
    useEffect(() => setRegion(values.region), [values.region]);
    const maintenance = values.maintenance === 'true' || values.maintenance === 'false' ? values.maintenance : '';
    const list = useQuery({
        queryKey: ['nodes', 'servers', 'list', values.region, maintenance, paging.cursor, paging.limit],
        queryFn: () =>
            telecom.adminListNodeServers({
                ...(values.region ? { region: values.region } : {}),
                ...(maintenance ? { maintenance } : {}),
                limit: paging.limit,
                ...(paging.cursor ? { cursor: paging.cursor } : {}),
            }),
        placeholderData: keepPreviousData,
    });
    const apply = (e: FormEvent) => {
        e.preventDefault();
        set({ region: region.trim() });
    };

    return (
        <>
            <PageHeader
                title={t('nodeServers.title')}
                description={t('nodeServers.subtitle')}
                actions={
                    can('nodes.write') ? (
                        <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => gate(() => set({ new: '1' }, { keepPage: true }))} data-testid="server-new">
                            {t('nodeServers.new')}
                        </Button>
                    ) : null
                }
            />
            <NodeServerModal opened={values.new === '1' && can('nodes.write')} onClose={() => set({ new: '' }, { keepPage: true })} />
            <Paper withBorder p="md" mb="md">
                <form onSubmit={apply} aria-label={t('nodeServers.filters')}>
                    <SimpleGrid cols={{ base: 1, sm: 3 }}>
                        <TextInput label={t('nodes.region')} placeholder={t('nodeServers.regionExample')} value={region} onChange={(e) => setRegion(e.currentTarget.value)} data-testid="servers-filter-region" />
                        <Select
                            label={t('nodes.maintenance')}
                            data={[
                                { value: '', label: t('common.all') },
                                { value: 'true', label: t('nodeServers.inMaintenance') },
                                { value: 'false', label: t('nodeServers.inService') },
                            ]}
                            value={maintenance}
                            onChange={(v) => set({ maintenance: v ?? '' })}
                            allowDeselect={false}
                            data-testid="servers-filter-maintenance"
                        />
                    </SimpleGrid>
                    <Group mt="md" gap="xs">
                        <Button type="submit" data-testid="servers-filter-apply">
                            {t('common.apply')}
                        </Button>
                        <Button variant="default" onClick={() => set({ region: '', maintenance: '' })}>
                            {t('common.clear')}
                        </Button>
                    </Group>
                </form>
            </Paper>
            <Paper withBorder p="md">
                {list.isPending ? <TableSkeleton /> : null}
                {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
                {list.data && list.data.items.length === 0 ? <EmptyState>{t('nodeServers.empty')}</EmptyState> : null}
                {list.data && list.data.items.length > 0 ? (
                    <Table.ScrollContainer minWidth={860}>
                        <Table striped highlightOnHover verticalSpacing="xs" data-testid="servers-table">
                            <Table.Thead>
                                <Table.Tr>
                                    <Table.Th>{t('common.name')}</Table.Th>
                                    <Table.Th>{t('nodes.address')}</Table.Th>
                                    <Table.Th>{t('nodes.region')}</Table.Th>
                                    <Table.Th>{t('nodes.rate')}</Table.Th>
                                    <Table.Th>{t('nodes.tags')}</Table.Th>
                                    <Table.Th>{t('common.status')}</Table.Th>
                                    <Table.Th>{t('common.updated')}</Table.Th>
                                </Table.Tr>
                            </Table.Thead>
                            <Table.Tbody>
                                {list.data.items.map((s) => (
                                    <Table.Tr key={s.id} data-testid="server-row">
                                        <Table.Td>
                                            <Anchor component={Link} to={`/nodes/servers/${s.id}`} size="sm" fw={600}>
                                                {s.name}
                                            </Anchor>
                                        </Table.Td>
                                        <Table.Td className="mono">{s.address}</Table.Td>
                                        <Table.Td>{s.region ?? '—'}</Table.Td>
                                        <Table.Td>{t('nodes.rateValue', { rate: showRate(s.rate) })}</Table.Td>
                                        <Table.Td>
                                            <TagList tags={s.tags} />
                                        </Table.Td>
                                        <Table.Td>
                                            <MaintenanceBadge on={s.maintenance} message={s.maintenanceMessage} />
                                        </Table.Td>
                                        <Table.Td>
                                            <When value={s.updatedAt} />
                                        </Table.Td>
                                    </Table.Tr>
                                ))}
                            </Table.Tbody>
                        </Table>
                    </Table.ScrollContainer>
                ) : null}
                {list.data ? (
                    <Pager page={paging.page} hasPrev={paging.hasPrev} nextCursor={list.data.nextCursor} onPrev={paging.prev} onNext={paging.next} limit={paging.limit} onLimit={paging.setLimit} />
                ) : null}
            </Paper>
        </>
    );
}
