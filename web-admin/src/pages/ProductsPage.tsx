// Products (catalog.read; changes catalog.write): a price for a package series, shown to some
// customer groups. Filters (on sale, series) in the URL; archived products are not listed.

import { Anchor, Badge, Button, Group, Modal, Paper, Select, Stack, Table, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { commerce } from '../api/commerce';
import { fieldErrors } from '../api/errors';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { PageHeader, Pager } from '../components/bits';
import { GroupBadges, MoneyText } from '../components/commerce';
import { useNotify } from '../components/notify';
import { checkProduct, productDraft, ProductFields, type ProductDraft } from '../components/ProductForm';
import { EmptyState, ProblemAlert, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { useGroups, useSeriesLookup, useShopCurrency } from '../lib/commerceQueries';
import { bytesToGb } from '../lib/format';
import { useCursorPaging, useFilters } from '../lib/urlState';

const KEYS = ['on_sale', 'series', 'new'] as const;

function NewProductModal({ opened, seriesId, onClose }: { opened: boolean; seriesId: string; onClose: () => void }) {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const queryClient = useQueryClient();
    const currency = useShopCurrency();
    const groups = useGroups();
    const [draft, setDraft] = useState<ProductDraft>(() => productDraft(undefined));
    const [touched, setTouched] = useState(false);
    const groupsReady = groups.isSuccess;
    // Every new customer joins the default group: start with it, so the product is visible
    // (a product in no group is seen by nobody). Once, when the dialog opens and groups are in.
    useEffect(() => {
        if (!opened) return;
        setDraft(productDraft(undefined, { seriesId, groupIds: groups.items.filter((g) => g.isDefault).map((g) => g.id) }));
        setTouched(false);
    }, [opened, seriesId, groupsReady]);
    const checked = checkProduct(draft, currency, t);
    const create = useMutation({
        mutationFn: () =>
            commerce.catalog.adminCreateProduct({
                productCreateRequest: {
                    name: draft.name.trim(),
                    description: draft.description.trim() || null,
                    price: checked.price ?? 0,
                    packageSeriesId: draft.seriesId,
                    groupIds: draft.groupIds,
                    onSale: draft.onSale,
                    sort: checked.sort ?? 0,
                    commissionEligible: draft.commissionEligible,
                },
            }),
        onSuccess: (p) => {
            notify(t('products.created', { name: p.name }));
            void queryClient.invalidateQueries({ queryKey: ['products'] });
            void queryClient.invalidateQueries({ queryKey: ['shop-currency'] });
            onClose();
        },
    });
    const server = fieldErrors(create.error, tx);
    const errors = { ...(touched ? checked.errors : {}), ...server };
    const close = () => {
        create.reset();
        onClose();
    };
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={opened} onClose={close} title={t('products.new')} centered size="lg">
            <form
                noValidate
                onSubmit={(e: FormEvent) => {
                    e.preventDefault();
                    setTouched(true);
                    if (Object.keys(checked.errors).length === 0) create.mutate();
                }}
            >
                <Stack>
                    <ProductFields draft={draft} onChange={setDraft} currency={currency} errors={errors} />
                    <ProblemAlert error={Object.keys(server).length ? null : create.error} />
                    <Group justify="flex-end">
                        <Button variant="default" onClick={close}>
                            {t('common.cancel')}
                        </Button>
                        <Button type="submit" loading={create.isPending} data-testid="product-create">
                            {t('products.create')}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Modal>
    );
}

export default function ProductsPage() {
    const { t, locale } = useI18n();
    const { can } = useAuth();
    const gate = useWriteGate();
    const { values, set } = useFilters(KEYS);
    const paging = useCursorPaging();
    const series = useSeriesLookup();
    const groups = useGroups();
    const list = useQuery({
        queryKey: ['products', 'list', values.on_sale, values.series, paging.cursor, paging.limit],
        queryFn: () =>
            commerce.catalog.adminListProducts({
                ...(values.on_sale ? { onSale: values.on_sale === 'true' } : {}),
                ...(values.series ? { seriesId: values.series } : {}),
                limit: paging.limit,
                ...(paging.cursor ? { cursor: paging.cursor } : {}),
            }),
        placeholderData: keepPreviousData,
    });

    return (
        <>
            <PageHeader
                title={t('products.title')}
                description={t('products.subtitle')}
                actions={
                    can('catalog.write') ? (
                        <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => gate(() => set({ new: '1' }, { keepPage: true }))} data-testid="product-new">
                            {t('products.new')}
                        </Button>
                    ) : null
                }
            />
            <NewProductModal opened={values.new === '1'} seriesId={values.series} onClose={() => set({ new: '' }, { keepPage: true })} />
            <Paper withBorder p="md" mb="md">
                <Group align="flex-end" wrap="wrap">
                    <Select
                        label={t('products.onSale')}
                        data={[
                            { value: '', label: t('common.all') },
                            { value: 'true', label: t('products.onSaleOnly') },
                            { value: 'false', label: t('products.offSaleOnly') },
                        ]}
                        value={values.on_sale}
                        onChange={(v) => set({ on_sale: v ?? '' })}
                        allowDeselect={false}
                        w={180}
                    />
                    <Select
                        label={t('products.series')}
                        data={[{ value: '', label: t('common.all') }, ...series.items.map((s) => ({ value: s.id, label: s.name }))]}
                        value={values.series}
                        onChange={(v) => set({ series: v ?? '' })}
                        allowDeselect={false}
                        searchable
                        w={260}
                        data-testid="products-filter-series"
                    />
                </Group>
            </Paper>
            <Paper withBorder p="md">
                {list.isPending ? <TableSkeleton /> : null}
                {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
                {list.data && list.data.items.length === 0 ? <EmptyState>{t('products.empty')}</EmptyState> : null}
                {list.data && list.data.items.length > 0 ? (
                    <Table.ScrollContainer minWidth={900}>
                        <Table striped highlightOnHover verticalSpacing="xs" data-testid="products-table">
                            <Table.Thead>
                                <Table.Tr>
                                    <Table.Th>{t('common.name')}</Table.Th>
                                    <Table.Th>{t('products.series')}</Table.Th>
                                    <Table.Th>{t('products.price')}</Table.Th>
                                    <Table.Th>{t('products.terms')}</Table.Th>
                                    <Table.Th>{t('products.groups')}</Table.Th>
                                    <Table.Th>{t('products.onSale')}</Table.Th>
                                    <Table.Th>{t('products.sort')}</Table.Th>
                                </Table.Tr>
                            </Table.Thead>
                            <Table.Tbody>
                                {list.data.items.map((p) => {
                                    const v = p.currentVersion;
                                    return (
                                        <Table.Tr key={p.id}>
                                            <Table.Td>
                                                <Anchor component={Link} to={`/products/${p.id}`} size="sm" fw={600}>
                                                    {p.name}
                                                </Anchor>
                                            </Table.Td>
                                            <Table.Td>
                                                <Anchor component={Link} to={`/packages/${p.packageSeriesId}`} size="sm">
                                                    {series.byId.get(p.packageSeriesId)?.name ?? p.packageSeriesId.slice(0, 8)}
                                                </Anchor>
                                            </Table.Td>
                                            <Table.Td>
                                                <MoneyText value={p.price} />
                                            </Table.Td>
                                            <Table.Td>
                                                {v ? (
                                                    <Text size="sm">
                                                        {t('products.termsValue', {
                                                            version: v.version,
                                                            gb: bytesToGb(v.entitlements.trafficBytes, locale),
                                                            days: v.entitlements.durationDays,
                                                        })}
                                                    </Text>
                                                ) : (
                                                    <Badge color="orange" variant="light">
                                                        {t('packages.notPublished')}
                                                    </Badge>
                                                )}
                                            </Table.Td>
                                            <Table.Td>
                                                <GroupBadges
                                                    ids={p.groupIds}
                                                    names={groups.byId}
                                                    empty={
                                                        <Badge color="orange" variant="light">
                                                            {t('products.nobody')}
                                                        </Badge>
                                                    }
                                                />
                                            </Table.Td>
                                            <Table.Td>
                                                <Badge color={p.onSale ? 'green' : 'gray'} variant="light">
                                                    {p.onSale ? t('products.onSaleYes') : t('products.onSaleNo')}
                                                </Badge>
                                            </Table.Td>
                                            <Table.Td>{p.sort}</Table.Td>
                                        </Table.Tr>
                                    );
                                })}
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
