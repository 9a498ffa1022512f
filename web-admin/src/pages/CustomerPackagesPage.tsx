// Customer packages (customers.read): what delivered orders gave customers — not the catalog's
// package series (the Packages screen). Newest first; customer and status filters in the URL;
// cancel a queued or active one with a reason (packages.cancel).

import type { Package } from '@helium/sdk';
import { Button, Group, Paper, Select, SimpleGrid, TextInput } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { telecom } from '../api/telecom';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { PageHeader, Pager } from '../components/bits';
import { CancelPackageModal, PackagesTable } from '../components/CustomerPackages';
import { EmptyState, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { PACKAGE_STATUSES } from '../lib/domain';
import { useCursorPaging, useFilters } from '../lib/urlState';

const KEYS = ['user', 'status'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default function CustomerPackagesPage() {
    const { t } = useI18n();
    const { can } = useAuth();
    const gate = useWriteGate();
    const { values, set } = useFilters(KEYS);
    const paging = useCursorPaging();
    const [user, setUser] = useState(values.user);
    const [userError, setUserError] = useState<string | undefined>();
    const [cancelling, setCancelling] = useState<Package | null>(null);
    useEffect(() => setUser(values.user), [values.user]);
    const userFilter = UUID.test(values.user) ? values.user : '';
    const list = useQuery({
        queryKey: ['packages', 'list', userFilter, values.status, paging.cursor, paging.limit],
        queryFn: () =>
            telecom.adminListPackages({
                ...(userFilter ? { userId: userFilter } : {}),
                ...(values.status ? { status: values.status } : {}),
                limit: paging.limit,
                ...(paging.cursor ? { cursor: paging.cursor } : {}),
            }),
        placeholderData: keepPreviousData,
    });
    const apply = (e: FormEvent) => {
        e.preventDefault();
        const u = user.trim();
        if (u && !UUID.test(u)) {
            setUserError(t('orders.customerIdInvalid'));
            return;
        }
        setUserError(undefined);
        set({ user: u });
    };

    return (
        <>
            <PageHeader title={t('customerPackages.title')} description={t('customerPackages.subtitle')} />
            <Paper withBorder p="md" mb="md">
                <form onSubmit={apply} aria-label={t('customerPackages.filters')}>
                    <SimpleGrid cols={{ base: 1, sm: 3 }}>
                        <TextInput label={t('orders.customerId')} value={user} onChange={(e) => setUser(e.currentTarget.value)} error={userError} className="mono" data-testid="packages-filter-user" />
                        <Select
                            label={t('common.status')}
                            data={[{ value: '', label: t('common.all') }, ...PACKAGE_STATUSES.map((s) => ({ value: s, label: t(`packageStatus.${s}`) }))]}
                            value={values.status}
                            onChange={(v) => set({ status: v ?? '' })}
                            allowDeselect={false}
                            data-testid="packages-filter-status"
                        />
                    </SimpleGrid>
                    <Group mt="md" gap="xs">
                        <Button type="submit" data-testid="packages-filter-apply">
                            {t('common.apply')}
                        </Button>
                        <Button
                            variant="default"
                            onClick={() => {
                                setUserError(undefined);
                                set({ user: '', status: '' });
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
                {list.data && list.data.items.length === 0 ? <EmptyState>{t('customerPackages.empty')}</EmptyState> : null}
                {list.data && list.data.items.length > 0 ? (
                    <PackagesTable packages={list.data.items} showCustomer {...(can('packages.cancel') ? { onCancel: (p: Package) => gate(() => setCancelling(p)) } : {})} />
                ) : null}
                {list.data ? (
                    <Pager page={paging.page} hasPrev={paging.hasPrev} nextCursor={list.data.nextCursor} onPrev={paging.prev} onNext={paging.next} limit={paging.limit} onLimit={paging.setLimit} />
                ) : null}
            </Paper>
            <CancelPackageModal pkg={cancelling} onClose={() => setCancelling(null)} />
        </>
    );
}
