// A support ticket (tickets.read): the conversation, oldest first — the customer's messages,
// staff replies and internal notes (tickets.manage; never shown to the customer) each look
// different. Reply (tickets.reply; the internal switch only for tickets.manage — a SupportBot
// has none), assign (a staff picker when the role may list staff, else an id or "assign to
// me") and set the status with an optional note (tickets.manage).

import type { AdminTicket, AdminTicketMessage } from '@helium/sdk';
import { Anchor, Badge, Button, Card, Group, Paper, Select, SimpleGrid, Stack, Switch, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { problemCode } from '../api/errors';
import { service } from '../api/service';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { PageHeader, When } from '../components/bits';
import { useNotify } from '../components/notify';
import { PriorityBadge, StaffName, TicketStatusBadge, useStaffLookup } from '../components/support';
import { ProblemAlert, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { shortId } from '../lib/format';
import { messageKind, TICKET_STATUSES, type MessageKind } from '../lib/service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const KIND_STYLE: Record<MessageKind, { bg: string; align: 'flex-start' | 'flex-end'; border: string }> = {
    customer: { bg: 'var(--mantine-color-gray-light)', align: 'flex-start', border: 'var(--mantine-color-gray-5)' },
    staff: { bg: 'var(--mantine-color-blue-light)', align: 'flex-end', border: 'var(--mantine-color-blue-6)' },
    bot: { bg: 'var(--mantine-color-teal-light)', align: 'flex-end', border: 'var(--mantine-color-teal-6)' },
    internal: { bg: 'var(--mantine-color-yellow-light)', align: 'flex-end', border: 'var(--mantine-color-yellow-7)' },
};
const KIND_COLOR: Record<MessageKind, string> = { customer: 'gray', staff: 'blue', bot: 'teal', internal: 'dark' };

function Message({ m }: { m: AdminTicketMessage }) {
    const { t } = useI18n();
    const kind = messageKind(m);
    const style = KIND_STYLE[kind];
    return (
        <Paper
            p="sm"
            radius="md"
            maw="85%"
            style={{ alignSelf: style.align, background: style.bg, borderLeft: `4px solid ${style.border}`, borderStyle: kind === 'internal' ? 'dashed' : undefined }}
            data-testid={`msg-${kind}`}
        >
            <Group gap="xs" mb={4} wrap="wrap">
                <Badge color={KIND_COLOR[kind]} variant={kind === 'internal' ? 'filled' : 'light'} size="sm">
                    {t(`tickets.kind.${kind}`)}
                </Badge>
                {kind === 'customer' ? null : <StaffName id={m.authorId} />}
                <Text size="xs" c="dimmed">
                    <When value={m.createdAt} />
                </Text>
            </Group>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                {m.body}
            </Text>
        </Paper>
    );
}

function ReplyForm({ ticket }: { ticket: AdminTicket }) {
    const { t } = useI18n();
    const { can } = useAuth();
    const gate = useWriteGate();
    const notify = useNotify();
    const queryClient = useQueryClient();
    const [body, setBody] = useState('');
    const [internal, setInternal] = useState(false);
    const [touched, setTouched] = useState(false);
    const mayNote = can('tickets.manage');
    const reply = useMutation({
        mutationFn: () => service.support.adminReplyTicket({ id: ticket.id, adminReplyTicketRequest: { body, ...(mayNote && internal ? { internal: true } : {}) } }),
        onSuccess: (m) => {
            notify(m.internal ? t('tickets.noteAdded') : t('tickets.replied'));
            setBody('');
            setInternal(false);
            setTouched(false);
            void queryClient.invalidateQueries({ queryKey: ['tickets'] });
        },
        onError: (e) => {
            if (problemCode(e) === 'ticket_closed') void queryClient.invalidateQueries({ queryKey: ['tickets'] });
        },
    });
    const empty = body.trim() === '';
    return (
        <Card withBorder>
            <form
                noValidate
                onSubmit={(e: FormEvent) => {
                    e.preventDefault();
                    setTouched(true);
                    if (!empty) gate(() => reply.mutate());
                }}
            >
                <Stack>
                    <Title order={2} size="h4">
                        {internal ? t('tickets.noteTitle') : t('tickets.replyTitle')}
                    </Title>
                    <Textarea
                        label={internal ? t('tickets.note') : t('tickets.reply')}
                        description={internal ? t('tickets.noteHint') : t('tickets.replyHint')}
                        autosize
                        minRows={3}
                        maxLength={10_000}
                        value={body}
                        onChange={(e) => setBody(e.currentTarget.value)}
                        error={touched && empty ? t('field.required') : undefined}
                        data-testid="ticket-reply-body"
                    />
                    {mayNote ? <Switch label={t('tickets.internal')} description={t('tickets.internalHint')} checked={internal} onChange={(e) => setInternal(e.currentTarget.checked)} data-testid="ticket-internal" /> : null}
                    <ProblemAlert error={reply.error} />
                    <Group justify="flex-end">
                        <Button type="submit" loading={reply.isPending} color={internal ? 'dark' : undefined} disabled={ticket.status === 'closed'} data-testid="ticket-reply-send">
                            {internal ? t('tickets.addNote') : t('tickets.send')}
                        </Button>
                    </Group>
                    {ticket.status === 'closed' ? <Text size="sm">{t('tickets.closedNoReply')}</Text> : null}
                </Stack>
            </form>
        </Card>
    );
}

function AssignCard({ ticket }: { ticket: AdminTicket }) {
    const { t } = useI18n();
    const { me } = useAuth();
    const gate = useWriteGate();
    const notify = useNotify();
    const queryClient = useQueryClient();
    const staff = useStaffLookup();
    const [target, setTarget] = useState(ticket.assigneeId ?? '');
    useEffect(() => setTarget(ticket.assigneeId ?? ''), [ticket.assigneeId]);
    const assign = useMutation({
        mutationFn: (assigneeId: string | null) => service.support.adminAssignTicket({ id: ticket.id, assignTicketRequest: { assigneeId } }),
        onSuccess: (tk) => {
            notify(tk.assigneeId ? t('tickets.assigned') : t('tickets.unassignedDone'));
            void queryClient.invalidateQueries({ queryKey: ['tickets'] });
        },
    });
    const invalid = target.trim() !== '' && !UUID.test(target.trim());
    return (
        <Card withBorder>
            <Stack>
                <Title order={2} size="h4">
                    {t('tickets.assignTitle')}
                </Title>
                {staff.available ? (
                    <Select
                        label={t('tickets.assignee')}
                        placeholder={t('tickets.unassigned')}
                        data={staff.items.map((a) => ({ value: a.id, label: `${a.name}${a.email ? ` <${a.email}>` : ''}` }))}
                        value={target || null}
                        onChange={(v) => setTarget(v ?? '')}
                        searchable
                        clearable
                        data-testid="ticket-assignee-select"
                    />
                ) : (
                    <TextInput label={t('tickets.assigneeId')} description={t('tickets.assigneeIdHint')} value={target} onChange={(e) => setTarget(e.currentTarget.value)} error={invalid ? t('tickets.idInvalid') : undefined} classNames={{ input: 'mono' }} data-testid="ticket-assignee-id" />
                )}
                <ProblemAlert error={assign.error} />
                <Group justify="flex-end" wrap="wrap">
                    <Button variant="default" disabled={!ticket.assigneeId} onClick={() => gate(() => assign.mutate(null))} data-testid="ticket-unassign">
                        {t('tickets.unassign')}
                    </Button>
                    <Button variant="default" disabled={ticket.assigneeId === me.id} onClick={() => gate(() => assign.mutate(me.id))} data-testid="ticket-assign-me">
                        {t('tickets.assignMe')}
                    </Button>
                    <Button loading={assign.isPending} disabled={!target.trim() || invalid || target.trim() === ticket.assigneeId} onClick={() => gate(() => assign.mutate(target.trim()))} data-testid="ticket-assign">
                        {t('tickets.assign')}
                    </Button>
                </Group>
            </Stack>
        </Card>
    );
}

function StatusCard({ ticket }: { ticket: AdminTicket }) {
    const { t, tx } = useI18n();
    const gate = useWriteGate();
    const notify = useNotify();
    const queryClient = useQueryClient();
    const [status, setStatus] = useState(ticket.status);
    const [note, setNote] = useState('');
    useEffect(() => setStatus(ticket.status), [ticket.status]);
    const change = useMutation({
        mutationFn: () => service.support.adminSetTicketStatus({ id: ticket.id, setTicketStatusRequest: { status, ...(note.trim() ? { note: note.trim() } : {}) } }),
        onSuccess: (tk) => {
            notify(t('tickets.statusSet', { status: tx(`ticketStatus.${tk.status}`, tk.status) }));
            setNote('');
            void queryClient.invalidateQueries({ queryKey: ['tickets'] });
        },
        onError: (e) => {
            if (problemCode(e) === 'invalid_ticket_transition') void queryClient.invalidateQueries({ queryKey: ['tickets'] });
        },
    });
    return (
        <Card withBorder>
            <Stack>
                <Title order={2} size="h4">
                    {t('tickets.statusTitle')}
                </Title>
                <Select
                    label={t('common.status')}
                    data={TICKET_STATUSES.map((s) => ({ value: s, label: tx(`ticketStatus.${s}`, s) }))}
                    value={status}
                    onChange={(v) => setStatus(v ?? ticket.status)}
                    allowDeselect={false}
                    data-testid="ticket-status-select"
                />
                <Textarea label={t('tickets.statusNote')} description={t('tickets.statusNoteHint')} autosize minRows={2} maxLength={10_000} value={note} onChange={(e) => setNote(e.currentTarget.value)} data-testid="ticket-status-note" />
                <ProblemAlert error={change.error} />
                <Group justify="flex-end">
                    <Button loading={change.isPending} disabled={status === ticket.status} onClick={() => gate(() => change.mutate())} data-testid="ticket-status-save">
                        {t('tickets.setStatus')}
                    </Button>
                </Group>
            </Stack>
        </Card>
    );
}

export default function TicketDetailPage() {
    const { t } = useI18n();
    const { can } = useAuth();
    const { id = '' } = useParams();
    const q = useQuery({ queryKey: ['tickets', 'detail', id], queryFn: () => service.support.adminGetTicket({ id }) });
    if (q.isPending) return <TableSkeleton />;
    if (q.error) return <ProblemState error={q.error} onRetry={() => void q.refetch()} />;
    const { ticket, messages } = q.data;
    return (
        <>
            <PageHeader title={ticket.subject} description={t('tickets.detailSubtitle')} />
            <Card withBorder mb="md">
                <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
                    <Stack gap={2}>
                        <Text size="xs" c="dimmed">
                            {t('common.status')}
                        </Text>
                        <div>
                            <TicketStatusBadge status={ticket.status} />
                        </div>
                    </Stack>
                    <Stack gap={2}>
                        <Text size="xs" c="dimmed">
                            {t('tickets.priority')}
                        </Text>
                        <div>
                            <PriorityBadge priority={ticket.priority} />
                        </div>
                    </Stack>
                    <Stack gap={2}>
                        <Text size="xs" c="dimmed">
                            {t('tickets.customer')}
                        </Text>
                        <Anchor component={Link} to={`/customers/${ticket.userId}`} size="sm" className="mono" data-testid="ticket-customer">
                            {shortId(ticket.userId)}
                        </Anchor>
                    </Stack>
                    <Stack gap={2}>
                        <Text size="xs" c="dimmed">
                            {t('tickets.assignee')}
                        </Text>
                        <div data-testid="ticket-assignee">{ticket.assigneeId ? <StaffName id={ticket.assigneeId} /> : <Text size="sm">{t('tickets.unassigned')}</Text>}</div>
                    </Stack>
                    {ticket.orderId ? (
                        <Stack gap={2}>
                            <Text size="xs" c="dimmed">
                                {t('tickets.order')}
                            </Text>
                            {can('orders.read') ? (
                                <Anchor component={Link} to={`/orders/${ticket.orderId}`} size="sm" className="mono">
                                    {shortId(ticket.orderId)}
                                </Anchor>
                            ) : (
                                <Text size="sm" className="mono">
                                    {shortId(ticket.orderId)}
                                </Text>
                            )}
                        </Stack>
                    ) : null}
                    <Stack gap={2}>
                        <Text size="xs" c="dimmed">
                            {t('tickets.created')}
                        </Text>
                        <Text size="sm">
                            <When value={ticket.createdAt} />
                        </Text>
                    </Stack>
                    <Stack gap={2}>
                        <Text size="xs" c="dimmed">
                            {t('tickets.updated')}
                        </Text>
                        <Text size="sm">
                            <When value={ticket.updatedAt} />
                        </Text>
                    </Stack>
                    {ticket.closedAt ? (
                        <Stack gap={2}>
                            <Text size="xs" c="dimmed">
                                {t('tickets.closedAt')}
                            </Text>
                            <Text size="sm">
                                <When value={ticket.closedAt} />
                            </Text>
                        </Stack>
                    ) : null}
                </SimpleGrid>
            </Card>
            <SimpleGrid cols={{ base: 1, lg: can('tickets.manage') ? 2 : 1 }} spacing="md">
                <Stack>
                    <Card withBorder>
                        <Title order={2} size="h4" mb="sm">
                            {t('tickets.conversation')}
                        </Title>
                        <Stack gap="sm" data-testid="ticket-messages" aria-live="polite">
                            {messages.map((m) => (
                                <Message key={m.id} m={m} />
                            ))}
                        </Stack>
                    </Card>
                    {can('tickets.reply') ? <ReplyForm ticket={ticket} /> : null}
                </Stack>
                {can('tickets.manage') ? (
                    <Stack>
                        <StatusCard ticket={ticket} />
                        <AssignCard ticket={ticket} />
                    </Stack>
                ) : null}
            </SimpleGrid>
        </>
    );
}
