// Gift cards (gift_cards.read): batches of single-use codes (issued with an Idempotency-Key;
// the codes leave the server only through the audited CSV export, gift_cards.export), shared
// "special" codes many customers redeem once each, the cards themselves (codes masked) with
// filters, and a lookup by a code a customer reads out — sent in a POST body, never in a URL.

import type { GiftCardBatch } from '@helium/sdk';
import { Anchor, Badge, Button, CloseButton, Group, Modal, Paper, Select, SimpleGrid, Stack, Table, Tabs, Text, TextInput } from '@mantine/core';
import { IconDownload, IconPlus, IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { commerce } from '../api/commerce';
import { fieldErrors, isStatus, problemMessage } from '../api/errors';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { PageHeader, Pager, StatusBadge, When } from '../components/bits';
import { downloadText, MoneyInput, MoneyText } from '../components/commerce';
import { useNotify } from '../components/notify';
import { EmptyState, ProblemAlert, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { useShopCurrency } from '../lib/commerceQueries';
import { GIFT_CARD_STATUSES, giftCardStatus } from '../lib/domain';
import { fromLocalInput, parseWhole, shortId, toMinorUnits } from '../lib/format';
import { useIdempotencyKey } from '../lib/idempotency';
import { useCursorPaging, useFilters } from '../lib/urlState';

const KEYS = ['tab', 'batch', 'status', 'redeemed_by'] as const;
/** `admin:<id>` → `Staff · 01a2b3c4` (who issued a batch). */
function issuer(raw: string, tx: (key: string, fallback: string) => string): string {
    const [type = raw, id] = raw.split(':', 2);
    return id ? `${tx(`actor.${type}`, type)} · ${shortId(id)}` : tx(`actor.${type}`, type);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function NewBatchModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const queryClient = useQueryClient();
    const currency = useShopCurrency();
    const { key, settle } = useIdempotencyKey(opened);
    const [name, setName] = useState('');
    const [count, setCount] = useState('');
    const [value, setValue] = useState('');
    const [expires, setExpires] = useState('');
    const [touched, setTouched] = useState(false);
    useEffect(() => {
        if (opened) {
            setName('');
            setCount('');
            setValue('');
            setExpires('');
            setTouched(false);
        }
    }, [opened]);
    const n = parseWhole(count, 1, 10_000);
    const minor = toMinorUnits(value, currency);
    const at = expires ? fromLocalInput(expires) : null;
    const local: Record<string, string | undefined> = {
        name: name.trim() ? undefined : t('field.required'),
        count: n === null ? t('giftCards.countInvalid') : undefined,
        value: minor === null || minor <= 0 ? t('money.invalid') : undefined,
    };
    const invalid = Object.values(local).some(Boolean);
    const create = useMutation({
        mutationFn: () =>
            commerce.wallet.adminCreateGiftCardBatch({
                idempotencyKey: key,
                giftCardBatchRequest: { name: name.trim(), count: n ?? 0, value: minor ?? 0, expiresAt: at },
            }),
        onSuccess: (b) => {
            notify(t('giftCards.batchCreated', { name: b.name, count: b.count }));
            void queryClient.invalidateQueries({ queryKey: ['gift-cards'] });
            void queryClient.invalidateQueries({ queryKey: ['shop-currency'] });
            onClose();
        },
        onError: settle,
    });
    const server = fieldErrors(create.error, tx);
    const err = (k: string) => (touched ? local[k] : undefined) ?? server[k];
    const close = () => {
        create.reset();
        onClose();
    };
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={opened} onClose={close} title={t('giftCards.newBatch')} centered>
            <form
                noValidate
                onSubmit={(e: FormEvent) => {
                    e.preventDefault();
                    setTouched(true);
                    if (!invalid && !create.isPending) create.mutate();
                }}
            >
                <Stack>
                    <Text size="sm">{t('giftCards.newBatchHint')}</Text>
                    <TextInput label={t('common.name')} placeholder={t('giftCards.batchNameExample')} required maxLength={100} value={name} onChange={(e) => setName(e.currentTarget.value)} error={err('name')} data-autofocus data-testid="batch-name" />
                    <SimpleGrid cols={{ base: 1, sm: 2 }}>
                        <TextInput label={t('giftCards.count')} description={t('giftCards.countHint')} required inputMode="numeric" value={count} onChange={(e) => setCount(e.currentTarget.value)} error={err('count')} data-testid="batch-count" />
                        <MoneyInput currency={currency} label={t('giftCards.value')} description={t('giftCards.valueHint')} required value={value} onChange={(e) => setValue(e.currentTarget.value)} error={err('value')} data-testid="batch-value" />
                    </SimpleGrid>
                    <TextInput type="datetime-local" label={t('giftCards.expires')} description={t('giftCards.expiresHint')} value={expires} onChange={(e) => setExpires(e.currentTarget.value)} error={server.expires_at} />
                    <ProblemAlert error={Object.keys(server).length ? null : create.error} />
                    <Group justify="flex-end">
                        <Button variant="default" onClick={close}>
                            {t('common.cancel')}
                        </Button>
                        <Button type="submit" loading={create.isPending} data-testid="batch-create">
                            {t('giftCards.issue')}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Modal>
    );
}

function SpecialCardModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const navigate = useNavigate();
    const queryClient = useQueryClient();
    const currency = useShopCurrency();
    const { key, settle } = useIdempotencyKey(opened);
    const [code, setCode] = useState('');
    const [value, setValue] = useState('');
    const [max, setMax] = useState('');
    const [expires, setExpires] = useState('');
    const [touched, setTouched] = useState(false);
    useEffect(() => {
        if (opened) {
            setCode('');
            setValue('');
            setMax('');
            setExpires('');
            setTouched(false);
        }
    }, [opened]);
    const minor = toMinorUnits(value, currency);
    const n = parseWhole(max, 1, 1_000_000_000);
    const at = expires ? fromLocalInput(expires) : null;
    const cleaned = code.replace(/[\s-]/g, '');
    const local: Record<string, string | undefined> = {
        code: /^[A-Za-z0-9_]{6,64}$/.test(cleaned) ? undefined : t('giftCards.specialCodeInvalid'),
        value: minor === null || minor <= 0 ? t('money.invalid') : undefined,
        max_redemptions: n === null ? t('coupons.limitInvalid') : undefined,
    };
    const invalid = Object.values(local).some(Boolean);
    const create = useMutation({
        mutationFn: () =>
            commerce.wallet.adminCreateSpecialGiftCard({
                idempotencyKey: key,
                specialGiftCardRequest: { code: code.trim(), value: minor ?? 0, maxRedemptions: n ?? 0, expiresAt: at },
            }),
        onSuccess: (c) => {
            notify(t('giftCards.specialCreated'));
            void queryClient.invalidateQueries({ queryKey: ['gift-cards'] });
            onClose();
            navigate(`/gift-cards/${c.id}`);
        },
        onError: settle,
    });
    const server = fieldErrors(create.error, tx);
    const err = (k: string) => (touched ? local[k] : undefined) ?? server[k];
    const close = () => {
        create.reset();
        onClose();
    };
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={opened} onClose={close} title={t('giftCards.newSpecial')} centered>
            <form
                noValidate
                onSubmit={(e: FormEvent) => {
                    e.preventDefault();
                    setTouched(true);
                    if (!invalid && !create.isPending) create.mutate();
                }}
            >
                <Stack>
                    <Text size="sm">{t('giftCards.newSpecialHint')}</Text>
                    <TextInput label={t('giftCards.code')} description={t('giftCards.specialCodeHint')} required autoComplete="off" maxLength={80} value={code} onChange={(e) => setCode(e.currentTarget.value.toUpperCase())} error={err('code')} classNames={{ input: 'mono' }} data-autofocus data-testid="special-code" />
                    <SimpleGrid cols={{ base: 1, sm: 2 }}>
                        <MoneyInput currency={currency} label={t('giftCards.value')} required value={value} onChange={(e) => setValue(e.currentTarget.value)} error={err('value')} data-testid="special-value" />
                        <TextInput label={t('giftCards.maxRedemptions')} description={t('giftCards.maxRedemptionsHint')} required inputMode="numeric" value={max} onChange={(e) => setMax(e.currentTarget.value)} error={err('max_redemptions')} data-testid="special-max" />
                    </SimpleGrid>
                    <TextInput type="datetime-local" label={t('giftCards.expires')} description={t('giftCards.expiresHint')} value={expires} onChange={(e) => setExpires(e.currentTarget.value)} error={server.expires_at} />
                    <ProblemAlert error={Object.keys(server).length ? null : create.error} />
                    <Group justify="flex-end">
                        <Button variant="default" onClick={close}>
                            {t('common.cancel')}
                        </Button>
                        <Button type="submit" loading={create.isPending} data-testid="special-create">
                            {t('giftCards.createSpecial')}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Modal>
    );
}

/** Find the card of a code (POST body: the code stays out of URLs, history and logs). */
function Lookup() {
    const { t } = useI18n();
    const navigate = useNavigate();
    const [code, setCode] = useState('');
    const lookup = useMutation({
        mutationFn: () => commerce.wallet.adminLookupGiftCard({ giftCardLookupRequest: { code: code.trim() } }),
        onSuccess: (c) => {
            setCode('');
            navigate(`/gift-cards/${c.id}`);
        },
    });
    return (
        <Paper withBorder p="md" mb="md">
            <form
                role="search"
                aria-label={t('giftCards.lookup')}
                autoComplete="off"
                onSubmit={(e: FormEvent) => {
                    e.preventDefault();
                    if (code.trim()) lookup.mutate();
                }}
            >
                <Group align="flex-end" wrap="wrap">
                    <TextInput
                        label={t('giftCards.lookup')}
                        description={t('giftCards.lookupHint')}
                        autoComplete="off"
                        spellCheck={false}
                        value={code}
                        onChange={(e) => {
                            setCode(e.currentTarget.value);
                            lookup.reset();
                        }}
                        leftSection={<IconSearch size={16} aria-hidden />}
                        classNames={{ input: 'mono' }}
                        w={360}
                        error={isStatus(lookup.error, 404) ? t('giftCards.lookupNotFound') : undefined}
                        data-testid="gift-lookup"
                    />
                    <Button type="submit" loading={lookup.isPending} data-testid="gift-lookup-submit">
                        {t('giftCards.find')}
                    </Button>
                </Group>
                {lookup.error && !isStatus(lookup.error, 404) ? (
                    <Stack mt="sm">
                        <ProblemAlert error={lookup.error} />
                    </Stack>
                ) : null}
            </form>
        </Paper>
    );
}

function Batches({ onCards }: { onCards: (b: GiftCardBatch) => void }) {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const { can } = useAuth();
    const gate = useWriteGate();
    const paging = useCursorPaging();
    const queryClient = useQueryClient();
    const list = useQuery({
        queryKey: ['gift-cards', 'batches', paging.cursor, paging.limit],
        queryFn: () => commerce.wallet.adminListGiftCardBatches({ limit: paging.limit, ...(paging.cursor ? { cursor: paging.cursor } : {}) }),
        placeholderData: keepPreviousData,
    });
    // The export is audited; its text/csv answer comes through the SDK's raw response.
    const exportCsv = useMutation({
        mutationFn: async (b: GiftCardBatch) => {
            const res = await commerce.wallet.adminExportGiftCardBatchRaw({ id: b.id });
            return { b, csv: await res.value() };
        },
        onSuccess: ({ b, csv }) => {
            const safe = b.name.replace(/[^\p{L}\p{N}_-]+/gu, '-').replace(/^-+|-+$/g, '') || 'batch';
            downloadText(csv, `gift-cards-${safe}-${shortId(b.id)}.csv`);
            notify(t('giftCards.exported', { name: b.name }));
            void queryClient.invalidateQueries({ queryKey: ['gift-cards', 'batches'] });
        },
        onError: (e) => notify(t('giftCards.exportFailed', { reason: problemMessage(e, tx) }), 'red'),
    });
    return (
        <>
            {list.isPending ? <TableSkeleton /> : null}
            {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
            {list.data && list.data.items.length === 0 ? <EmptyState>{t('giftCards.noBatches')}</EmptyState> : null}
            {list.data && list.data.items.length > 0 ? (
                <Table.ScrollContainer minWidth={960}>
                    <Table striped verticalSpacing="xs" data-testid="batches-table">
                        <Table.Thead>
                            <Table.Tr>
                                <Table.Th>{t('common.name')}</Table.Th>
                                <Table.Th>{t('giftCards.count')}</Table.Th>
                                <Table.Th>{t('giftCards.value')}</Table.Th>
                                <Table.Th>{t('giftCards.expires')}</Table.Th>
                                <Table.Th>{t('giftCards.createdBy')}</Table.Th>
                                <Table.Th>{t('common.created')}</Table.Th>
                                <Table.Th>{t('giftCards.exportedAt')}</Table.Th>
                                <Table.Th>{t('common.actions')}</Table.Th>
                            </Table.Tr>
                        </Table.Thead>
                        <Table.Tbody>
                            {list.data.items.map((b) => (
                                <Table.Tr key={b.id} data-testid="batch-row">
                                    <Table.Td fw={600}>{b.name}</Table.Td>
                                    <Table.Td>{b.count}</Table.Td>
                                    <Table.Td>
                                        <MoneyText value={b.value} />
                                    </Table.Td>
                                    <Table.Td>{b.expiresAt ? <When value={b.expiresAt} /> : t('giftCards.never')}</Table.Td>
                                    <Table.Td title={b.createdBy}>{issuer(b.createdBy, tx)}</Table.Td>
                                    <Table.Td>
                                        <When value={b.createdAt} />
                                    </Table.Td>
                                    <Table.Td data-testid="batch-exported">
                                        {b.exportedAt ? (
                                            <When value={b.exportedAt} />
                                        ) : (
                                            <Badge color="orange" variant="light">
                                                {t('giftCards.notExported')}
                                            </Badge>
                                        )}
                                    </Table.Td>
                                    <Table.Td>
                                        <Group gap={4} wrap="nowrap">
                                            <Button size="xs" variant="subtle" onClick={() => onCards(b)} aria-label={t('giftCards.cardsOf', { name: b.name })}>
                                                {t('giftCards.cards')}
                                            </Button>
                                            {can('gift_cards.export') ? (
                                                <Button
                                                    size="xs"
                                                    variant="light"
                                                    leftSection={<IconDownload size={14} aria-hidden />}
                                                    loading={exportCsv.isPending && exportCsv.variables?.id === b.id}
                                                    onClick={() => gate(() => exportCsv.mutate(b))}
                                                    aria-label={t('giftCards.exportFor', { name: b.name })}
                                                    data-testid="batch-export"
                                                >
                                                    {t('giftCards.export')}
                                                </Button>
                                            ) : null}
                                        </Group>
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
        </>
    );
}

function Cards({ values, set }: { values: Record<(typeof KEYS)[number], string>; set: ReturnType<typeof useFilters<(typeof KEYS)[number]>>['set'] }) {
    const { t, tx } = useI18n();
    const { can } = useAuth();
    const paging = useCursorPaging();
    const [redeemer, setRedeemer] = useState(values.redeemed_by);
    const [redeemerError, setRedeemerError] = useState<string | undefined>();
    useEffect(() => setRedeemer(values.redeemed_by), [values.redeemed_by]);
    const list = useQuery({
        queryKey: ['gift-cards', 'cards', values.batch, values.status, values.redeemed_by, paging.cursor, paging.limit],
        queryFn: () =>
            commerce.wallet.adminListGiftCards({
                ...(values.batch ? { batchId: values.batch } : {}),
                ...(values.status ? { status: values.status } : {}),
                ...(values.redeemed_by ? { redeemedBy: values.redeemed_by } : {}),
                limit: paging.limit,
                ...(paging.cursor ? { cursor: paging.cursor } : {}),
            }),
        placeholderData: keepPreviousData,
    });
    return (
        <>
            <form
                aria-label={t('giftCards.filters')}
                onSubmit={(e: FormEvent) => {
                    e.preventDefault();
                    const r = redeemer.trim();
                    if (r && !UUID.test(r)) {
                        setRedeemerError(t('orders.customerIdInvalid'));
                        return;
                    }
                    setRedeemerError(undefined);
                    set({ redeemed_by: r });
                }}
            >
                <Group align="flex-end" wrap="wrap" mb="md">
                    <Select
                        label={t('common.status')}
                        data={[{ value: '', label: t('common.all') }, ...GIFT_CARD_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))]}
                        value={values.status}
                        onChange={(v) => set({ status: v ?? '' })}
                        allowDeselect={false}
                        w={180}
                    />
                    <TextInput label={t('giftCards.redeemedBy')} placeholder={t('orders.customerId')} value={redeemer} onChange={(e) => setRedeemer(e.currentTarget.value)} error={redeemerError} w={340} />
                    <Button type="submit" variant="default">
                        {t('common.apply')}
                    </Button>
                    {values.batch ? (
                        <Badge size="lg" variant="light" color="blue" tt="none" rightSection={<CloseButton size="xs" aria-label={t('giftCards.clearBatch')} onClick={() => set({ batch: '' })} />}>
                            {t('giftCards.batchFilter', { id: shortId(values.batch) })}
                        </Badge>
                    ) : null}
                </Group>
            </form>
            {list.isPending ? <TableSkeleton /> : null}
            {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
            {list.data && list.data.items.length === 0 ? <EmptyState>{t('giftCards.noCards')}</EmptyState> : null}
            {list.data && list.data.items.length > 0 ? (
                <Table.ScrollContainer minWidth={860}>
                    <Table striped highlightOnHover verticalSpacing="xs" data-testid="cards-table">
                        <Table.Thead>
                            <Table.Tr>
                                <Table.Th>{t('giftCards.code')}</Table.Th>
                                <Table.Th>{t('giftCards.kind')}</Table.Th>
                                <Table.Th>{t('giftCards.value')}</Table.Th>
                                <Table.Th>{t('giftCards.redemptions')}</Table.Th>
                                <Table.Th>{t('giftCards.expires')}</Table.Th>
                                <Table.Th>{t('common.status')}</Table.Th>
                                <Table.Th>{t('common.created')}</Table.Th>
                            </Table.Tr>
                        </Table.Thead>
                        <Table.Tbody>
                            {list.data.items.map((c) => (
                                <Table.Tr key={c.id}>
                                    <Table.Td>
                                        <Anchor component={Link} to={`/gift-cards/${c.id}`} size="sm" className="mono" aria-label={t('giftCards.openCard', { hint: c.codeHint })}>
                                            {c.codeHint}
                                        </Anchor>
                                    </Table.Td>
                                    <Table.Td>{tx(`giftCardKind.${c.kind}`, c.kind)}</Table.Td>
                                    <Table.Td>
                                        <MoneyText value={c.value} />
                                    </Table.Td>
                                    <Table.Td>{t('giftCards.redemptionsValue', { n: c.redemptions, max: c.maxRedemptions })}</Table.Td>
                                    <Table.Td>{c.expiresAt ? <When value={c.expiresAt} /> : t('giftCards.never')}</Table.Td>
                                    <Table.Td>
                                        <StatusBadge status={giftCardStatus(c)} />
                                    </Table.Td>
                                    <Table.Td>
                                        <When value={c.createdAt} />
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
            {can('customers.read') && values.redeemed_by ? (
                <Text size="sm" mt="xs">
                    <Anchor component={Link} to={`/customers/${values.redeemed_by}`}>
                        {t('giftCards.openCustomer')}
                    </Anchor>
                </Text>
            ) : null}
        </>
    );
}

export default function GiftCardsPage() {
    const { t } = useI18n();
    const { can } = useAuth();
    const gate = useWriteGate();
    const { values, set } = useFilters(KEYS);
    const [creating, setCreating] = useState<'batch' | 'special' | null>(null);
    const tab = values.tab === 'cards' ? 'cards' : 'batches';

    return (
        <>
            <PageHeader
                title={t('giftCards.title')}
                description={t('giftCards.subtitle')}
                actions={
                    can('gift_cards.write') ? (
                        <>
                            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => gate(() => setCreating('batch'))} data-testid="batch-new">
                                {t('giftCards.newBatch')}
                            </Button>
                            <Button variant="default" leftSection={<IconPlus size={16} aria-hidden />} onClick={() => gate(() => setCreating('special'))} data-testid="special-new">
                                {t('giftCards.newSpecial')}
                            </Button>
                        </>
                    ) : null
                }
            />
            <NewBatchModal opened={creating === 'batch'} onClose={() => setCreating(null)} />
            <SpecialCardModal opened={creating === 'special'} onClose={() => setCreating(null)} />
            <Lookup />
            <Paper withBorder p="md">
                <Tabs value={tab} onChange={(v) => set({ tab: v === 'cards' ? 'cards' : '', batch: '', status: '', redeemed_by: '' })} keepMounted={false}>
                    <Tabs.List mb="md">
                        <Tabs.Tab value="batches" data-testid="tab-batches">
                            {t('giftCards.batches')}
                        </Tabs.Tab>
                        <Tabs.Tab value="cards" data-testid="tab-cards">
                            {t('giftCards.cards')}
                        </Tabs.Tab>
                    </Tabs.List>
                    <Tabs.Panel value="batches">
                        <Batches onCards={(b) => set({ tab: 'cards', batch: b.id })} />
                    </Tabs.Panel>
                    <Tabs.Panel value="cards">
                        <Cards values={values} set={set} />
                    </Tabs.Panel>
                </Tabs>
            </Paper>
        </>
    );
}
