// One customer: account state, wallet (balances, ledger, adjustments), packages (cancel with a
// reason), groups, login methods, live sessions; ban / unban / MFA reset / a new subscription
// link with a required reason (kept in the audit log), sign-out everywhere; links to their
// orders and redeemed gift cards. Actions show only for roles that may use them.

import type { CustomerDetail } from '@helium/sdk';
import { Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/client';
import { telecom } from '../api/telecom';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { CopyButton, PageHeader, StatusBadge, When, YesNo } from '../components/bits';
import { AffiliatePolicyCard } from '../components/AffiliatePolicyCard';
import { CustomerGroupsCard } from '../components/CustomerGroupsCard';
import { CustomerPackagesCard } from '../components/CustomerPackages';
import { CustomerWallet } from '../components/CustomerWallet';
import { ConfirmModal, ReasonModal } from '../components/dialogs';
import { EmptyState, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { useNotify } from '../components/notify';

type Action = 'ban' | 'unban' | 'mfa' | 'sessions' | 'rotate' | null;

function Field({ label, children }: { label: string; children: ReactNode }) {
    return (
        <div>
            <Text size="xs" fw={600}>
                {label}
            </Text>
            <div>{children}</div>
        </div>
    );
}

export default function CustomerDetailPage() {
    const { id = '' } = useParams();
    const { t, tx } = useI18n();
    const notify = useNotify();
    const { can } = useAuth();
    const gate = useWriteGate();
    const queryClient = useQueryClient();
    const [action, setAction] = useState<Action>(null);
    const detail = useQuery({ queryKey: ['customer', id], queryFn: () => api.customers.adminGetCustomer({ id }) });

    const done = (message: string) => {
        setAction(null);
        notify(message);
        void queryClient.invalidateQueries({ queryKey: ['customer', id] });
        void queryClient.invalidateQueries({ queryKey: ['customers'] });
    };
    const ban = useMutation({
        mutationFn: (reason: string) => api.customers.adminBanCustomer({ id, reasonRequest: { reason } }),
        onSuccess: () => done(t('customer.banned')),
    });
    const unban = useMutation({
        mutationFn: (reason: string) => api.customers.adminUnbanCustomer({ id, reasonRequest: { reason } }),
        onSuccess: () => done(t('customer.unbanned')),
    });
    const resetMfa = useMutation({
        mutationFn: (reason: string) => api.customers.adminResetCustomerMfa({ id, reasonRequest: { reason } }),
        onSuccess: () => done(t('customer.mfaReset')),
    });
    const endSessions = useMutation({
        mutationFn: () => api.customers.adminRevokeCustomerSessions({ id }),
        onSuccess: () => done(t('customer.sessionsEnded')),
    });
    const rotate = useMutation({
        mutationFn: (reason: string) => telecom.adminRotateCustomerSubscription({ id, reasonRequest: { reason } }),
        onSuccess: () => done(t('customer.subscriptionRotated')),
    });

    const close = () => {
        setAction(null);
        for (const m of [ban, unban, resetMfa, endSessions, rotate]) m.reset();
    };

    if (detail.isPending) return <TableSkeleton rows={8} />;
    if (detail.error) return <ProblemState error={detail.error} onRetry={() => void detail.refetch()} />;
    const c: CustomerDetail = detail.data;
    const banned = c.status === 'banned';

    return (
        <Stack>
            <PageHeader
                title={c.email}
                description={c.displayName ?? undefined}
                actions={
                    <>
                        {can('customers.ban') ? (
                            banned ? (
                                <Button color="green" onClick={() => gate(() => setAction('unban'))} data-testid="unban">
                                    {t('customer.unban')}
                                </Button>
                            ) : (
                                <Button color="red" onClick={() => gate(() => setAction('ban'))} data-testid="ban">
                                    {t('customer.ban')}
                                </Button>
                            )
                        ) : null}
                        {can('customers.mfa_reset') ? (
                            <Button variant="default" disabled={!c.mfaEnabled} onClick={() => gate(() => setAction('mfa'))} data-testid="reset-mfa">
                                {t('customer.resetMfa')}
                            </Button>
                        ) : null}
                        {can('customers.ban') ? (
                            <Button variant="default" disabled={c.sessions.length === 0} onClick={() => gate(() => setAction('sessions'))} data-testid="end-sessions">
                                {t('customer.endSessions')}
                            </Button>
                        ) : null}
                        {can('customers.ban') ? (
                            <Button variant="default" onClick={() => gate(() => setAction('rotate'))} data-testid="rotate-subscription">
                                {t('customer.rotateSubscription')}
                            </Button>
                        ) : null}
                    </>
                }
            />
            <Card withBorder>
                <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
                    <Field label={t('common.id')}>
                        <Group gap={4} wrap="nowrap">
                            <Text className="mono">{c.id}</Text>
                            <CopyButton value={c.id} />
                        </Group>
                    </Field>
                    <Field label={t('common.status')}>
                        <StatusBadge status={c.status} />
                    </Field>
                    <Field label={t('common.mfa')}>
                        <YesNo value={c.mfaEnabled} />
                    </Field>
                    <Field label={t('common.created')}>
                        <When value={c.createdAt} />
                    </Field>
                    <Field label={t('common.updated')}>
                        <When value={c.updatedAt} />
                    </Field>
                    {can('audit.read') ? (
                        <Field label={t('nav.audit')}>
                            <Anchor component={Link} to={`/audit?target_type=customer&target_id=${c.id}`} size="sm" data-testid="customer-audit">
                                {t('customer.auditHistory')}
                            </Anchor>
                        </Field>
                    ) : null}
                    {can('orders.read') ? (
                        <Field label={t('nav.orders')}>
                            <Anchor component={Link} to={`/orders?user=${c.id}`} size="sm" data-testid="customer-orders">
                                {t('customer.orders')}
                            </Anchor>
                        </Field>
                    ) : null}
                    {can('gift_cards.read') ? (
                        <Field label={t('nav.giftCards')}>
                            <Anchor component={Link} to={`/gift-cards?tab=cards&redeemed_by=${c.id}`} size="sm">
                                {t('customer.giftCards')}
                            </Anchor>
                        </Field>
                    ) : null}
                </SimpleGrid>
            </Card>

            <CustomerWallet userId={c.id} />
            <CustomerPackagesCard userId={c.id} />
            {can('catalog.read') ? <CustomerGroupsCard userId={c.id} groupIds={c.groupIds} /> : null}
            {can('affiliate.read') ? <AffiliatePolicyCard userId={c.id} /> : null}

            <Card withBorder>
                <Title order={2} size="h4" mb="sm">
                    {t('customer.loginMethods')}
                </Title>
                {c.loginMethods.length === 0 ? (
                    <EmptyState>{t('customer.noLoginMethods')}</EmptyState>
                ) : (
                    <Group gap="xs">
                        {c.loginMethods.map((m, i) => (
                            <Badge key={`${m.kind}-${m.provider ?? i}`} variant="outline" color="gray" size="lg">
                                {tx(`loginMethod.${m.kind}`, m.kind)}
                                {m.provider ? ` · ${m.provider}` : ''}
                            </Badge>
                        ))}
                    </Group>
                )}
            </Card>

            <Card withBorder>
                <Title order={2} size="h4" mb="sm">
                    {t('customer.sessions')}
                </Title>
                {c.sessions.length === 0 ? (
                    <EmptyState>{t('customer.noSessions')}</EmptyState>
                ) : (
                    <Table.ScrollContainer minWidth={600}>
                        <Table verticalSpacing="xs" data-testid="sessions-table">
                            <Table.Thead>
                                <Table.Tr>
                                    <Table.Th>{t('customer.device')}</Table.Th>
                                    <Table.Th>{t('customer.ip')}</Table.Th>
                                    <Table.Th>{t('customer.signedIn')}</Table.Th>
                                    <Table.Th>{t('customer.lastUsed')}</Table.Th>
                                </Table.Tr>
                            </Table.Thead>
                            <Table.Tbody>
                                {c.sessions.map((s) => (
                                    <Table.Tr key={s.id}>
                                        <Table.Td>{s.device ?? '—'}</Table.Td>
                                        <Table.Td className="mono">{s.ip ?? '—'}</Table.Td>
                                        <Table.Td>
                                            <When value={s.createdAt} />
                                        </Table.Td>
                                        <Table.Td>
                                            <When value={s.lastUsedAt} />
                                        </Table.Td>
                                    </Table.Tr>
                                ))}
                            </Table.Tbody>
                        </Table>
                    </Table.ScrollContainer>
                )}
            </Card>

            <ReasonModal
                opened={action === 'ban'}
                onClose={close}
                title={t('customer.banTitle')}
                message={t('customer.banBody', { email: c.email })}
                confirmLabel={t('customer.ban')}
                danger
                busy={ban.isPending}
                error={ban.error}
                onConfirm={(r) => ban.mutate(r)}
            />
            <ReasonModal
                opened={action === 'unban'}
                onClose={close}
                title={t('customer.unbanTitle')}
                message={t('customer.unbanBody', { email: c.email })}
                confirmLabel={t('customer.unban')}
                busy={unban.isPending}
                error={unban.error}
                onConfirm={(r) => unban.mutate(r)}
            />
            <ReasonModal
                opened={action === 'mfa'}
                onClose={close}
                title={t('customer.resetMfaTitle')}
                message={t('customer.resetMfaBody')}
                confirmLabel={t('customer.resetMfa')}
                danger
                busy={resetMfa.isPending}
                error={resetMfa.error}
                onConfirm={(r) => resetMfa.mutate(r)}
            />
            <ReasonModal
                opened={action === 'rotate'}
                onClose={close}
                title={t('customer.rotateSubscriptionTitle')}
                message={t('customer.rotateSubscriptionBody', { email: c.email })}
                confirmLabel={t('customer.rotateSubscription')}
                danger
                busy={rotate.isPending}
                error={rotate.error}
                onConfirm={(r) => rotate.mutate(r)}
            />
            <ConfirmModal
                opened={action === 'sessions'}
                onClose={close}
                title={t('customer.endSessionsTitle')}
                message={t('customer.endSessionsBody', { count: c.sessions.length })}
                confirmLabel={t('customer.endSessions')}
                danger
                busy={endSessions.isPending}
                error={endSessions.error}
                onConfirm={() => endSessions.mutate()}
            />
        </Stack>
    );
}
