// Support tickets (tickets.read): status, priority, assignee, customer and subject filters in
// the URL, paged by cursor. A ticket's page holds the conversation and the actions.

import { Anchor, Badge, Button, Group, Paper, Select, Table, Text, TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { service } from '../api/service';
import { useAuth } from '../auth/AuthContext';
import { PageHeader, Pager, When } from '../components/bits';
import { PriorityBadge, StaffName, TicketStatusBadge } from '../components/support';
import { EmptyState, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { shortId } from '../lib/format';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../lib/service';
import { useCursorPaging, useFilters } from '../lib/urlState';

const KEYS = ['status', 'priority', 'assignee', 'user', 'q'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default function TicketsPage() {
    const { t, tx } = useI18n();
    const { me } = useAuth();
    const { values, set } = useFilters(KEYS);
    const paging = useCursorPaging();
    const [q, setQ] = useState(values.q);
    const [user, setUser] = useState(values.user);
    const [assignee, setAssignee] = useState(values.assignee);
    useEffect(() => setQ(values.q), [values.q]);
    useEffect(() => setUser(values.user), [values.user]);
    useEffect(() => setAssignee(values.assignee), [values.assignee]);
    const userInvalid = user.trim() !== '' && !UUID.test(user.trim());
    // A staff id, or `none` (the server's name for the unassigned queue).
    const assigneeInvalid = assignee.trim() !== '' && assignee.trim().toLowerCase() !== 'none' && !UUID.test(assignee.trim());
    const list = useQuery({
        queryKey: ['tickets', 'list', values, paging.cursor, paging.limit],
        queryFn: () =>
            service.support.adminListTickets({
                ...(values.status ? { status: values.status } : {}),
                ...(values.priority ? { priority: values.priority } : {}),
                ...(values.assignee ? { assigneeId: values.assignee } : {}),
                ...(values.user ? { userId: values.user } : {}),
                ...(values.q ? { q: values.q } : {}),
                limit: paging.limit,
                ...(paging.cursor ? { cursor: paging.cursor } : {}),
            }),
        placeholderData: keepPreviousData,
    });

    return (
        <>
            <PageHeader title={t('tickets.title')} description={t('tickets.subtitle')} />
            <Paper withBorder p="md" mb="md">
                <form
                    role="search"
                    aria-label={t('tickets.searchForm')}
                    onSubmit={(e: FormEvent) => {
                        e.preventDefault();
                        if (userInvalid || assigneeInvalid) return;
                        set({ q: q.trim(), user: user.trim(), assignee: assignee.trim() });
                    }}
                >
                    <Group align="flex-end" wrap="wrap">
                        <TextInput label={t('tickets.subject')} placeholder={t('tickets.searchPlaceholder')} maxLength={100} value={q} onChange={(e) => setQ(e.currentTarget.value)} leftSection={<IconSearch size={16} aria-hidden />} w={240} data-testid="ticket-search" />
                        <Select
                            label={t('common.status')}
                            data={[{ value: '', label: t('common.all') }, ...TICKET_STATUSES.map((s) => ({ value: s, label: tx(`ticketStatus.${s}`, s) }))]}
                            value={values.status}
                            onChange={(v) => set({ status: v ?? '' })}
                            allowDeselect={false}
                            w={150}
                            data-testid="ticket-status-filter"
                        />
                        <Select
                            label={t('tickets.priority')}
                            data={[{ value: '', label: t('common.all') }, ...TICKET_PRIORITIES.map((p) => ({ value: p, label: tx(`ticketPriority.${p}`, p) }))]}
                            value={values.priority}
                            onChange={(v) => set({ priority: v ?? '' })}
                            allowDeselect={false}
                            w={150}
                        />
                        <TextInput label={t('tickets.customerId')} placeholder={t('tickets.idPlaceholder')} value={user} onChange={(e) => setUser(e.currentTarget.value)} error={userInvalid ? t('tickets.idInvalid') : undefined} w={300} classNames={{ input: 'mono' }} />
                        <TextInput label={t('tickets.assigneeId')} placeholder={t('tickets.idPlaceholder')} value={assignee} onChange={(e) => setAssignee(e.currentTarget.value)} error={assigneeInvalid ? t('tickets.idInvalid') : undefined} w={300} classNames={{ input: 'mono' }} />
                        <Button type="submit">{t('common.search')}</Button>
                        <Button variant="default" onClick={() => set({ assignee: me.id })} data-testid="ticket-mine">
                            {t('tickets.mine')}
                        </Button>
                        <Button variant="default" onClick={() => set({ assignee: 'none' })} data-testid="ticket-unassigned">
                            {t('tickets.unassignedQueue')}
                        </Button>
                    </Group>
                </form>
            </Paper>
            <Paper withBorder p="md">
                {list.isPending ? <TableSkeleton /> : null}
                {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
                {list.data && list.data.items.length === 0 ? <EmptyState>{t('tickets.empty')}</EmptyState> : null}
                {list.data && list.data.items.length > 0 ? (
                    <Table.ScrollContainer minWidth={900}>
                        <Table striped highlightOnHover verticalSpacing="xs" data-testid="tickets-table">
                            <Table.Thead>
                                <Table.Tr>
                                    <Table.Th>{t('tickets.subject')}</Table.Th>
                                    <Table.Th>{t('tickets.customer')}</Table.Th>
                                    <Table.Th>{t('common.status')}</Table.Th>
                                    <Table.Th>{t('tickets.priority')}</Table.Th>
                                    <Table.Th>{t('tickets.assignee')}</Table.Th>
                                    <Table.Th>{t('tickets.updated')}</Table.Th>
                                </Table.Tr>
                            </Table.Thead>
                            <Table.Tbody>
                                {list.data.items.map((tk) => (
                                    <Table.Tr key={tk.id}>
                                        <Table.Td>
                                            <Anchor component={Link} to={`/tickets/${tk.id}`} size="sm" fw={600}>
                                                {tk.subject}
                                            </Anchor>
                                            {tk.orderId ? (
                                                <Badge ml="xs" variant="default" size="sm">
                                                    {t('tickets.hasOrder')}
                                                </Badge>
                                            ) : null}
                                        </Table.Td>
                                        <Table.Td>
                                            <Anchor component={Link} to={`/customers/${tk.userId}`} size="sm" className="mono">
                                                {shortId(tk.userId)}
                                            </Anchor>
                                        </Table.Td>
                                        <Table.Td>
                                            <TicketStatusBadge status={tk.status} />
                                        </Table.Td>
                                        <Table.Td>
                                            <PriorityBadge priority={tk.priority} />
                                        </Table.Td>
                                        <Table.Td>{tk.assigneeId ? <StaffName id={tk.assigneeId} /> : <Text size="sm">{t('tickets.unassigned')}</Text>}</Table.Td>
                                        <Table.Td>
                                            <When value={tk.updatedAt} />
                                        </Table.Td>
                                    </Table.Tr>
                                ))}
                            </Table.Tbody>
                        </Table>
                    </Table.ScrollContainer>
                ) : null}
                {list.data ? <Pager page={paging.page} hasPrev={paging.hasPrev} nextCursor={list.data.nextCursor} onPrev={paging.prev} onNext={paging.next} limit={paging.limit} onLimit={paging.setLimit} /> : null}
            </Paper>
        </>
    );
}
