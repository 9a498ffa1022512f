// One order with its payment attempts. Staff actions, each by its own permission and each with
// a reason kept in the audit log: cancel an unpaid order; mark one paid (money received outside
// the gateways, with its reference); refund a paid or delivered one to the customer's wallet
// (all or part, optionally ending the package it delivered). Partial refunds add up to at most
// the total, so a refunded order with something left can be refunded again; a top-up never.
// Mark paid and refund carry an Idempotency-Key per opened dialog, so a double click does not
// post twice.

import type { AdminOrder } from '@helium/sdk';
import { Alert, Anchor, Badge, Button, Card, Checkbox, Group, Modal, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { commerce } from '../api/commerce';
import { fieldErrors } from '../api/errors';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { CopyButton, PageHeader, StatusBadge, When } from '../components/bits';
import { Field, MoneyInput, MoneyText } from '../components/commerce';
import { ReasonModal } from '../components/dialogs';
import { useNotify } from '../components/notify';
import { EmptyState, ProblemAlert, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { formatMoney, toMajorInput, toMinorUnits } from '../lib/format';
import { useIdempotencyKey } from '../lib/idempotency';
import { refundableAmount, refundAmountValid } from '../lib/refunds';

type Action = 'cancel' | 'paid' | 'refund' | null;

function useOrderDone(id: string, close: () => void) {
    const queryClient = useQueryClient();
    const notify = useNotify();
    return (o: AdminOrder, message: string) => {
        queryClient.setQueryData(['orders', 'detail', id], (old: AdminOrder | undefined) => ({ ...o, payments: o.payments.length ? o.payments : (old?.payments ?? []) }));
        void queryClient.invalidateQueries({ queryKey: ['orders'] });
        void queryClient.invalidateQueries({ queryKey: ['wallet', o.userId] });
        notify(message);
        close();
    };
}

function MarkPaidModal({ order, opened, onClose }: { order: AdminOrder; opened: boolean; onClose: () => void }) {
    const { t, tx, locale } = useI18n();
    const { key, settle } = useIdempotencyKey(opened);
    const [reason, setReason] = useState('');
    const [reference, setReference] = useState('');
    const [touched, setTouched] = useState(false);
    useEffect(() => {
        if (opened) {
            setReason('');
            setReference('');
            setTouched(false);
        }
    }, [opened]);
    const done = useOrderDone(order.id, onClose);
    const mark = useMutation({
        mutationFn: () =>
            commerce.orders.adminMarkOrderPaid({
                id: order.id,
                idempotencyKey: key,
                markOrderPaidRequest: { reason: reason.trim(), externalReference: reference.trim() || null },
            }),
        onSuccess: (o) => done(o, t('order.markedPaid')),
        onError: settle,
    });
    const server = fieldErrors(mark.error, tx);
    const close = () => {
        mark.reset();
        onClose();
    };
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={opened} onClose={close} title={t('order.markPaidTitle')} centered>
            <form
                noValidate
                onSubmit={(e: FormEvent) => {
                    e.preventDefault();
                    setTouched(true);
                    if (reason.trim() && !mark.isPending) mark.mutate();
                }}
            >
                <Stack>
                    <Text size="sm">{t('order.markPaidBody', { total: formatMoney(order.total.amount, order.total.currency, locale), tradeNo: order.tradeNo })}</Text>
                    <TextInput label={t('order.externalReference')} description={t('order.externalReferenceHint')} maxLength={200} value={reference} onChange={(e) => setReference(e.currentTarget.value)} error={server.external_reference} data-autofocus data-testid="paid-reference" />
                    <Textarea
                        label={t('reason.label')}
                        description={t('reason.description')}
                        required
                        autosize
                        minRows={2}
                        maxLength={500}
                        value={reason}
                        onChange={(e) => setReason(e.currentTarget.value)}
                        error={touched && !reason.trim() ? t('field.required') : server.reason}
                        data-testid="reason"
                    />
                    <ProblemAlert error={Object.keys(server).length ? null : mark.error} />
                    <Group justify="flex-end">
                        <Button variant="default" onClick={close}>
                            {t('common.cancel')}
                        </Button>
                        <Button type="submit" loading={mark.isPending} data-testid="confirm">
                            {t('order.markPaid')}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Modal>
    );
}

/** `remaining`: what is left to refund (minor units), from `refundableAmount`. */
function RefundModal({ order, remaining, opened, onClose }: { order: AdminOrder; remaining: number; opened: boolean; onClose: () => void }) {
    const { t, tx, locale } = useI18n();
    const { key, settle } = useIdempotencyKey(opened);
    const [reason, setReason] = useState('');
    const [amount, setAmount] = useState('');
    const [cancelPackage, setCancelPackage] = useState(false);
    const [touched, setTouched] = useState(false);
    const currency = order.total.currency;
    useEffect(() => {
        if (opened) {
            setReason('');
            // What is left, to refund it all or edit down; nothing typed for a free order.
            setAmount(remaining > 0 ? toMajorInput(remaining, currency) : '');
            setCancelPackage(false);
            setTouched(false);
        }
        // Only when the dialog opens: the order updates behind it after a refund.
    }, [opened]);
    const typed = amount.trim() !== '';
    const minor = typed ? toMinorUnits(amount, currency) : null;
    const money = (minorUnits: number) => formatMoney(minorUnits, currency, locale);
    const amountError = typed && !refundAmountValid(minor, remaining) ? t('order.refundAmountInvalid', { max: money(remaining) }) : undefined;
    const done = useOrderDone(order.id, onClose);
    const refund = useMutation({
        mutationFn: () =>
            commerce.orders.adminRefundOrder({
                id: order.id,
                idempotencyKey: key,
                refundOrderRequest: { reason: reason.trim(), ...(minor !== null ? { amount: minor } : {}), cancelPackage },
            }),
        onSuccess: (o) => done(o, t('order.refunded')),
        onError: settle,
    });
    const server = fieldErrors(refund.error, tx);
    const close = () => {
        refund.reset();
        onClose();
    };
    const shown = minor ?? remaining;
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={opened} onClose={close} title={t('order.refundTitle')} centered>
            <form
                noValidate
                onSubmit={(e: FormEvent) => {
                    e.preventDefault();
                    setTouched(true);
                    if (reason.trim() && !amountError && !refund.isPending) refund.mutate();
                }}
            >
                <Stack>
                    <Text size="sm">{t('order.refundBody', { tradeNo: order.tradeNo })}</Text>
                    <Text size="sm" data-testid="refund-summary">
                        {t('order.refundSummary', { total: money(order.total.amount), refunded: money(order.refundAmount?.amount ?? 0), remaining: money(remaining) })}
                    </Text>
                    <MoneyInput
                        currency={currency}
                        label={t('order.refundAmount')}
                        description={t('order.refundAmountHint', { remaining: money(remaining) })}
                        placeholder={money(remaining)}
                        value={amount}
                        onChange={(e) => setAmount(e.currentTarget.value)}
                        error={amountError ?? server.amount}
                        data-autofocus
                        data-testid="refund-amount"
                    />
                    <Checkbox label={t('order.cancelPackage')} description={t('order.cancelPackageHint')} checked={cancelPackage} onChange={(e) => setCancelPackage(e.currentTarget.checked)} data-testid="refund-cancel-package" />
                    <Textarea
                        label={t('reason.label')}
                        description={t('reason.description')}
                        required
                        autosize
                        minRows={2}
                        maxLength={500}
                        value={reason}
                        onChange={(e) => setReason(e.currentTarget.value)}
                        error={touched && !reason.trim() ? t('field.required') : server.reason}
                        data-testid="reason"
                    />
                    <Alert color="orange" p="xs">
                        {t('order.refundWarning', { amount: formatMoney(shown, currency, locale) })}
                    </Alert>
                    <ProblemAlert error={Object.keys(server).length ? null : refund.error} />
                    <Group justify="flex-end">
                        <Button variant="default" onClick={close}>
                            {t('common.cancel')}
                        </Button>
                        <Button type="submit" color="red" loading={refund.isPending} data-testid="confirm">
                            {t('order.refund')}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Modal>
    );
}

export default function OrderDetailPage() {
    const { id = '' } = useParams();
    const { t, tx } = useI18n();
    const { can } = useAuth();
    const gate = useWriteGate();
    const [action, setAction] = useState<Action>(null);
    const detail = useQuery({ queryKey: ['orders', 'detail', id], queryFn: () => commerce.orders.adminGetOrder({ id }) });
    const close = () => setAction(null);
    const done = useOrderDone(id, close);
    const cancel = useMutation({
        mutationFn: (reason: string) => commerce.orders.adminCancelOrder({ id, adminCancelOrderRequest: { reason } }),
        onSuccess: (o) => done(o, t('order.cancelled')),
    });

    if (detail.isPending) return <TableSkeleton rows={8} />;
    if (detail.error) return <ProblemState error={detail.error} onRetry={() => void detail.refetch()} />;
    const o = detail.data;
    const unpaid = o.status === 'unpaid';
    // What is left to refund; null: no refund (not paid, all refunded, or a top-up).
    const remaining = refundableAmount(o);

    return (
        <Stack>
            <PageHeader
                title={t('order.title', { tradeNo: o.tradeNo })}
                description={o.productName}
                actions={
                    <>
                        {unpaid && can('orders.mark_paid') ? (
                            <Button onClick={() => gate(() => setAction('paid'))} data-testid="order-mark-paid">
                                {t('order.markPaid')}
                            </Button>
                        ) : null}
                        {unpaid && can('orders.cancel') ? (
                            <Button variant="default" onClick={() => gate(() => setAction('cancel'))} data-testid="order-cancel">
                                {t('order.cancel')}
                            </Button>
                        ) : null}
                        {remaining !== null && can('orders.refund') ? (
                            <Button color="red" variant="outline" onClick={() => gate(() => setAction('refund'))} data-testid="order-refund">
                                {t('order.refund')}
                            </Button>
                        ) : null}
                    </>
                }
            />
            <Card withBorder>
                <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
                    <Field label={t('orders.tradeNo')}>
                        <Group gap={4} wrap="nowrap">
                            <Text className="mono" data-testid="order-trade-no">
                                {o.tradeNo}
                            </Text>
                            <CopyButton value={o.tradeNo} />
                        </Group>
                    </Field>
                    <Field label={t('common.status')}>
                        <StatusBadge status={o.status} />
                    </Field>
                    <Field label={t('orders.kind')}>
                        <Text size="sm">{tx(`orderKind.${o.kind}`, o.kind)}</Text>
                    </Field>
                    <Field label={t('orders.customer')}>
                        {can('customers.read') ? (
                            <Anchor component={Link} to={`/customers/${o.userId}`} size="sm" className="mono">
                                {o.userId}
                            </Anchor>
                        ) : (
                            <Text className="mono">{o.userId}</Text>
                        )}
                    </Field>
                    <Field label={t('orders.product')}>
                        {o.productId && can('catalog.read') ? (
                            <Anchor component={Link} to={`/products/${o.productId}`} size="sm">
                                {o.productName}
                            </Anchor>
                        ) : (
                            <Text size="sm">{o.productName}</Text>
                        )}
                    </Field>
                    <Field label={t('orders.subtotal')}>
                        <MoneyText value={o.subtotal} />
                    </Field>
                    <Field label={t('orders.discount')}>
                        <MoneyText value={o.discount} />
                    </Field>
                    <Field label={t('orders.total')}>
                        <Text fw={700} size="sm">
                            <MoneyText value={o.total} />
                        </Text>
                    </Field>
                    <Field label={t('orders.paidVia')}>
                        <Text size="sm">{o.paidVia ? tx(`paidVia.${o.paidVia}`, o.paidVia) : '—'}</Text>
                    </Field>
                    <Field label={t('common.created')}>
                        <When value={o.createdAt} />
                    </Field>
                    {unpaid ? (
                        <Field label={t('order.expiresAt')}>
                            <When value={o.expiresAt} />
                        </Field>
                    ) : null}
                    {o.paidAt ? (
                        <Field label={t('order.paidAt')}>
                            <When value={o.paidAt} />
                        </Field>
                    ) : null}
                    {o.deliveredAt ? (
                        <Field label={t('order.deliveredAt')}>
                            <When value={o.deliveredAt} />
                        </Field>
                    ) : null}
                    {o.cancelledAt ? (
                        <Field label={t('order.cancelledAt')}>
                            <When value={o.cancelledAt} />
                        </Field>
                    ) : null}
                    {o.refundedAt ? (
                        <Field label={t('order.refundedAt')}>
                            <When value={o.refundedAt} />
                        </Field>
                    ) : null}
                    {o.refundAmount ? (
                        <Field label={t('order.refundedSoFar')}>
                            <span data-testid="order-refunded-so-far">
                                <MoneyText value={o.refundAmount} />
                            </span>
                        </Field>
                    ) : null}
                    {o.refundAmount && o.kind !== 'top_up' ? (
                        <Field label={t('order.refundRemaining')}>
                            <span data-testid="order-refund-remaining">
                                <MoneyText value={{ amount: remaining ?? 0, currency: o.total.currency }} />
                            </span>
                        </Field>
                    ) : null}
                    {can('audit.read') ? (
                        <Field label={t('nav.audit')}>
                            <Anchor component={Link} to={`/audit?target_type=order&target_id=${o.id}`} size="sm">
                                {t('order.auditHistory')}
                            </Anchor>
                        </Field>
                    ) : null}
                </SimpleGrid>
            </Card>
            <Card withBorder>
                <Title order={2} size="h4" mb="sm">
                    {t('order.payments')}
                </Title>
                {o.payments.length === 0 ? (
                    <EmptyState>{t('order.noPayments')}</EmptyState>
                ) : (
                    <Table.ScrollContainer minWidth={600}>
                        <Table verticalSpacing="xs" data-testid="payments-table">
                            <Table.Thead>
                                <Table.Tr>
                                    <Table.Th>{t('order.paymentVia')}</Table.Th>
                                    <Table.Th>{t('common.status')}</Table.Th>
                                    <Table.Th>{t('order.amount')}</Table.Th>
                                    <Table.Th>{t('common.created')}</Table.Th>
                                    <Table.Th>{t('order.settledAt')}</Table.Th>
                                </Table.Tr>
                            </Table.Thead>
                            <Table.Tbody>
                                {o.payments.map((p) => (
                                    <Table.Tr key={p.id}>
                                        <Table.Td>{tx(`paidVia.${p.via}`, p.via)}</Table.Td>
                                        <Table.Td>
                                            <Badge color={p.status === 'succeeded' ? 'green' : p.status === 'failed' ? 'red' : 'blue'} variant="light">
                                                {tx(`paymentStatus.${p.status}`, p.status)}
                                            </Badge>
                                        </Table.Td>
                                        <Table.Td>
                                            <MoneyText value={p.amount} />
                                        </Table.Td>
                                        <Table.Td>
                                            <When value={p.createdAt} />
                                        </Table.Td>
                                        <Table.Td>
                                            <When value={p.settledAt} />
                                        </Table.Td>
                                    </Table.Tr>
                                ))}
                            </Table.Tbody>
                        </Table>
                    </Table.ScrollContainer>
                )}
            </Card>
            <ReasonModal
                opened={action === 'cancel'}
                onClose={() => {
                    close();
                    cancel.reset();
                }}
                title={t('order.cancelTitle')}
                message={t('order.cancelBody', { tradeNo: o.tradeNo })}
                confirmLabel={t('order.cancel')}
                danger
                busy={cancel.isPending}
                error={cancel.error}
                onConfirm={(r) => cancel.mutate(r)}
            />
            <MarkPaidModal order={o} opened={action === 'paid'} onClose={close} />
            <RefundModal order={o} remaining={remaining ?? 0} opened={action === 'refund'} onClose={close} />
        </Stack>
    );
}
