// An outgoing webhook endpoint (webhooks.manage): its settings, edit, delete, a new signing
// secret (the old one keeps signing for a grace period; the new one is shown once), a test
// event, and its deliveries — status and event filters in the URL, every attempt of a
// delivery, and a retry.

import type { WebhookDelivery } from '@helium/sdk';
import { Badge, Button, Card, Code, Group, Modal, NumberInput, Paper, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { IconRefresh, IconSend, IconTrash, IconPencil, IconKey } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { service } from '../api/service';
import { useWriteGate } from '../auth/AuthContext';
import { PageHeader, Pager, When } from '../components/bits';
import { ConfirmModal } from '../components/dialogs';
import { useNotify } from '../components/notify';
import { EmptyState, ProblemAlert, ProblemState, TableSkeleton } from '../components/states';
import { SecretModal, WebhookFormModal } from '../components/webhooks';
import { useI18n } from '../i18n';
import { DELIVERY_EVENT_TYPES, DELIVERY_STATUSES } from '../lib/service';
import { useCursorPaging, useFilters } from '../lib/urlState';

const KEYS = ['status', 'event', 'edit'] as const;
const DELIVERY_COLORS: Record<string, string> = { pending: 'blue', delivered: 'green', failed: 'red' };

function RotateModal({ opened, onClose, id, onRotated }: { opened: boolean; onClose: () => void; id: string; onRotated: (secret: string) => void }) {
    const { t } = useI18n();
    const queryClient = useQueryClient();
    const [grace, setGrace] = useState<number | string>(86_400);
    const graceOk = typeof grace === 'number' && Number.isInteger(grace) && grace >= 0 && grace <= 604_800;
    const rotate = useMutation({
        mutationFn: () => service.webhooks.adminRotateWebhookSecret({ id, rotateWebhookSecretRequest: { graceSecs: grace as number } }),
        onSuccess: (s) => {
            void queryClient.invalidateQueries({ queryKey: ['webhooks'] });
            onRotated(s.secret);
        },
    });
    const close = () => {
        rotate.reset();
        onClose();
    };
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={opened} onClose={close} title={t('webhooks.rotateTitle')} centered>
            <Stack>
                <Text size="sm">{t('webhooks.rotateBody')}</Text>
                <NumberInput label={t('webhooks.grace')} description={t('webhooks.graceHint')} min={0} max={604_800} allowDecimal={false} value={grace} onChange={setGrace} error={graceOk ? undefined : t('webhooks.graceInvalid')} data-testid="webhook-grace" />
                <ProblemAlert error={rotate.error} />
                <Group justify="flex-end">
                    <Button variant="default" onClick={close}>
                        {t('common.cancel')}
                    </Button>
                    <Button color="orange" disabled={!graceOk} loading={rotate.isPending} onClick={() => rotate.mutate()} data-testid="webhook-rotate-confirm">
                        {t('webhooks.rotate')}
                    </Button>
                </Group>
            </Stack>
        </Modal>
    );
}

function Attempts({ d }: { d: WebhookDelivery }) {
    const { t } = useI18n();
    if (d.attemptLog.length === 0) return <Text size="sm">{t('webhooks.noAttempts')}</Text>;
    return (
        <Table verticalSpacing={4} data-testid="delivery-attempts">
            <Table.Thead>
                <Table.Tr>
                    <Table.Th>{t('webhooks.attempt')}</Table.Th>
                    <Table.Th>{t('webhooks.when')}</Table.Th>
                    <Table.Th>{t('webhooks.statusCode')}</Table.Th>
                    <Table.Th>{t('webhooks.latency')}</Table.Th>
                    <Table.Th>{t('webhooks.answer')}</Table.Th>
                </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
                {d.attemptLog.map((a) => (
                    <Table.Tr key={a.attempt}>
                        <Table.Td>{a.attempt}</Table.Td>
                        <Table.Td>
                            <When value={a.attemptedAt} />
                        </Table.Td>
                        <Table.Td>{a.statusCode ?? '—'}</Table.Td>
                        <Table.Td>{t('webhooks.ms', { n: a.latencyMs })}</Table.Td>
                        <Table.Td>
                            {a.error ? (
                                <Text size="xs" c="red">
                                    {a.error}
                                </Text>
                            ) : null}
                            {a.responseExcerpt ? (
                                <Code block className="mono" style={{ maxWidth: 480, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                                    {a.responseExcerpt}
                                </Code>
                            ) : null}
                        </Table.Td>
                    </Table.Tr>
                ))}
            </Table.Tbody>
        </Table>
    );
}

function Deliveries({ id }: { id: string }) {
    const { t, tx } = useI18n();
    const gate = useWriteGate();
    const notify = useNotify();
    const queryClient = useQueryClient();
    const { values, set } = useFilters(KEYS);
    const paging = useCursorPaging();
    const [open, setOpen] = useState<string | null>(null);
    const list = useQuery({
        queryKey: ['webhooks', 'deliveries', id, values.status, values.event, paging.cursor, paging.limit],
        queryFn: () =>
            service.webhooks.adminListWebhookDeliveries({
                id,
                ...(values.status ? { status: values.status } : {}),
                ...(values.event ? { eventType: values.event } : {}),
                limit: paging.limit,
                ...(paging.cursor ? { cursor: paging.cursor } : {}),
            }),
        placeholderData: keepPreviousData,
        refetchInterval: 15_000,
    });
    const retry = useMutation({
        mutationFn: (deliveryId: string) => service.webhooks.adminRetryWebhookDelivery({ id, deliveryId }),
        onSuccess: () => {
            notify(t('webhooks.retried'));
            void queryClient.invalidateQueries({ queryKey: ['webhooks', 'deliveries', id] });
        },
    });
    return (
        <Card withBorder>
            <Group justify="space-between" mb="sm" wrap="wrap">
                <Title order={2} size="h4">
                    {t('webhooks.deliveries')}
                </Title>
                <Group align="flex-end" wrap="wrap">
                    <Select
                        label={t('common.status')}
                        data={[{ value: '', label: t('common.all') }, ...DELIVERY_STATUSES.map((s) => ({ value: s, label: tx(`deliveryStatus.${s}`, s) }))]}
                        value={values.status}
                        onChange={(v) => set({ status: v ?? '' }, {})}
                        allowDeselect={false}
                        w={150}
                        data-testid="delivery-status-filter"
                    />
                    <Select
                        label={t('webhooks.event')}
                        data={[{ value: '', label: t('common.all') }, ...DELIVERY_EVENT_TYPES.map((e) => ({ value: e, label: e }))]}
                        value={values.event}
                        onChange={(v) => set({ event: v ?? '' })}
                        allowDeselect={false}
                        searchable
                        w={220}
                        data-testid="delivery-event-filter"
                    />
                    <Button variant="default" leftSection={<IconRefresh size={16} aria-hidden />} onClick={() => void list.refetch()}>
                        {t('webhooks.reload')}
                    </Button>
                </Group>
            </Group>
            <ProblemAlert error={retry.error} />
            {list.isPending ? <TableSkeleton /> : null}
            {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
            {list.data && list.data.items.length === 0 ? <EmptyState>{t('webhooks.noDeliveries')}</EmptyState> : null}
            {list.data && list.data.items.length > 0 ? (
                <Table.ScrollContainer minWidth={900}>
                    <Table verticalSpacing="xs" data-testid="deliveries-table">
                        <Table.Thead>
                            <Table.Tr>
                                <Table.Th>{t('webhooks.event')}</Table.Th>
                                <Table.Th>{t('common.status')}</Table.Th>
                                <Table.Th>{t('webhooks.attempts')}</Table.Th>
                                <Table.Th>{t('webhooks.lastAttempt')}</Table.Th>
                                <Table.Th>{t('webhooks.nextAttempt')}</Table.Th>
                                <Table.Th>{t('webhooks.created')}</Table.Th>
                                <Table.Th>{t('common.actions')}</Table.Th>
                            </Table.Tr>
                        </Table.Thead>
                        <Table.Tbody>
                            {list.data.items.map((d) => (
                                <Fragment key={d.id}>
                                    <Table.Tr data-testid="delivery-row">
                                        <Table.Td className="mono">{d.eventType}</Table.Td>
                                        <Table.Td>
                                            <Badge color={DELIVERY_COLORS[d.status] ?? 'gray'} variant="light" data-testid="delivery-status">
                                                {tx(`deliveryStatus.${d.status}`, d.status)}
                                            </Badge>
                                            {d.lastStatusCode ? (
                                                <Text span size="xs" ml={6}>
                                                    {d.lastStatusCode}
                                                </Text>
                                            ) : null}
                                        </Table.Td>
                                        <Table.Td>{d.attempts}</Table.Td>
                                        <Table.Td>
                                            <When value={d.lastAttemptAt} />
                                        </Table.Td>
                                        <Table.Td>
                                            <When value={d.nextAttemptAt} />
                                        </Table.Td>
                                        <Table.Td>
                                            <When value={d.createdAt} />
                                        </Table.Td>
                                        <Table.Td>
                                            <Group gap={4} wrap="nowrap">
                                                <Button size="xs" variant="subtle" onClick={() => setOpen(open === d.id ? null : d.id)} aria-expanded={open === d.id} data-testid="delivery-toggle">
                                                    {open === d.id ? t('webhooks.hideAttempts') : t('webhooks.showAttempts')}
                                                </Button>
                                                <Button size="xs" variant="light" disabled={d.status === 'pending'} loading={retry.isPending && retry.variables === d.id} onClick={() => gate(() => retry.mutate(d.id))} data-testid="delivery-retry">
                                                    {t('webhooks.retry')}
                                                </Button>
                                            </Group>
                                        </Table.Td>
                                    </Table.Tr>
                                    {open === d.id ? (
                                        <Table.Tr>
                                            <Table.Td colSpan={7}>
                                                <Stack gap={4}>
                                                    <Text size="xs" className="mono">
                                                        {t('webhooks.messageId', { id: d.messageId })}
                                                    </Text>
                                                    {d.lastError ? (
                                                        <Text size="xs" c="red">
                                                            {d.lastError}
                                                        </Text>
                                                    ) : null}
                                                    <Attempts d={d} />
                                                </Stack>
                                            </Table.Td>
                                        </Table.Tr>
                                    ) : null}
                                </Fragment>
                            ))}
                        </Table.Tbody>
                    </Table>
                </Table.ScrollContainer>
            ) : null}
            {list.data ? <Pager page={paging.page} hasPrev={paging.hasPrev} nextCursor={list.data.nextCursor} onPrev={paging.prev} onNext={paging.next} limit={paging.limit} onLimit={paging.setLimit} /> : null}
        </Card>
    );
}

export default function WebhookDetailPage() {
    const { t } = useI18n();
    const { id = '' } = useParams();
    const gate = useWriteGate();
    const notify = useNotify();
    const navigate = useNavigate();
    const queryClient = useQueryClient();
    const [editing, setEditing] = useState(false);
    const [deleting, setDeleting] = useState(false);
    const [rotating, setRotating] = useState(false);
    const [secret, setSecret] = useState<string | null>(null);
    const q = useQuery({ queryKey: ['webhooks', 'detail', id], queryFn: () => service.webhooks.adminGetWebhookEndpoint({ id }) });
    const remove = useMutation({
        mutationFn: () => service.webhooks.adminDeleteWebhookEndpoint({ id }),
        onSuccess: () => {
            notify(t('webhooks.deleted'));
            void queryClient.invalidateQueries({ queryKey: ['webhooks'] });
            void navigate('/webhooks');
        },
    });
    const test = useMutation({
        mutationFn: () => service.webhooks.adminSendTestWebhook({ id }),
        onSuccess: () => {
            notify(t('webhooks.testQueued'));
            void queryClient.invalidateQueries({ queryKey: ['webhooks', 'deliveries', id] });
        },
    });
    if (q.isPending) return <TableSkeleton />;
    if (q.error) return <ProblemState error={q.error} onRetry={() => void q.refetch()} />;
    const w = q.data;
    return (
        <>
            <PageHeader
                title={t('webhooks.detailTitle')}
                description={w.url}
                actions={
                    <>
                        <Button variant="default" leftSection={<IconPencil size={16} aria-hidden />} onClick={() => gate(() => setEditing(true))} data-testid="webhook-edit">
                            {t('common.edit')}
                        </Button>
                        <Button variant="default" leftSection={<IconSend size={16} aria-hidden />} loading={test.isPending} onClick={() => gate(() => test.mutate())} data-testid="webhook-test">
                            {t('webhooks.sendTest')}
                        </Button>
                        <Button variant="light" color="orange" leftSection={<IconKey size={16} aria-hidden />} onClick={() => gate(() => setRotating(true))} data-testid="webhook-rotate">
                            {t('webhooks.rotate')}
                        </Button>
                        <Button variant="light" color="red" leftSection={<IconTrash size={16} aria-hidden />} onClick={() => gate(() => setDeleting(true))} data-testid="webhook-delete">
                            {t('common.delete')}
                        </Button>
                    </>
                }
            />
            <WebhookFormModal opened={editing} endpoint={w} onClose={() => setEditing(false)} />
            <RotateModal opened={rotating} id={id} onClose={() => setRotating(false)} onRotated={(s) => {
                setRotating(false);
                setSecret(s);
            }} />
            <SecretModal secret={secret} title={t('webhooks.rotatedTitle')} onClose={() => setSecret(null)} />
            <ConfirmModal
                opened={deleting}
                onClose={() => {
                    remove.reset();
                    setDeleting(false);
                }}
                title={t('webhooks.deleteTitle')}
                message={t('webhooks.deleteBody', { url: w.url })}
                confirmLabel={t('common.delete')}
                danger
                busy={remove.isPending}
                error={remove.error}
                onConfirm={() => remove.mutate()}
            />
            <ProblemAlert error={test.error} />
            <Card withBorder mb="md" data-testid="webhook-info">
                <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
                    <Stack gap={2}>
                        <Text size="xs" c="dimmed">
                            {t('webhooks.url')}
                        </Text>
                        <Text size="sm" className="mono" style={{ overflowWrap: 'anywhere' }}>
                            {w.url}
                        </Text>
                    </Stack>
                    <Stack gap={2}>
                        <Text size="xs" c="dimmed">
                            {t('webhooks.description')}
                        </Text>
                        <Text size="sm">{w.description ?? '—'}</Text>
                    </Stack>
                    <Stack gap={2}>
                        <Text size="xs" c="dimmed">
                            {t('common.status')}
                        </Text>
                        <div>
                            <Badge color={w.enabled ? 'green' : 'gray'} variant="light">
                                {w.enabled ? t('webhooks.on') : t('webhooks.off')}
                            </Badge>
                        </div>
                    </Stack>
                    <Stack gap={2}>
                        <Text size="xs" c="dimmed">
                            {t('webhooks.events')}
                        </Text>
                        <Group gap={4}>
                            {w.eventTypes.map((e) => (
                                <Badge key={e} variant="light" size="sm" tt="none">
                                    {e === '*' ? t('webhooks.allEvents') : e}
                                </Badge>
                            ))}
                        </Group>
                    </Stack>
                    <Stack gap={2}>
                        <Text size="xs" c="dimmed">
                            {t('webhooks.secret')}
                        </Text>
                        <Text size="sm">{t('webhooks.secretHidden')}</Text>
                        {w.secretRotatedAt ? (
                            <Text size="xs">
                                {t('webhooks.rotatedAt')} <When value={w.secretRotatedAt} />
                            </Text>
                        ) : null}
                        {w.previousSecretExpiresAt ? (
                            <Text size="xs">
                                {t('webhooks.previousUntil')} <When value={w.previousSecretExpiresAt} />
                            </Text>
                        ) : null}
                    </Stack>
                    <Stack gap={2}>
                        <Text size="xs" c="dimmed">
                            {t('webhooks.created')}
                        </Text>
                        <Text size="sm">
                            <When value={w.createdAt} />
                        </Text>
                    </Stack>
                </SimpleGrid>
            </Card>
            <Paper>
                <Deliveries id={id} />
            </Paper>
        </>
    );
}
