// Orders (orders.read): newest first; filters (status, customer, order number, product,
// created between, in the browser's zone) in the URL so a search can be shared.

import { Anchor, Button, Group, Paper, Select, SimpleGrid, Table, Text, TextInput } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState, type ChangeEvent, type FormEvent } from 'react';
import { Link } from 'react-router';
import { commerce } from '../api/commerce';
import { useAuth } from '../auth/AuthContext';
import { PageHeader, Pager, StatusBadge, When } from '../components/bits';
import { MoneyText } from '../components/commerce';
import { EmptyState, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { useProductLookup } from '../lib/commerceQueries';
import { ORDER_STATUSES } from '../lib/domain';
import { fromLocalInput, shortId, toLocalInput } from '../lib/format';
import { useCursorPaging, useFilters } from '../lib/urlState';

const KEYS = ['status', 'user', 'trade_no', 'product', 'from', 'to'] as const;
type Key = (typeof KEYS)[number];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isoToLocal(iso: string): string {
    return iso ? toLocalInput(new Date(iso)) : '';
}

export default function OrdersPage() {
    const { t, tx } = useI18n();
    const { can } = useAuth();
    const { values, set } = useFilters(KEYS);
    const paging = useCursorPaging();
    const products = useProductLookup();
    const [draft, setDraft] = useState<Record<Key, string>>(values);
    const [userError, setUserError] = useState<string | undefined>();
    useEffect(() => setDraft(values), [values]);

    const list = useQuery({
        queryKey: ['orders', 'list', values, paging.cursor, paging.limit],
        queryFn: () =>
            commerce.orders.adminListOrders({
                ...(values.status ? { status: values.status } : {}),
                ...(values.user ? { userId: values.user } : {}),
                ...(values.trade_no ? { tradeNo: values.trade_no } : {}),
                ...(values.product ? { productId: values.product } : {}),
                ...(values.from ? { from: values.from } : {}),
                ...(values.to ? { to: values.to } : {}),
                limit: paging.limit,
                ...(paging.cursor ? { cursor: paging.cursor } : {}),
            }),
        placeholderData: keepPreviousData,
    });

    const apply = (e: FormEvent) => {
        e.preventDefault();
        const user = draft.user.trim();
        if (user && !UUID.test(user)) {
            setUserError(t('orders.customerIdInvalid'));
            return;
        }
        setUserError(undefined);
        set({ ...draft, user, trade_no: draft.trade_no.trim() });
    };
    const text = (k: Key) => ({
        value: draft[k],
        onChange: (e: ChangeEvent<HTMLInputElement>) => setDraft({ ...draft, [k]: e.currentTarget.value }),
    });
    const time = (k: 'from' | 'to') => ({
        value: isoToLocal(draft[k]),
        onChange: (e: ChangeEvent<HTMLInputElement>) => setDraft({ ...draft, [k]: fromLocalInput(e.currentTarget.value)?.toISOString() ?? '' }),
    });

    return (
        <>
            <PageHeader title={t('orders.title')} description={t('orders.subtitle')} />
            <Paper withBorder p="md" mb="md">
                <form onSubmit={apply} aria-label={t('orders.filters')}>
                    <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
                        <Select
                            label={t('common.status')}
                            data={[{ value: '', label: t('common.all') }, ...ORDER_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))]}
                            value={draft.status}
                            onChange={(v) => setDraft({ ...draft, status: v ?? '' })}
                            allowDeselect={false}
                            data-testid="orders-filter-status"
                        />
                        <TextInput label={t('orders.tradeNo')} placeholder={t('orders.tradeNoExample')} classNames={{ input: 'mono' }} {...text('trade_no')} data-testid="orders-filter-trade-no" />
                        <TextInput label={t('orders.customerId')} error={userError} {...text('user')} data-testid="orders-filter-user" />
                        <Select
                            label={t('orders.product')}
                            data={[{ value: '', label: t('common.all') }, ...products.items.map((p) => ({ value: p.id, label: p.name }))]}
                            value={draft.product}
                            onChange={(v) => setDraft({ ...draft, product: v ?? '' })}
                            allowDeselect={false}
                            searchable
                            disabled={!can('catalog.read')}
                        />
                        <TextInput type="datetime-local" label={t('orders.from')} {...time('from')} />
                        <TextInput type="datetime-local" label={t('orders.to')} {...time('to')} />
                    </SimpleGrid>
                    <Group mt="md" gap="xs">
                        <Button type="submit" data-testid="orders-filter-apply">
                            {t('common.apply')}
                        </Button>
                        <Button
                            variant="default"
                            onClick={() => {
                                setUserError(undefined);
                                set({ status: '', user: '', trade_no: '', product: '', from: '', to: '' });
                            }}
                        >
                            {t('common.clear')}
                        </Button>
                    </Group>
                </form>
            </Paper>
            <Paper withBorder p="md">
                {list.isPending ? <TableSkeleton /> : null}
                {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
                {list.data && list.data.items.length === 0 ? <EmptyState>{t('orders.empty')}</EmptyState> : null}
                {list.data && list.data.items.length > 0 ? (
                    <Table.ScrollContainer minWidth={1000}>
                        <Table striped highlightOnHover verticalSpacing="xs" data-testid="orders-table">
                            <Table.Thead>
                                <Table.Tr>
                                    <Table.Th>{t('orders.tradeNo')}</Table.Th>
                                    <Table.Th>{t('orders.customer')}</Table.Th>
                                    <Table.Th>{t('orders.product')}</Table.Th>
                                    <Table.Th>{t('orders.kind')}</Table.Th>
                                    <Table.Th>{t('orders.total')}</Table.Th>
                                    <Table.Th>{t('common.status')}</Table.Th>
                                    <Table.Th>{t('orders.paidVia')}</Table.Th>
                                    <Table.Th>{t('common.created')}</Table.Th>
                                </Table.Tr>
                            </Table.Thead>
                            <Table.Tbody>
                                {list.data.items.map((o) => (
                                    <Table.Tr key={o.id}>
                                        <Table.Td>
                                            <Anchor component={Link} to={`/orders/${o.id}`} size="sm" className="mono" fw={600}>
                                                {o.tradeNo}
                                            </Anchor>
                                        </Table.Td>
                                        <Table.Td>
                                            {can('customers.read') ? (
                                                <Anchor component={Link} to={`/customers/${o.userId}`} size="sm" className="mono" title={o.userId}>
                                                    {shortId(o.userId)}
                                                </Anchor>
                                            ) : (
                                                <Text span size="sm" className="mono" title={o.userId}>
                                                    {shortId(o.userId)}
                                                </Text>
                                            )}
                                        </Table.Td>
                                        <Table.Td>{o.productName}</Table.Td>
                                        <Table.Td>{tx(`orderKind.${o.kind}`, o.kind)}</Table.Td>
                                        <Table.Td>
                                            <MoneyText value={o.total} />
                                        </Table.Td>
                                        <Table.Td>
                                            <StatusBadge status={o.status} />
                                        </Table.Td>
                                        <Table.Td>{o.paidVia ? tx(`paidVia.${o.paidVia}`, o.paidVia) : '—'}</Table.Td>
                                        <Table.Td>
                                            <When value={o.createdAt} />
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
