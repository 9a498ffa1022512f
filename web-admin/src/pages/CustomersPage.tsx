// Customer search: text (id, e-mail, name) and status, server-paginated; filters in the URL.

import { Anchor, Button, Group, Paper, Select, Table, TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client';
import { PageHeader, Pager, StatusBadge, When, YesNo } from '../components/bits';
import { EmptyState, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { CUSTOMER_STATUSES } from '../lib/domain';
import { useCursorPaging, useFilters } from '../lib/urlState';

const KEYS = ['q', 'status'] as const;

export default function CustomersPage() {
    const { t } = useI18n();
    const { values, set } = useFilters(KEYS);
    const paging = useCursorPaging();
    const [q, setQ] = useState(values.q);
    useEffect(() => setQ(values.q), [values.q]);

    const list = useQuery({
        queryKey: ['customers', values, paging.cursor, paging.limit],
        queryFn: () =>
            api.customers.adminListCustomers({
                ...(values.q ? { q: values.q } : {}),
                ...(values.status ? { status: values.status } : {}),
                limit: paging.limit,
                ...(paging.cursor ? { cursor: paging.cursor } : {}),
            }),
        placeholderData: keepPreviousData,
    });

    const submit = (e: FormEvent) => {
        e.preventDefault();
        set({ q: q.trim() });
    };

    return (
        <>
            <PageHeader title={t('customers.title')} description={t('customers.subtitle')} />
            <Paper withBorder p="md" mb="md">
                <form onSubmit={submit} role="search" aria-label={t('customers.searchForm')}>
                    <Group align="flex-end" wrap="wrap">
                        <TextInput
                            label={t('customers.search')}
                            placeholder={t('customers.searchPlaceholder')}
                            value={q}
                            onChange={(e) => setQ(e.currentTarget.value)}
                            leftSection={<IconSearch size={16} aria-hidden />}
                            w={320}
                            data-testid="customer-search"
                        />
                        <Select
                            label={t('common.status')}
                            data={[
                                { value: '', label: t('common.all') },
                                ...CUSTOMER_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) })),
                            ]}
                            value={values.status}
                            onChange={(v) => set({ status: v ?? '' })}
                            allowDeselect={false}
                            w={160}
                        />
                        <Button type="submit" data-testid="customer-search-submit">
                            {t('common.search')}
                        </Button>
                    </Group>
                </form>
            </Paper>
            <Paper withBorder p="md">
                {list.isPending ? <TableSkeleton /> : null}
                {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
                {list.data && list.data.items.length === 0 ? <EmptyState>{t('customers.empty')}</EmptyState> : null}
                {list.data && list.data.items.length > 0 ? (
                    <Table.ScrollContainer minWidth={720}>
                        <Table striped highlightOnHover verticalSpacing="xs" data-testid="customers-table">
                            <Table.Thead>
                                <Table.Tr>
                                    <Table.Th>{t('common.email')}</Table.Th>
                                    <Table.Th>{t('common.name')}</Table.Th>
                                    <Table.Th>{t('common.status')}</Table.Th>
                                    <Table.Th>{t('common.mfa')}</Table.Th>
                                    <Table.Th>{t('common.created')}</Table.Th>
                                </Table.Tr>
                            </Table.Thead>
                            <Table.Tbody>
                                {list.data.items.map((c) => (
                                    <Table.Tr key={c.id}>
                                        <Table.Td>
                                            <Anchor component={Link} to={`/customers/${c.id}`} size="sm">
                                                {c.email}
                                            </Anchor>
                                        </Table.Td>
                                        <Table.Td>{c.displayName ?? '—'}</Table.Td>
                                        <Table.Td>
                                            <StatusBadge status={c.status} />
                                        </Table.Td>
                                        <Table.Td>
                                            <YesNo value={c.mfaEnabled} />
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
                    <Pager
                        page={paging.page}
                        hasPrev={paging.hasPrev}
                        nextCursor={list.data.nextCursor}
                        onPrev={paging.prev}
                        onNext={paging.next}
                        limit={paging.limit}
                        onLimit={paging.setLimit}
                    />
                ) : null}
            </Paper>
        </>
    );
}
