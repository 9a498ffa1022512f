// Per-day charts of the dashboard (loaded on demand: the chart library is the largest
// dependency). One component per section of the statistics; each chart is named by its
// heading and has a text summary for screen readers. Rows come from lib/dashboard.ts.

import '@mantine/charts/styles.css';

import type { CustomerStats, SalesStats, TicketStats, TrafficStats } from '@helium/sdk';
import { AreaChart, BarChart } from '@mantine/charts';
import { Card, SimpleGrid, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useI18n } from '../i18n';
import { byteScale, countFormatter, moneyFormatter, peak, salesRows, scaledBytesFormatter, ticketRows, total, trafficRows } from '../lib/dashboard';
import { formatBytes, formatDay, formatMoney, formatNumber } from '../lib/format';

const H = 220;

/** A chart in a card: `role="img"` named by the heading above it, described by the summary below. */
function ChartCard({ id, title, summary, children }: { id: string; title: string; summary: string; children: ReactNode }) {
    return (
        <Card withBorder radius="md" padding="md" data-testid={id}>
            <Text fw={600} size="sm" mb="xs" id={id}>
                {title}
            </Text>
            <div role="img" aria-labelledby={id} aria-describedby={`${id}-sum`}>
                {children}
            </div>
            <Text size="xs" id={`${id}-sum`}>
                {summary}
            </Text>
        </Card>
    );
}

export default function CustomerCharts({ customers }: { customers: CustomerStats }) {
    const { t, locale } = useI18n();
    const data = customers.newPerDay.map((d, i) => ({
        day: formatDay(d.day, locale),
        new: d.count,
        active: customers.activePerDay[i]?.count ?? 0,
    }));
    const sum = (k: 'new' | 'active') => data.reduce((acc, d) => acc + d[k], 0);
    return (
        <SimpleGrid cols={{ base: 1, md: 2 }} mt="md">
            <ChartCard id="chart-new" title={t('dashboard.newPerDay')} summary={t('dashboard.seriesSum', { total: sum('new'), days: data.length })}>
                <AreaChart h={H} data={data} dataKey="day" series={[{ name: 'new', label: t('dashboard.newSeries'), color: 'blue.8' }]} curveType="monotone" withDots={false} yAxisProps={{ allowDecimals: false }} />
            </ChartCard>
            <ChartCard id="chart-active" title={t('dashboard.activePerDay')} summary={t('dashboard.seriesPeak', { peak: Math.max(0, ...data.map((d) => d.active)) })}>
                <AreaChart h={H} data={data} dataKey="day" series={[{ name: 'active', label: t('dashboard.activeSeries'), color: 'teal.8' }]} curveType="monotone" withDots={false} yAxisProps={{ allowDecimals: false }} />
            </ChartCard>
        </SimpleGrid>
    );
}

/** Revenue (with top-ups and refunds) per day in money, and paid orders per day. */
export function SalesCharts({ sales }: { sales: SalesStats }) {
    const { t, locale } = useI18n();
    const rows = salesRows(sales);
    const data = rows.map((r) => ({ ...r, day: formatDay(r.day, locale) }));
    const money = (minor: number) => formatMoney(minor, sales.currency, locale);
    return (
        <SimpleGrid cols={{ base: 1, md: 2 }} mt="md">
            <ChartCard
                id="chart-revenue"
                title={t('dashboard.revenuePerDay')}
                summary={t('dashboard.revenueSum', { revenue: money(total(rows, 'revenue')), topUps: money(total(rows, 'topUps')), refunds: money(total(rows, 'refunds')), days: rows.length })}
            >
                <AreaChart
                    h={H}
                    data={data}
                    dataKey="day"
                    series={[
                        { name: 'revenue', label: t('dashboard.revenueSeries'), color: 'green.8' },
                        { name: 'topUps', label: t('dashboard.topUpsSeries'), color: 'blue.8' },
                        // Dashed: a refund of the day's whole revenue would hide the revenue line.
                        { name: 'refunds', label: t('dashboard.refundsSeries'), color: 'red.8', strokeDasharray: '6 4' },
                    ]}
                    curveType="monotone"
                    withDots={false}
                    withLegend
                    valueFormatter={moneyFormatter(sales.currency, locale)}
                    yAxisProps={{ width: 88 }}
                />
            </ChartCard>
            <ChartCard id="chart-paid-orders" title={t('dashboard.paidOrdersPerDay')} summary={t('dashboard.paidOrdersSum', { total: formatNumber(total(rows, 'orders'), locale), days: rows.length })}>
                <BarChart
                    h={H}
                    data={data}
                    dataKey="day"
                    series={[{ name: 'orders', label: t('dashboard.paidOrdersSeries'), color: 'grape.8' }]}
                    valueFormatter={countFormatter(locale)}
                    yAxisProps={{ allowDecimals: false }}
                />
            </ChartCard>
        </SimpleGrid>
    );
}

/** Upload and download per day, in bytes. */
export function TrafficCharts({ traffic }: { traffic: TrafficStats }) {
    const { t, locale } = useI18n();
    const rows = trafficRows(traffic);
    // Plotted in one unit for the whole chart, so the axis ticks are round numbers of it.
    const scale = byteScale(Math.max(0, ...rows.map((r) => Math.max(r.upload, r.download))));
    const data = rows.map((r) => ({ day: formatDay(r.day, locale), upload: r.upload / scale.divisor, download: r.download / scale.divisor }));
    const busiest = peak(
        rows.map((r) => ({ day: r.day, both: r.upload + r.download })),
        'both',
    );
    const summary = busiest
        ? t('dashboard.trafficPeak', { day: formatDay(busiest.day, locale), bytes: formatBytes(busiest.value, locale) })
        : t('dashboard.trafficNone', { days: rows.length });
    return (
        <SimpleGrid cols={{ base: 1 }} mt="md">
            <ChartCard id="chart-traffic" title={t('dashboard.trafficPerDay')} summary={summary}>
                <AreaChart
                    h={H}
                    data={data}
                    dataKey="day"
                    series={[
                        { name: 'download', label: t('dashboard.downloadSeries'), color: 'indigo.8' },
                        { name: 'upload', label: t('dashboard.uploadSeries'), color: 'cyan.8' },
                    ]}
                    curveType="monotone"
                    withDots={false}
                    withLegend
                    valueFormatter={scaledBytesFormatter(scale.unit, locale)}
                    yAxisProps={{ width: 80, allowDecimals: scale.divisor > 1 }}
                />
            </ChartCard>
        </SimpleGrid>
    );
}

/** Tickets opened per day. */
export function TicketCharts({ tickets }: { tickets: TicketStats }) {
    const { t, locale } = useI18n();
    const rows = ticketRows(tickets);
    const data = rows.map((r) => ({ ...r, day: formatDay(r.day, locale) }));
    return (
        <SimpleGrid cols={{ base: 1 }} mt="md">
            <ChartCard id="chart-tickets" title={t('dashboard.ticketsPerDay')} summary={t('dashboard.ticketsSum', { total: formatNumber(total(rows, 'opened'), locale), days: rows.length })}>
                <BarChart
                    h={H}
                    data={data}
                    dataKey="day"
                    series={[{ name: 'opened', label: t('dashboard.openedSeries'), color: 'orange.8' }]}
                    valueFormatter={countFormatter(locale)}
                    yAxisProps={{ allowDecimals: false }}
                />
            </ChartCard>
        </SimpleGrid>
    );
}
