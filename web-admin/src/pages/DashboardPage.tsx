// The dashboard: one call (adminGetDashboardStats) for totals and per-day series, days
// bucketed in the browser's time zone. The server leaves out (null) every section the
// caller's role may not see — customers, staff, sales, traffic, nodes, tickets — and so does
// the page. Charts load on demand (they are the heaviest code).

import { Anchor, Badge, Card, Group, SegmentedControl, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, type ReactNode } from 'react';
import { Link } from 'react-router';
import { PageHeader, When } from '../components/bits';
import { ProblemState } from '../components/states';
import { useI18n } from '../i18n';
import { browserTimeZone, formatBytes, formatMoney, formatNumber } from '../lib/format';
import { useFilters } from '../lib/urlState';
import { DASHBOARD_RANGES, dashboardDays, dashboardQuery } from '../queries';

// Start fetching the chart code with the page, in parallel with the statistics request; every
// section's charts are in that one chunk.
const chartsModule = import('./DashboardCharts');
const CustomerCharts = lazy(() => chartsModule);
const SalesCharts = lazy(() => chartsModule.then((m) => ({ default: m.SalesCharts })));
const TrafficCharts = lazy(() => chartsModule.then((m) => ({ default: m.TrafficCharts })));
const TicketCharts = lazy(() => chartsModule.then((m) => ({ default: m.TicketCharts })));
const KEYS = ['days'] as const;

type StatProps = {
    label: string;
    value: string;
    hint?: string;
    /** A link to the screen listing what is counted (with its filter in the URL). */
    link?: { to: string; label: string };
    /** Something needs attention: the card stands out and says so. */
    alert?: string;
    testId?: string;
};

function Stat({ label, value, hint, link, alert, testId }: StatProps) {
    return (
        <Card
            withBorder
            padding="md"
            radius="md"
            data-testid={testId}
            data-alert={alert ? 'true' : undefined}
            style={alert ? { borderColor: 'var(--mantine-color-red-8)', borderWidth: 2 } : undefined}
        >
            <Group justify="space-between" gap={4} wrap="nowrap" align="flex-start">
                <Text size="sm" fw={600}>
                    {label}
                </Text>
                {alert ? (
                    <Badge color="red" variant="light" size="sm" data-testid="stat-alert">
                        {alert}
                    </Badge>
                ) : null}
            </Group>
            <Text size="xl" fw={700} mt={4} c={alert ? 'red.9' : undefined} data-testid="stat-value">
                {value}
            </Text>
            {hint ? <Text size="xs">{hint}</Text> : null}
            {link ? (
                <Anchor component={Link} to={link.to} size="xs" data-testid="stat-link">
                    {link.label}
                </Anchor>
            ) : null}
        </Card>
    );
}

function Section({ id, title, testId, children }: { id: string; title: string; testId?: string; children: ReactNode }) {
    return (
        <section aria-labelledby={id} data-testid={testId}>
            <Title order={2} size="h4" mb="xs" id={id}>
                {title}
            </Title>
            {children}
        </section>
    );
}

const chartSkeleton = <Skeleton height={260} mt="md" radius="md" />;

export default function DashboardPage() {
    const { t, locale } = useI18n();
    const { values, set } = useFilters(KEYS);
    const days = dashboardDays(`?days=${values.days}`);
    const tz = browserTimeZone();
    const stats = useQuery(dashboardQuery(days, tz));
    const n = (v: number | undefined) => formatNumber(v, locale);
    const money = (v: number, currency: string) => formatMoney(v, currency, locale);
    const bytes = (v: number) => formatBytes(v, locale);
    const c = stats.data?.customers;
    const s = stats.data?.staff;
    const sales = stats.data?.sales;
    const traffic = stats.data?.traffic;
    const nodes = stats.data?.nodes;
    const tickets = stats.data?.tickets;
    const today = c?.newPerDay.at(-1)?.count;
    const inRange = t('dashboard.inRange', { days });

    return (
        <Stack>
            <PageHeader
                title={t('dashboard.title')}
                description={t('dashboard.subtitle', { tz })}
                actions={
                    <SegmentedControl
                        aria-label={t('dashboard.range')}
                        value={String(days)}
                        onChange={(v) => set({ days: v === '30' ? '' : v })}
                        data={DASHBOARD_RANGES.map((r) => ({ value: r, label: t('dashboard.days', { days: r }) }))}
                    />
                }
            />
            {stats.error ? <ProblemState error={stats.error} onRetry={() => void stats.refetch()} /> : null}
            {stats.isPending ? (
                <SimpleGrid cols={{ base: 2, md: 3, lg: 6 }}>
                    {Array.from({ length: 6 }, (_, i) => (
                        <Skeleton key={i} height={88} radius="md" />
                    ))}
                </SimpleGrid>
            ) : null}
            {c ? (
                <section aria-labelledby="dash-customers" data-testid="dashboard-ready">
                    <Title order={2} size="h4" mb="xs" id="dash-customers">
                        {t('dashboard.customers')}
                    </Title>
                    <SimpleGrid cols={{ base: 2, md: 3, lg: 6 }}>
                        <Stat label={t('dashboard.totalCustomers')} value={n(c.total)} />
                        <Stat label={t('dashboard.newToday')} value={n(today)} />
                        <Stat label={t('dashboard.active1d')} value={n(c.active1d)} />
                        <Stat label={t('dashboard.active7d')} value={n(c.active7d)} />
                        <Stat label={t('dashboard.active30d')} value={n(c.active30d)} />
                        <Stat label={t('dashboard.banned')} value={n(c.banned)} />
                    </SimpleGrid>
                    <Suspense fallback={chartSkeleton}>
                        <CustomerCharts customers={c} />
                    </Suspense>
                </section>
            ) : null}
            {sales ? (
                <Section id="dash-sales" title={t('dashboard.sales')} testId="dashboard-sales">
                    <SimpleGrid cols={{ base: 2, md: 3, lg: 5 }}>
                        <Stat testId="stat-revenue" label={t('dashboard.revenue')} value={money(sales.revenue, sales.currency)} hint={inRange} />
                        <Stat testId="stat-top-ups" label={t('dashboard.topUps')} value={money(sales.topUps, sales.currency)} hint={inRange} />
                        <Stat testId="stat-paid-orders" label={t('dashboard.paidOrders')} value={n(sales.paidOrders)} hint={inRange} />
                        <Stat
                            testId="stat-unpaid-orders"
                            label={t('dashboard.unpaidOrders')}
                            value={n(sales.unpaidOrders)}
                            hint={t('dashboard.now')}
                            link={sales.unpaidOrders > 0 ? { to: '/orders?status=unpaid', label: t('dashboard.showUnpaid') } : undefined}
                        />
                        <Stat testId="stat-refunds" label={t('dashboard.refunds')} value={money(sales.refunds, sales.currency)} hint={inRange} />
                    </SimpleGrid>
                    <Suspense fallback={chartSkeleton}>
                        <SalesCharts sales={sales} />
                    </Suspense>
                </Section>
            ) : null}
            {nodes ? (
                <Section id="dash-nodes" title={t('dashboard.nodes')} testId="dashboard-nodes">
                    <SimpleGrid cols={{ base: 2, md: 3 }}>
                        <Stat testId="stat-agents-online" label={t('dashboard.agentsOnline')} value={n(nodes.clientsOnline)} hint={t('dashboard.ofAgents', { total: n(nodes.clients) })} />
                        <Stat
                            testId="stat-agents-offline"
                            label={t('dashboard.agentsOffline')}
                            value={n(nodes.clientsOffline)}
                            hint={t('dashboard.ofAgents', { total: n(nodes.clients) })}
                            alert={nodes.clientsOffline > 0 ? t('dashboard.attention') : undefined}
                            link={nodes.clientsOffline > 0 ? { to: '/nodes/status?online=false', label: t('dashboard.showOffline') } : undefined}
                        />
                        <Stat
                            testId="stat-servers"
                            label={t('dashboard.servers')}
                            value={n(nodes.servers)}
                            hint={t('dashboard.inMaintenance', { count: n(nodes.serversInMaintenance) })}
                            link={nodes.serversInMaintenance > 0 ? { to: '/nodes/servers?maintenance=true', label: t('dashboard.showMaintenance') } : undefined}
                        />
                    </SimpleGrid>
                </Section>
            ) : null}
            {traffic ? (
                <Section id="dash-traffic" title={t('dashboard.traffic')} testId="dashboard-traffic">
                    <SimpleGrid cols={{ base: 2, md: 3 }}>
                        <Stat testId="stat-download" label={t('dashboard.download')} value={bytes(traffic.download)} hint={inRange} />
                        <Stat testId="stat-upload" label={t('dashboard.upload')} value={bytes(traffic.upload)} hint={inRange} />
                        <Stat testId="stat-traffic-total" label={t('dashboard.trafficTotal')} value={bytes(traffic.upload + traffic.download)} hint={inRange} />
                    </SimpleGrid>
                    <Suspense fallback={chartSkeleton}>
                        <TrafficCharts traffic={traffic} />
                    </Suspense>
                </Section>
            ) : null}
            {tickets ? (
                <Section id="dash-tickets" title={t('dashboard.tickets')} testId="dashboard-tickets">
                    <SimpleGrid cols={{ base: 2, md: 3 }}>
                        <Stat testId="stat-tickets-open" label={t('dashboard.ticketsOpen')} value={n(tickets.open)} hint={t('dashboard.ticketsOpenHint')} link={{ to: '/tickets?status=open', label: t('dashboard.showOpen') }} />
                        <Stat testId="stat-tickets-pending" label={t('dashboard.ticketsPending')} value={n(tickets.pending)} hint={t('dashboard.ticketsPendingHint')} link={{ to: '/tickets?status=pending', label: t('dashboard.showPending') }} />
                        <Stat testId="stat-tickets-unassigned" label={t('dashboard.ticketsUnassigned')} value={n(tickets.unassigned)} hint={t('dashboard.ticketsUnassignedHint')} link={{ to: '/tickets?status=open&assignee=none', label: t('dashboard.showUnassigned') }} />
                    </SimpleGrid>
                    <Suspense fallback={chartSkeleton}>
                        <TicketCharts tickets={tickets} />
                    </Suspense>
                </Section>
            ) : null}
            {s ? (
                <Section id="dash-staff" title={t('dashboard.staff')} testId="dashboard-staff">
                    <SimpleGrid cols={{ base: 2, md: 4 }}>
                        <Stat label={t('dashboard.staffActive')} value={n(s.active)} hint={t('dashboard.ofTotal', { total: n(s.total) })} />
                        <Stat label={t('dashboard.staffMfa')} value={n(s.mfaEnabled)} hint={t('dashboard.ofTotal', { total: n(s.total) })} />
                        <Stat label={t('dashboard.staffDisabled')} value={n(s.disabled)} />
                        <Stat label={t('dashboard.pendingInvitations')} value={n(s.pendingInvitations)} />
                    </SimpleGrid>
                </Section>
            ) : null}
            {stats.data ? (
                <Group gap={4}>
                    <Text size="xs">{t('dashboard.generatedAt')}</Text>
                    <Text size="xs">
                        <When value={stats.data.generatedAt} />
                    </Text>
                </Group>
            ) : null}
        </Stack>
    );
}
