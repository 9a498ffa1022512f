// Customers' packages (what delivered orders gave them): the table shared by the Customer
// packages screen and a customer's page, the cancel dialog (packages.cancel, with a required
// reason; the customer's next queued package activates; money is not returned), and the card
// of one customer's packages, paged by cursor.

import type { Package } from '@helium/sdk';
import { Anchor, Badge, Button, Card, Group, Select, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { problemCode } from '../api/errors';
import { telecom } from '../api/telecom';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { useI18n } from '../i18n';
import { PACKAGE_STATUSES } from '../lib/domain';
import { formatBytes, formatNumber, shortId } from '../lib/format';
import { packageCancellable } from '../lib/telecom';
import { Pager, When } from './bits';
import { ReasonModal } from './dialogs';
import { useNotify } from './notify';
import { EmptyState, ProblemState, TableSkeleton } from './states';

const PACKAGE_COLORS: Record<string, string> = { active: 'green', in_queue: 'blue', consumed: 'gray', cancelled: 'red' };

export function PackageStatus({ p }: { p: Package }) {
    const { t, tx } = useI18n();
    const badge = (
        <Badge color={PACKAGE_COLORS[p.status] ?? 'gray'} variant="light" data-testid="package-status" data-status={p.status}>
            {tx(`packageStatus.${p.status}`, p.status)}
        </Badge>
    );
    return (
        <Group gap={4} wrap="nowrap">
            {p.endReason ? (
                <Tooltip label={p.endReason} withArrow multiline maw={320}>
                    {badge}
                </Tooltip>
            ) : (
                badge
            )}
            {p.status === 'in_queue' && p.position ? (
                <Text span size="xs" data-testid="package-position">
                    {t('customerPackages.position', { n: p.position })}
                </Text>
            ) : null}
        </Group>
    );
}

function Traffic({ p }: { p: Package }) {
    const { t, locale } = useI18n();
    return (
        <Text span size="sm" title={t('customerPackages.upDown', { up: formatBytes(p.upload, locale), down: formatBytes(p.download, locale) })}>
            {t('customerPackages.usedOf', { used: formatBytes(p.used, locale), total: formatBytes(p.trafficBytes, locale) })}
        </Text>
    );
}

export function PackagesTable({ packages, showCustomer, onCancel }: { packages: readonly Package[]; showCustomer?: boolean; onCancel?: (p: Package) => void }) {
    const { t, locale } = useI18n();
    const { can } = useAuth();
    return (
        <Table.ScrollContainer minWidth={1000}>
            <Table striped verticalSpacing="xs" data-testid="packages-table">
                <Table.Thead>
                    <Table.Tr>
                        <Table.Th>{t('common.name')}</Table.Th>
                        {showCustomer ? <Table.Th>{t('orders.customer')}</Table.Th> : null}
                        <Table.Th>{t('common.status')}</Table.Th>
                        <Table.Th>{t('customerPackages.traffic')}</Table.Th>
                        <Table.Th>{t('version.duration')}</Table.Th>
                        <Table.Th>{t('customerPackages.activated')}</Table.Th>
                        <Table.Th>{t('customerPackages.expires')}</Table.Th>
                        <Table.Th>{t('customerPackages.order')}</Table.Th>
                        {onCancel ? <Table.Th>{t('common.actions')}</Table.Th> : null}
                    </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                    {packages.map((p) => (
                        <Table.Tr key={p.id} data-testid="package-row" data-package-id={p.id}>
                            <Table.Td fw={600}>{p.name}</Table.Td>
                            {showCustomer ? (
                                <Table.Td>
                                    <Anchor component={Link} to={`/customers/${p.userId}`} size="sm" className="mono" title={p.userId}>
                                        {shortId(p.userId)}
                                    </Anchor>
                                </Table.Td>
                            ) : null}
                            <Table.Td>
                                <PackageStatus p={p} />
                            </Table.Td>
                            <Table.Td>
                                <Traffic p={p} />
                            </Table.Td>
                            <Table.Td>{t('version.days', { days: formatNumber(p.durationDays, locale) })}</Table.Td>
                            <Table.Td>
                                <When value={p.activatedAt} />
                            </Table.Td>
                            <Table.Td>
                                <When value={p.endedAt ?? p.expiresAt} />
                            </Table.Td>
                            <Table.Td>
                                {p.orderId ? (
                                    can('orders.read') ? (
                                        <Anchor component={Link} to={`/orders/${p.orderId}`} size="sm">
                                            {t('wallet.viewOrder')}
                                        </Anchor>
                                    ) : (
                                        <Text span size="sm" className="mono">
                                            {shortId(p.orderId)}
                                        </Text>
                                    )
                                ) : (
                                    '—'
                                )}
                            </Table.Td>
                            {onCancel ? (
                                <Table.Td>
                                    {packageCancellable(p.status) ? (
                                        <Button size="xs" variant="subtle" color="red" onClick={() => onCancel(p)} aria-label={t('customerPackages.cancelFor', { name: p.name })} data-testid="package-cancel">
                                            {t('customerPackages.cancel')}
                                        </Button>
                                    ) : null}
                                </Table.Td>
                            ) : null}
                        </Table.Tr>
                    ))}
                </Table.Tbody>
            </Table>
        </Table.ScrollContainer>
    );
}

/** Cancel with a reason; a package that ended meanwhile (409 invalid_state) is said so. */
export function CancelPackageModal({ pkg, onClose }: { pkg: Package | null; onClose: () => void }) {
    const { t } = useI18n();
    const notify = useNotify();
    const queryClient = useQueryClient();
    const cancel = useMutation({
        mutationFn: ({ id, reason }: { id: string; reason: string }) => telecom.adminCancelPackage({ id, reasonRequest: { reason } }),
        onSuccess: (p) => {
            void queryClient.invalidateQueries({ queryKey: ['packages'] });
            notify(t('customerPackages.cancelled', { name: p.name }));
            onClose();
        },
        onError: (e) => {
            if (problemCode(e) === 'invalid_state') void queryClient.invalidateQueries({ queryKey: ['packages'] });
        },
    });
    return (
        <ReasonModal
            opened={pkg !== null}
            onClose={() => {
                cancel.reset();
                onClose();
            }}
            title={t('customerPackages.cancelTitle')}
            message={t('customerPackages.cancelBody', { name: pkg?.name ?? '' })}
            confirmLabel={t('customerPackages.cancel')}
            danger
            busy={cancel.isPending}
            error={cancel.error}
            explain={(e) => (problemCode(e) === 'invalid_state' ? t('customerPackages.alreadyEnded') : undefined)}
            onConfirm={(reason) => pkg && cancel.mutate({ id: pkg.id, reason })}
        />
    );
}

/** One customer's packages on their page (customers.read), newest first. */
export function CustomerPackagesCard({ userId }: { userId: string }) {
    const { t } = useI18n();
    const { can } = useAuth();
    const gate = useWriteGate();
    const [status, setStatus] = useState('');
    const [cursors, setCursors] = useState<string[]>([]);
    const [limit, setLimit] = useState(20);
    const [cancelling, setCancelling] = useState<Package | null>(null);
    const cursor = cursors.at(-1);
    const list = useQuery({
        queryKey: ['packages', 'customer', userId, status, cursor, limit],
        queryFn: () => telecom.adminListPackages({ userId, ...(status ? { status } : {}), limit, ...(cursor ? { cursor } : {}) }),
        placeholderData: keepPreviousData,
    });
    return (
        <Card withBorder data-testid="customer-packages">
            <Group justify="space-between" align="flex-end" mb="sm">
                <Stack gap={2}>
                    <Title order={2} size="h4">
                        {t('customerPackages.ofCustomer')}
                    </Title>
                    <Anchor component={Link} to={`/customer-packages?user=${userId}`} size="sm">
                        {t('customerPackages.openList')}
                    </Anchor>
                </Stack>
                <Select
                    label={t('common.status')}
                    size="xs"
                    w={180}
                    data={[{ value: '', label: t('common.all') }, ...PACKAGE_STATUSES.map((s) => ({ value: s, label: t(`packageStatus.${s}`) }))]}
                    value={status}
                    onChange={(v) => {
                        setStatus(v ?? '');
                        setCursors([]);
                    }}
                    allowDeselect={false}
                />
            </Group>
            {list.isPending ? <TableSkeleton rows={2} /> : null}
            {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
            {list.data && list.data.items.length === 0 ? <EmptyState>{t('customerPackages.noneForCustomer')}</EmptyState> : null}
            {list.data && list.data.items.length > 0 ? (
                <PackagesTable packages={list.data.items} {...(can('packages.cancel') ? { onCancel: (p: Package) => gate(() => setCancelling(p)) } : {})} />
            ) : null}
            {list.data && (cursors.length > 0 || list.data.nextCursor) ? (
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
            <CancelPackageModal pkg={cancelling} onClose={() => setCancelling(null)} />
        </Card>
    );
}
