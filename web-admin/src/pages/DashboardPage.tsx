// The dashboard: one call (adminGetDashboardStats) for totals and per-day series, days
// bucketed in the browser's time zone. Charts load on demand (they are the heaviest code).

import { Card, Group, SegmentedControl, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { PageHeader, When } from '../components/bits';
import { ProblemState } from '../components/states';
import { useI18n } from '../i18n';
import { browserTimeZone, formatNumber } from '../lib/format';
import { useFilters } from '../lib/urlState';
import { DASHBOARD_RANGES, dashboardDays, dashboardQuery } from '../queries';

// Start fetching the chart code with the page, in parallel with the statistics request.
const chartsModule = import('./DashboardCharts');
const DashboardCharts = lazy(() => chartsModule);
const KEYS = ['days'] as const;

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
    return (
        <Card withBorder padding="md" radius="md">
            <Text size="sm" fw={600}>
                {label}
            </Text>
            <Text size="xl" fw={700} mt={4} data-testid="stat-value">
                {value}
            </Text>
            {hint ? <Text size="xs">{hint}</Text> : null}
        </Card>
    );
}

export default function DashboardPage() {
    const { t, locale } = useI18n();
    const { values, set } = useFilters(KEYS);
    const days = dashboardDays(`?days=${values.days}`);
    const tz = browserTimeZone();
    const stats = useQuery(dashboardQuery(days, tz));
    const n = (v: number | undefined) => formatNumber(v, locale);
    const c = stats.data?.customers;
    const s = stats.data?.staff;
    const today = c?.newPerDay.at(-1)?.count;

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
                    <Suspense fallback={<Skeleton height={260} mt="md" radius="md" />}>
                        <DashboardCharts customers={c} />
                    </Suspense>
                </section>
            ) : null}
            {s ? (
                <section aria-labelledby="dash-staff">
                    <Title order={2} size="h4" mb="xs" id="dash-staff">
                        {t('dashboard.staff')}
                    </Title>
                    <SimpleGrid cols={{ base: 2, md: 4 }}>
                        <Stat label={t('dashboard.staffActive')} value={n(s.active)} hint={t('dashboard.ofTotal', { total: n(s.total) })} />
                        <Stat label={t('dashboard.staffMfa')} value={n(s.mfaEnabled)} hint={t('dashboard.ofTotal', { total: n(s.total) })} />
                        <Stat label={t('dashboard.staffDisabled')} value={n(s.disabled)} />
                        <Stat label={t('dashboard.pendingInvitations')} value={n(s.pendingInvitations)} />
                    </SimpleGrid>
                </section>
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
