// A customer's wallet on their page: balances (available, frozen), the ledger (newest first,
// by type, paged by cursor), and the adjustment dialog (wallet.adjust): deposit, consume,
// freeze or unfreeze an amount typed in major units, with a required reason, under an
// Idempotency-Key made when the dialog opens (a double click posts once).

import type { Wallet } from '@helium/sdk';
import { Alert, Anchor, Button, Card, Group, Input, Modal, SegmentedControl, Select, SimpleGrid, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { IconWallet } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { commerce } from '../api/commerce';
import { fieldErrors } from '../api/errors';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { useI18n } from '../i18n';
import { LEDGER_TYPES, WALLET_ADJUSTMENTS, type WalletAdjustment } from '../lib/domain';
import { formatMoney, toMinorUnits } from '../lib/format';
import { useIdempotencyKey } from '../lib/idempotency';
import { Pager, When } from './bits';
import { Field, MoneyInput, MoneyText } from './commerce';
import { useNotify } from './notify';
import { EmptyState, ProblemAlert, ProblemState, TableSkeleton } from './states';

function AdjustModal({ userId, wallet, opened, onClose }: { userId: string; wallet: Wallet; opened: boolean; onClose: () => void }) {
    const { t, tx, locale } = useI18n();
    const notify = useNotify();
    const queryClient = useQueryClient();
    const { key, settle } = useIdempotencyKey(opened);
    const [kind, setKind] = useState<WalletAdjustment>('deposit');
    const [amount, setAmount] = useState('');
    const [reason, setReason] = useState('');
    const [touched, setTouched] = useState(false);
    useEffect(() => {
        if (opened) {
            setKind('deposit');
            setAmount('');
            setReason('');
            setTouched(false);
        }
    }, [opened]);
    const currency = wallet.available.currency;
    const minor = toMinorUnits(amount, currency);
    const limit = kind === 'consume' || kind === 'freeze' ? wallet.available.amount : kind === 'unfreeze' ? wallet.frozen.amount : null;
    const local: Record<string, string | undefined> = {
        amount:
            minor === null || minor <= 0
                ? t('money.invalid')
                : limit !== null && minor > limit
                  ? t('wallet.overBalance', { balance: formatMoney(limit, currency, locale) })
                  : undefined,
        reason: reason.trim() ? undefined : t('field.required'),
    };
    const invalid = Object.values(local).some(Boolean);
    const adjust = useMutation({
        mutationFn: () =>
            commerce.wallet.adminAdjustWallet({
                userId,
                idempotencyKey: key,
                walletAdjustmentRequest: { kind, amount: minor ?? 0, reason: reason.trim() },
            }),
        onSuccess: (r) => {
            queryClient.setQueryData(['wallet', userId, 'balance'], r.wallet);
            void queryClient.invalidateQueries({ queryKey: ['wallet', userId] });
            notify(t(`wallet.done.${kind}`, { amount: formatMoney(minor ?? 0, currency, locale) }));
            onClose();
        },
        onError: settle,
    });
    const server = fieldErrors(adjust.error, tx);
    const err = (k: string) => (touched ? local[k] : undefined) ?? server[k];
    const close = () => {
        adjust.reset();
        onClose();
    };
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={opened} onClose={close} title={t('wallet.adjustTitle')} centered>
            <form
                noValidate
                onSubmit={(e: FormEvent) => {
                    e.preventDefault();
                    setTouched(true);
                    if (!invalid && !adjust.isPending) adjust.mutate();
                }}
            >
                <Stack>
                    <Input.Wrapper label={t('wallet.kind')} description={t(`wallet.kindHint.${kind}`)}>
                        <div>
                            <SegmentedControl
                                aria-label={t('wallet.kind')}
                                fullWidth
                                value={kind}
                                onChange={(v) => {
                                    setKind(v as WalletAdjustment);
                                    adjust.reset();
                                }}
                                data={WALLET_ADJUSTMENTS.map((k) => ({ value: k, label: t(`wallet.kind.${k}`) }))}
                                data-testid="adjust-kind"
                            />
                        </div>
                    </Input.Wrapper>
                    <MoneyInput
                        currency={currency}
                        label={t('wallet.amount')}
                        description={t('wallet.balances', {
                            available: formatMoney(wallet.available.amount, currency, locale),
                            frozen: formatMoney(wallet.frozen.amount, currency, locale),
                        })}
                        required
                        value={amount}
                        onChange={(e) => setAmount(e.currentTarget.value)}
                        error={err('amount')}
                        data-autofocus
                        data-testid="adjust-amount"
                    />
                    <Textarea
                        label={t('reason.label')}
                        description={t('wallet.reasonHint')}
                        required
                        autosize
                        minRows={2}
                        maxLength={500}
                        value={reason}
                        onChange={(e) => setReason(e.currentTarget.value)}
                        error={err('reason')}
                        data-testid="reason"
                    />
                    <ProblemAlert error={Object.keys(server).length ? null : adjust.error} />
                    <Group justify="flex-end">
                        <Button variant="default" onClick={close}>
                            {t('common.cancel')}
                        </Button>
                        <Button type="submit" color={kind === 'consume' ? 'red' : undefined} loading={adjust.isPending} data-testid="confirm">
                            {t(`wallet.kind.${kind}`)}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Modal>
    );
}

/** Ledger entries carry no currency: a wallet has one, the shop's. */
function Ledger({ userId, currency }: { userId: string; currency: string }) {
    const { t, tx } = useI18n();
    const { can } = useAuth();
    const [type, setType] = useState('');
    const [cursors, setCursors] = useState<string[]>([]);
    const [limit, setLimit] = useState(20);
    const cursor = cursors.at(-1);
    const list = useQuery({
        queryKey: ['wallet', userId, 'ledger', type, cursor, limit],
        queryFn: () =>
            commerce.wallet.adminListWalletLedger({ userId, ...(type ? { type } : {}), limit, ...(cursor ? { cursor } : {}) }),
        placeholderData: keepPreviousData,
    });
    return (
        <>
            <Group justify="space-between" align="flex-end" mb="sm">
                <Title order={3} size="h5">
                    {t('wallet.ledger')}
                </Title>
                <Select
                    label={t('wallet.entryType')}
                    size="xs"
                    w={200}
                    data={[{ value: '', label: t('common.all') }, ...LEDGER_TYPES.map((k) => ({ value: k, label: t(`ledger.${k}`) }))]}
                    value={type}
                    onChange={(v) => {
                        setType(v ?? '');
                        setCursors([]);
                    }}
                    allowDeselect={false}
                />
            </Group>
            {list.isPending ? <TableSkeleton rows={3} /> : null}
            {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
            {list.data && list.data.items.length === 0 ? <EmptyState>{t('wallet.noEntries')}</EmptyState> : null}
            {list.data && list.data.items.length > 0 ? (
                <Table.ScrollContainer minWidth={720}>
                    <Table verticalSpacing="xs" striped data-testid="ledger-table">
                        <Table.Thead>
                            <Table.Tr>
                                <Table.Th>{t('wallet.when')}</Table.Th>
                                <Table.Th>{t('wallet.entryType')}</Table.Th>
                                <Table.Th>{t('wallet.amount')}</Table.Th>
                                <Table.Th>{t('wallet.bucket')}</Table.Th>
                                <Table.Th>{t('reason.label')}</Table.Th>
                                <Table.Th>{t('wallet.order')}</Table.Th>
                            </Table.Tr>
                        </Table.Thead>
                        <Table.Tbody>
                            {list.data.items.map((e) => (
                                <Table.Tr key={e.id} data-testid="ledger-row" data-type={e.type}>
                                    <Table.Td>
                                        <When value={e.createdAt} />
                                    </Table.Td>
                                    <Table.Td>{tx(`ledger.${e.type}`, e.type)}</Table.Td>
                                    <Table.Td>
                                        <MoneyText value={{ amount: e.amount, currency }} signed />
                                    </Table.Td>
                                    <Table.Td>{tx(`bucket.${e.bucket}`, e.bucket)}</Table.Td>
                                    <Table.Td>
                                        <Text size="sm" data-testid="ledger-reason">
                                            {e.reason ?? '—'}
                                        </Text>
                                    </Table.Td>
                                    <Table.Td>
                                        {e.orderId ? (
                                            can('orders.read') ? (
                                                <Anchor component={Link} to={`/orders/${e.orderId}`} size="sm">
                                                    {t('wallet.viewOrder')}
                                                </Anchor>
                                            ) : (
                                                <Text span className="mono">
                                                    {e.orderId.slice(0, 8)}
                                                </Text>
                                            )
                                        ) : (
                                            '—'
                                        )}
                                    </Table.Td>
                                </Table.Tr>
                            ))}
                        </Table.Tbody>
                    </Table>
                </Table.ScrollContainer>
            ) : null}
            {list.data ? (
                <Pager
                    page={cursors.length + 1}
                    hasPrev={cursors.length > 0}
                    nextCursor={list.data.nextCursor}
                    onPrev={() => setCursors(cursors.slice(0, -1))}
                    onNext={(c) => setCursors([...cursors, c])}
                    limit={limit}
                    onLimit={(n) => {
                        setLimit(n);
                        setCursors([]);
                    }}
                />
            ) : null}
        </>
    );
}

export function CustomerWallet({ userId }: { userId: string }) {
    const { t } = useI18n();
    const { can } = useAuth();
    const gate = useWriteGate();
    const [adjusting, setAdjusting] = useState(false);
    const wallet = useQuery({ queryKey: ['wallet', userId, 'balance'], queryFn: () => commerce.wallet.adminGetWallet({ userId }) });
    return (
        <Card withBorder data-testid="wallet">
            <Group justify="space-between" mb="sm">
                <Title order={2} size="h4">
                    {t('wallet.title')}
                </Title>
                {can('wallet.adjust') && wallet.data ? (
                    <Button size="xs" leftSection={<IconWallet size={14} aria-hidden />} onClick={() => gate(() => setAdjusting(true))} data-testid="wallet-adjust">
                        {t('wallet.adjust')}
                    </Button>
                ) : null}
            </Group>
            {wallet.isPending ? <TableSkeleton rows={1} /> : null}
            {wallet.error ? <ProblemState error={wallet.error} onRetry={() => void wallet.refetch()} /> : null}
            {wallet.data ? (
                <>
                    <SimpleGrid cols={{ base: 1, sm: 3 }} mb="md">
                        <Field label={t('wallet.available')}>
                            <Text fw={700} size="lg" data-testid="wallet-available">
                                <MoneyText value={wallet.data.available} />
                            </Text>
                        </Field>
                        <Field label={t('wallet.frozen')}>
                            <Text fw={700} size="lg" data-testid="wallet-frozen">
                                <MoneyText value={wallet.data.frozen} />
                            </Text>
                        </Field>
                        <Field label={t('common.updated')}>
                            <When value={wallet.data.updatedAt} />
                        </Field>
                    </SimpleGrid>
                    {wallet.data.frozen.amount > 0 ? (
                        <Alert color="blue" p="xs" mb="md">
                            {t('wallet.frozenHint')}
                        </Alert>
                    ) : null}
                    <Ledger userId={userId} currency={wallet.data.available.currency} />
                    <AdjustModal userId={userId} wallet={wallet.data} opened={adjusting} onClose={() => setAdjusting(false)} />
                </>
            ) : null}
        </Card>
    );
}
