// Node status (nodes.read): each node client's agent — online (pulled or pushed within the
// telecom `node_health_check.offline_timeout`), last pull and push, users online in its last
// `alive` report, and the load of its last `status` report. Online and server filters in the
// URL; refreshed every 30 seconds.

import { Anchor, Badge, Button, Group, Paper, Select, SimpleGrid, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { telecom } from '../api/telecom';
import { PageHeader, Pager, When } from '../components/bits';
import { LoadSummary, OnlineBadge, ServerLink } from '../components/nodes';
import { EmptyState, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { formatNumber } from '../lib/format';
import { useServerLookup } from '../lib/telecomQueries';
import { useCursorPaging, useFilters } from '../lib/urlState';

const KEYS = ['online', 'server'] as const;

export default function NodeStatusPage() {
    const { t, tx, locale } = useI18n();
    const { values, set } = useFilters(KEYS);
    const paging = useCursorPaging();
    const servers = useServerLookup();
    const online = values.online === 'true' || values.online === 'false' ? values.online : '';
    const list = useQuery({
        queryKey: ['nodes', 'status', online, values.server, paging.cursor, paging.limit],
        queryFn: () =>
            telecom.adminListNodeStatus({
                ...(online ? { online } : {}),
                ...(values.server ? { serverId: values.server } : {}),
                limit: paging.limit,
                ...(paging.cursor ? { cursor: paging.cursor } : {}),
            }),
        placeholderData: keepPreviousData,
        refetchInterval: 30_000,
    });

    return (
        <>
            <PageHeader title={t('nodeStatus.title')} description={t('nodeStatus.subtitle')} />
            <Paper withBorder p="md" mb="md" role="search" aria-label={t('nodeStatus.filters')}>
                <SimpleGrid cols={{ base: 1, sm: 3 }}>
                    <Select
                        label={t('nodes.health')}
                        data={[
                            { value: '', label: t('common.all') },
                            { value: 'true', label: t('nodes.online') },
                            { value: 'false', label: t('nodes.offline') },
                        ]}
                        value={online}
                        onChange={(v) => set({ online: v ?? '' })}
                        allowDeselect={false}
                        data-testid="status-filter-online"
                    />
                    <Select
                        label={t('nodeClients.server')}
                        data={[{ value: '', label: t('common.all') }, ...servers.items.map((s) => ({ value: s.id, label: s.name }))]}
                        value={values.server}
                        onChange={(v) => set({ server: v ?? '' })}
                        allowDeselect={false}
                        searchable
                        nothingFoundMessage={t('common.nothingFound')}
                        data-testid="status-filter-server"
                    />
                </SimpleGrid>
                {online || values.server ? (
                    <Group mt="md">
                        <Button variant="default" size="xs" onClick={() => set({ online: '', server: '' })}>
                            {t('common.clear')}
                        </Button>
                    </Group>
                ) : null}
            </Paper>
            <Paper withBorder p="md">
                {list.isPending ? <TableSkeleton /> : null}
                {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
                {list.data && list.data.items.length === 0 ? <EmptyState>{t('nodeStatus.empty')}</EmptyState> : null}
                {list.data && list.data.items.length > 0 ? (
                    <Table.ScrollContainer minWidth={960}>
                        <Table striped verticalSpacing="xs" data-testid="status-table">
                            <Table.Thead>
                                <Table.Tr>
                                    <Table.Th>{t('nodeStatus.node')}</Table.Th>
                                    <Table.Th>{t('nodeClients.server')}</Table.Th>
                                    <Table.Th>{t('nodes.health')}</Table.Th>
                                    <Table.Th>{t('nodes.lastPull')}</Table.Th>
                                    <Table.Th>{t('nodes.lastPush')}</Table.Th>
                                    <Table.Th>{t('nodeStatus.onlineUsers')}</Table.Th>
                                    <Table.Th>{t('nodeStatus.load')}</Table.Th>
                                </Table.Tr>
                            </Table.Thead>
                            <Table.Tbody>
                                {list.data.items.map((n) => (
                                    <Table.Tr key={n.clientId} data-testid="status-row">
                                        <Table.Td>
                                            <Group gap={6} wrap="nowrap">
                                                <Anchor component={Link} to={`/nodes/clients/${n.clientId}`} size="sm" fw={600}>
                                                    {n.name}
                                                </Anchor>
                                                <Badge variant="light" color="blue" tt="none" size="sm">
                                                    {tx(`protocol.${n.protocol}`, n.protocol)}
                                                </Badge>
                                            </Group>
                                        </Table.Td>
                                        <Table.Td>
                                            <ServerLink id={n.serverId} names={servers.byId} />
                                        </Table.Td>
                                        <Table.Td>
                                            <OnlineBadge online={n.online} />
                                        </Table.Td>
                                        <Table.Td>
                                            <When value={n.lastPullAt} />
                                        </Table.Td>
                                        <Table.Td>
                                            <When value={n.lastPushAt} />
                                        </Table.Td>
                                        <Table.Td>
                                            <Text span size="sm" data-testid="online-users">
                                                {n.onlineUsers === null || n.onlineUsers === undefined ? '—' : formatNumber(n.onlineUsers, locale)}
                                            </Text>
                                        </Table.Td>
                                        <Table.Td>
                                            <LoadSummary load={n.load} />
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
