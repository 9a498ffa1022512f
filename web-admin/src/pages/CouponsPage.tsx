// Coupons (coupons.read; changes coupons.write): a percentage (typed in percent, sent as a
// decimal rate) or a fixed amount off, a validity window, overall and per-customer limits, a
// minimum order and optionally some products. Search by code and active filter in the URL.

import { Anchor, Button, Group, Input, Modal, MultiSelect, Paper, SegmentedControl, Select, SimpleGrid, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { IconPlus, IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { commerce } from '../api/commerce';
import { fieldErrors } from '../api/errors';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { PageHeader, Pager, StatusBadge, When } from '../components/bits';
import { MoneyInput, useDiscountLabel } from '../components/commerce';
import { useNotify } from '../components/notify';
import { EmptyState, ProblemAlert, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { useProductLookup, useShopCurrency } from '../lib/commerceQueries';
import { couponStatus } from '../lib/domain';
import { formatMoney, fromLocalInput, parseWhole, percentToRate, toLocalInput, toMinorUnits } from '../lib/format';
import { useCursorPaging, useFilters } from '../lib/urlState';

const KEYS = ['q', 'active', 'new'] as const;
const DAY = 86_400_000;

function NewCouponModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const { can } = useAuth();
    const queryClient = useQueryClient();
    const currency = useShopCurrency();
    const products = useProductLookup();
    const [code, setCode] = useState('');
    const [type, setType] = useState<'percentage' | 'fixed'>('percentage');
    const [percent, setPercent] = useState('');
    const [amount, setAmount] = useState('');
    const [startsAt, setStartsAt] = useState('');
    const [endsAt, setEndsAt] = useState('');
    const [maxUses, setMaxUses] = useState('');
    const [perUser, setPerUser] = useState('1');
    const [minAmount, setMinAmount] = useState('');
    const [productIds, setProductIds] = useState<string[]>([]);
    const [active, setActive] = useState(true);
    const [touched, setTouched] = useState(false);
    useEffect(() => {
        if (!opened) return;
        setCode('');
        setType('percentage');
        setPercent('');
        setAmount('');
        setStartsAt('');
        setEndsAt(toLocalInput(new Date(Date.now() + 30 * DAY)));
        setMaxUses('');
        setPerUser('1');
        setMinAmount('');
        setProductIds([]);
        setActive(true);
        setTouched(false);
    }, [opened]);

    const rate = type === 'percentage' ? percentToRate(percent) : null;
    const off = type === 'fixed' ? toMinorUnits(amount, currency) : null;
    const starts = startsAt ? fromLocalInput(startsAt) : null;
    const ends = fromLocalInput(endsAt);
    const max = maxUses.trim() ? parseWhole(maxUses, 1, 2_000_000_000) : null;
    const per = parseWhole(perUser, 1, 2_000_000_000);
    const min = minAmount.trim() ? toMinorUnits(minAmount, currency) : null;
    const local: Record<string, string | undefined> = {
        code: /^[A-Za-z0-9_-]{3,64}$/.test(code.trim()) ? undefined : t('coupons.codeInvalid'),
        rate: type === 'percentage' && rate === null ? t('coupons.percentInvalid') : undefined,
        amount: type === 'fixed' && (off === null || off <= 0) ? t('money.invalid') : undefined,
        ends_at: !ends ? t('field.required') : ends.getTime() <= (starts ?? new Date()).getTime() ? t('coupons.endsBeforeStart') : undefined,
        max_uses: maxUses.trim() && max === null ? t('coupons.limitInvalid') : undefined,
        max_uses_per_user: per === null ? t('coupons.limitInvalid') : undefined,
        min_amount: minAmount.trim() && min === null ? t('money.invalid') : undefined,
    };
    const invalid = Object.values(local).some(Boolean);

    const create = useMutation({
        mutationFn: () =>
            commerce.catalog.adminCreateCoupon({
                couponCreateRequest: {
                    code: code.trim(),
                    discountType: type,
                    ...(type === 'percentage' ? { rate } : { amount: off }),
                    ...(starts ? { startsAt: starts } : {}),
                    endsAt: ends ?? new Date(),
                    maxUses: max,
                    maxUsesPerUser: per ?? 1,
                    minAmount: min,
                    productIds,
                    active,
                },
            }),
        onSuccess: (c) => {
            notify(t('coupons.created', { code: c.code }));
            void queryClient.invalidateQueries({ queryKey: ['coupons'] });
            onClose();
        },
    });
    const server = fieldErrors(create.error, tx);
    const err = (k: string) => (touched ? local[k] : undefined) ?? server[k];
    const close = () => {
        create.reset();
        onClose();
    };
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={opened} onClose={close} title={t('coupons.new')} centered size="lg">
            <form
                noValidate
                onSubmit={(e: FormEvent) => {
                    e.preventDefault();
                    setTouched(true);
                    if (!invalid) create.mutate();
                }}
            >
                <Stack>
                    <TextInput label={t('coupons.code')} description={t('coupons.codeHint')} required maxLength={64} value={code} onChange={(e) => setCode(e.currentTarget.value.toUpperCase())} error={err('code')} classNames={{ input: 'mono' }} data-autofocus data-testid="coupon-code" />
                    <Input.Wrapper label={t('coupons.discount')}>
                        <div>
                            <SegmentedControl
                                aria-label={t('coupons.discount')}
                                value={type}
                                onChange={(v) => setType(v as 'percentage' | 'fixed')}
                                data={[
                                    { value: 'percentage', label: t('discountType.percentage') },
                                    { value: 'fixed', label: t('discountType.fixed') },
                                ]}
                                data-testid="coupon-type"
                            />
                        </div>
                    </Input.Wrapper>
                    {type === 'percentage' ? (
                        <TextInput
                            label={t('coupons.percent')}
                            description={t('coupons.percentHint')}
                            required
                            inputMode="decimal"
                            rightSection={<Text size="sm" aria-hidden>%</Text>}
                            value={percent}
                            onChange={(e) => setPercent(e.currentTarget.value)}
                            error={err('rate')}
                            data-testid="coupon-percent"
                        />
                    ) : (
                        <MoneyInput currency={currency} label={t('coupons.amount')} required value={amount} onChange={(e) => setAmount(e.currentTarget.value)} error={err('amount')} data-testid="coupon-amount" />
                    )}
                    <SimpleGrid cols={{ base: 1, sm: 2 }}>
                        <TextInput type="datetime-local" label={t('coupons.startsAt')} description={t('coupons.startsHint')} value={startsAt} onChange={(e) => setStartsAt(e.currentTarget.value)} error={err('starts_at')} />
                        <TextInput type="datetime-local" label={t('coupons.endsAt')} description={t('coupons.zoneHint')} required value={endsAt} onChange={(e) => setEndsAt(e.currentTarget.value)} error={err('ends_at')} data-testid="coupon-ends" />
                        <TextInput label={t('coupons.maxUses')} description={t('coupons.maxUsesHint')} inputMode="numeric" value={maxUses} onChange={(e) => setMaxUses(e.currentTarget.value)} error={err('max_uses')} data-testid="coupon-max-uses" />
                        <TextInput label={t('coupons.perUser')} required inputMode="numeric" value={perUser} onChange={(e) => setPerUser(e.currentTarget.value)} error={err('max_uses_per_user')} />
                        <MoneyInput currency={currency} label={t('coupons.minAmount')} description={t('coupons.minAmountHint')} value={minAmount} onChange={(e) => setMinAmount(e.currentTarget.value)} error={err('min_amount')} />
                    </SimpleGrid>
                    {can('catalog.read') ? (
                        <MultiSelect
                            label={t('coupons.products')}
                            description={t('coupons.productsHint')}
                            data={products.items.map((p) => ({ value: p.id, label: p.name }))}
                            value={productIds}
                            onChange={setProductIds}
                            searchable
                            clearable
                            error={server.product_ids}
                        />
                    ) : null}
                    <Switch label={t('coupons.active')} checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
                    <ProblemAlert error={Object.keys(server).length ? null : create.error} />
                    <Group justify="flex-end">
                        <Button variant="default" onClick={close}>
                            {t('common.cancel')}
                        </Button>
                        <Button type="submit" loading={create.isPending} data-testid="coupon-create">
                            {t('coupons.create')}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Modal>
    );
}

export default function CouponsPage() {
    const { t, locale } = useI18n();
    const { can } = useAuth();
    const gate = useWriteGate();
    const currency = useShopCurrency();
    const discount = useDiscountLabel();
    const { values, set } = useFilters(KEYS);
    const paging = useCursorPaging();
    const [q, setQ] = useState(values.q);
    useEffect(() => setQ(values.q), [values.q]);
    const list = useQuery({
        queryKey: ['coupons', 'list', values.q, values.active, paging.cursor, paging.limit],
        queryFn: () =>
            commerce.catalog.adminListCoupons({
                ...(values.q ? { q: values.q } : {}),
                ...(values.active ? { active: values.active === 'true' } : {}),
                limit: paging.limit,
                ...(paging.cursor ? { cursor: paging.cursor } : {}),
            }),
        placeholderData: keepPreviousData,
    });

    return (
        <>
            <PageHeader
                title={t('coupons.title')}
                description={t('coupons.subtitle')}
                actions={
                    can('coupons.write') ? (
                        <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => gate(() => set({ new: '1' }, { keepPage: true }))} data-testid="coupon-new">
                            {t('coupons.new')}
                        </Button>
                    ) : null
                }
            />
            <NewCouponModal opened={values.new === '1'} onClose={() => set({ new: '' }, { keepPage: true })} />
            <Paper withBorder p="md" mb="md">
                <form
                    role="search"
                    aria-label={t('coupons.searchForm')}
                    onSubmit={(e: FormEvent) => {
                        e.preventDefault();
                        set({ q: q.trim() });
                    }}
                >
                    <Group align="flex-end" wrap="wrap">
                        <TextInput label={t('coupons.code')} placeholder={t('coupons.searchPlaceholder')} value={q} onChange={(e) => setQ(e.currentTarget.value)} leftSection={<IconSearch size={16} aria-hidden />} w={260} data-testid="coupon-search" />
                        <Select
                            label={t('coupons.active')}
                            data={[
                                { value: '', label: t('common.all') },
                                { value: 'true', label: t('coupons.activeOnly') },
                                { value: 'false', label: t('coupons.inactiveOnly') },
                            ]}
                            value={values.active}
                            onChange={(v) => set({ active: v ?? '' })}
                            allowDeselect={false}
                            w={180}
                        />
                        <Button type="submit">{t('common.search')}</Button>
                    </Group>
                </form>
            </Paper>
            <Paper withBorder p="md">
                {list.isPending ? <TableSkeleton /> : null}
                {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
                {list.data && list.data.items.length === 0 ? <EmptyState>{t('coupons.empty')}</EmptyState> : null}
                {list.data && list.data.items.length > 0 ? (
                    <Table.ScrollContainer minWidth={960}>
                        <Table striped highlightOnHover verticalSpacing="xs" data-testid="coupons-table">
                            <Table.Thead>
                                <Table.Tr>
                                    <Table.Th>{t('coupons.code')}</Table.Th>
                                    <Table.Th>{t('coupons.discount')}</Table.Th>
                                    <Table.Th>{t('coupons.validity')}</Table.Th>
                                    <Table.Th>{t('coupons.uses')}</Table.Th>
                                    <Table.Th>{t('coupons.minAmount')}</Table.Th>
                                    <Table.Th>{t('common.status')}</Table.Th>
                                </Table.Tr>
                            </Table.Thead>
                            <Table.Tbody>
                                {list.data.items.map((c) => (
                                    <Table.Tr key={c.id}>
                                        <Table.Td>
                                            <Anchor component={Link} to={`/coupons/${c.id}`} size="sm" fw={600} className="mono">
                                                {c.code}
                                            </Anchor>
                                        </Table.Td>
                                        <Table.Td>{discount(c, currency)}</Table.Td>
                                        <Table.Td>
                                            <Text size="sm">
                                                <When value={c.startsAt} /> – <When value={c.endsAt} />
                                            </Text>
                                        </Table.Td>
                                        <Table.Td>
                                            {t('coupons.usesValue', { uses: c.uses, max: c.maxUses ?? '∞' })}
                                            {' · '}
                                            {t('coupons.perUserValue', { n: c.maxUsesPerUser })}
                                        </Table.Td>
                                        <Table.Td>{c.minAmount ? formatMoney(c.minAmount, currency, locale) : '—'}</Table.Td>
                                        <Table.Td>
                                            <StatusBadge status={couponStatus(c)} />
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
