// Affiliate commissions (affiliate.write): beneficiary (the referrer who earns), referee (the
// referred customer whose order earned it) and status filters in the URL, paged by cursor.

import { Anchor, Badge, Button, Group, Paper, Select, Table, Text, TextInput } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { service } from '../api/service';
import { useAuth } from '../auth/AuthContext';
import { PageHeader, Pager, When } from '../components/bits';
import { EmptyState, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { formatMoney, rateToPercent, shortId } from '../lib/format';
import { COMMISSION_STATUSES } from '../lib/service';
import { useCursorPaging, useFilters } from '../lib/urlState';

const KEYS = ['beneficiary', 'referee', 'status'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COLORS: Record<string, string> = { pending: 'blue', available: 'green', reversed: 'gray' };

function CustomerLink({ id }: { id: string }) {
    return (
        <Anchor component={Link} to={`/customers/${id}`} size="sm" className="mono" title={id}>
            {shortId(id)}
        </Anchor>
    );
}

export default function CommissionsPage() {
    const { t, tx, locale } = useI18n();
    const { can } = useAuth();
    const { values, set } = useFilters(KEYS);
    const paging = useCursorPaging();
    const [beneficiary, setBeneficiary] = useState(values.beneficiary);
    const [referee, setReferee] = useState(values.referee);
    useEffect(() => setBeneficiary(values.beneficiary), [values.beneficiary]);
    useEffect(() => setReferee(values.referee), [values.referee]);
    const badB = beneficiary.trim() !== '' && !UUID.test(beneficiary.trim());
    const badR = referee.trim() !== '' && !UUID.test(referee.trim());
    const list = useQuery({
        queryKey: ['commissions', values, paging.cursor, paging.limit],
        queryFn: () =>
            service.market.adminListCommissions({
                ...(values.beneficiary ? { beneficiaryId: values.beneficiary } : {}),
                ...(values.referee ? { refereeId: values.referee } : {}),
                ...(values.status ? { status: values.status } : {}),
                limit: paging.limit,
                ...(paging.cursor ? { cursor: paging.cursor } : {}),
            }),
        placeholderData: keepPreviousData,
    });
    return (
        <>
            <PageHeader title={t('commissions.title')} description={t('commissions.subtitle')} />
            <Paper withBorder p="md" mb="md">
                <form
                    role="search"
                    aria-label={t('commissions.searchForm')}
                    onSubmit={(e: FormEvent) => {
                        e.preventDefault();
                        if (!badB && !badR) set({ beneficiary: beneficiary.trim(), referee: referee.trim() });
                    }}
                >
                    <Group align="flex-end" wrap="wrap">
                        <TextInput label={t('commissions.beneficiary')} placeholder={t('tickets.idPlaceholder')} value={beneficiary} onChange={(e) => setBeneficiary(e.currentTarget.value)} error={badB ? t('tickets.idInvalid') : undefined} w={300} classNames={{ input: 'mono' }} data-testid="com-beneficiary" />
                        <TextInput label={t('commissions.referee')} placeholder={t('tickets.idPlaceholder')} value={referee} onChange={(e) => setReferee(e.currentTarget.value)} error={badR ? t('tickets.idInvalid') : undefined} w={300} classNames={{ input: 'mono' }} />
                        <Select
                            label={t('common.status')}
                            data={[{ value: '', label: t('common.all') }, ...COMMISSION_STATUSES.map((s) => ({ value: s, label: tx(`commissionStatus.${s}`, s) }))]}
                            value={values.status}
                            onChange={(v) => set({ status: v ?? '' })}
                            allowDeselect={false}
                            w={160}
                        />
                        <Button type="submit">{t('common.search')}</Button>
                    </Group>
                </form>
            </Paper>
            <Paper withBorder p="md">
                {list.isPending ? <TableSkeleton /> : null}
                {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
                {list.data && list.data.items.length === 0 ? <EmptyState>{t('commissions.empty')}</EmptyState> : null}
                {list.data && list.data.items.length > 0 ? (
                    <Table.ScrollContainer minWidth={960}>
                        <Table striped highlightOnHover verticalSpacing="xs" data-testid="commissions-table">
                            <Table.Thead>
                                <Table.Tr>
                                    <Table.Th>{t('commissions.beneficiary')}</Table.Th>
                                    <Table.Th>{t('commissions.referee')}</Table.Th>
                                    <Table.Th>{t('commissions.order')}</Table.Th>
                                    <Table.Th>{t('commissions.orderAmount')}</Table.Th>
                                    <Table.Th>{t('commissions.rate')}</Table.Th>
                                    <Table.Th>{t('commissions.amount')}</Table.Th>
                                    <Table.Th>{t('common.status')}</Table.Th>
                                    <Table.Th>{t('commissions.availableAt')}</Table.Th>
                                </Table.Tr>
                            </Table.Thead>
                            <Table.Tbody>
                                {list.data.items.map((c) => (
                                    <Table.Tr key={c.id}>
                                        <Table.Td>
                                            <CustomerLink id={c.beneficiaryId} />
                                        </Table.Td>
                                        <Table.Td>
                                            <CustomerLink id={c.refereeId} />
                                        </Table.Td>
                                        <Table.Td>
                                            {can('orders.read') ? (
                                                <Anchor component={Link} to={`/orders/${c.orderId}`} size="sm" className="mono">
                                                    {shortId(c.orderId)}
                                                </Anchor>
                                            ) : (
                                                <Text size="sm" className="mono">
                                                    {shortId(c.orderId)}
                                                </Text>
                                            )}
                                        </Table.Td>
                                        <Table.Td>{formatMoney(c.orderAmount.amount, c.orderAmount.currency, locale)}</Table.Td>
                                        <Table.Td>{rateToPercent(c.rate)} %</Table.Td>
                                        <Table.Td>{formatMoney(c.amount.amount, c.amount.currency, locale)}</Table.Td>
                                        <Table.Td>
                                            <Badge color={COLORS[c.status] ?? 'gray'} variant="light">
                                                {tx(`commissionStatus.${c.status}`, c.status)}
                                            </Badge>
                                            {c.reversedAt ? (
                                                <Text size="xs">
                                                    <When value={c.reversedAt} />
                                                </Text>
                                            ) : null}
                                        </Table.Td>
                                        <Table.Td>
                                            <When value={c.availableAt} />
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
