// Staff accounts (admins.manage): filter by role and status, server-paginated.

import { Anchor, Button, Group, Paper, Select, Table } from '@mantine/core';
import { IconMailPlus } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { PageHeader, Pager, RoleBadge, StatusBadge, When, YesNo } from '../components/bits';
import { EmptyState, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { ADMIN_STATUSES, ROLES } from '../lib/domain';
import { useCursorPaging, useFilters } from '../lib/urlState';

const KEYS = ['role', 'status'] as const;

export default function StaffPage() {
    const { t } = useI18n();
    const { can } = useAuth();
    const { values, set } = useFilters(KEYS);
    const paging = useCursorPaging();
    const list = useQuery({
        queryKey: ['admins', values, paging.cursor, paging.limit],
        queryFn: () =>
            api.admin.adminListAdmins({
                ...(values.role ? { role: values.role } : {}),
                ...(values.status ? { status: values.status } : {}),
                limit: paging.limit,
                ...(paging.cursor ? { cursor: paging.cursor } : {}),
            }),
        placeholderData: keepPreviousData,
    });

    return (
        <>
            <PageHeader
                title={t('staff.title')}
                description={t('staff.subtitle')}
                actions={
                    can('invitations.manage') ? (
                        <Button component={Link} to="/invitations?new=1" leftSection={<IconMailPlus size={16} aria-hidden />}>
                            {t('invite.new')}
                        </Button>
                    ) : null
                }
            />
            <Paper withBorder p="md" mb="md">
                <Group wrap="wrap">
                    <Select
                        label={t('common.role')}
                        data={[{ value: '', label: t('common.all') }, ...ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))]}
                        value={values.role}
                        onChange={(v) => set({ role: v ?? '' })}
                        allowDeselect={false}
                        w={200}
                    />
                    <Select
                        label={t('common.status')}
                        data={[{ value: '', label: t('common.all') }, ...ADMIN_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))]}
                        value={values.status}
                        onChange={(v) => set({ status: v ?? '' })}
                        allowDeselect={false}
                        w={160}
                    />
                </Group>
            </Paper>
            <Paper withBorder p="md">
                {list.isPending ? <TableSkeleton /> : null}
                {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
                {list.data && list.data.items.length === 0 ? <EmptyState /> : null}
                {list.data && list.data.items.length > 0 ? (
                    <Table.ScrollContainer minWidth={800}>
                        <Table striped highlightOnHover verticalSpacing="xs" data-testid="staff-table">
                            <Table.Thead>
                                <Table.Tr>
                                    <Table.Th>{t('common.name')}</Table.Th>
                                    <Table.Th>{t('common.email')}</Table.Th>
                                    <Table.Th>{t('common.role')}</Table.Th>
                                    <Table.Th>{t('common.status')}</Table.Th>
                                    <Table.Th>{t('common.mfa')}</Table.Th>
                                    <Table.Th>{t('staff.passwordSet')}</Table.Th>
                                    <Table.Th>{t('common.created')}</Table.Th>
                                </Table.Tr>
                            </Table.Thead>
                            <Table.Tbody>
                                {list.data.items.map((a) => (
                                    <Table.Tr key={a.id}>
                                        <Table.Td>
                                            <Anchor component={Link} to={`/staff/${a.id}`} size="sm">
                                                {a.name}
                                            </Anchor>
                                        </Table.Td>
                                        <Table.Td>{a.email ?? '—'}</Table.Td>
                                        <Table.Td>
                                            <RoleBadge role={a.role} />
                                        </Table.Td>
                                        <Table.Td>
                                            <StatusBadge status={a.status} />
                                        </Table.Td>
                                        <Table.Td>
                                            <YesNo value={a.mfaEnabled} />
                                        </Table.Td>
                                        <Table.Td>
                                            <YesNo value={a.passwordSet} />
                                        </Table.Td>
                                        <Table.Td>
                                            <When value={a.createdAt} />
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
