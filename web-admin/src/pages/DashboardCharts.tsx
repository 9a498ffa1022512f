// Per-day charts of the dashboard (loaded on demand: the chart library is the largest
// dependency). Each chart also has a text summary for screen readers.

import '@mantine/charts/styles.css';

import type { CustomerStats } from '@helium/sdk';
import { AreaChart } from '@mantine/charts';
import { Card, SimpleGrid, Text } from '@mantine/core';
import { useI18n } from '../i18n';
import { formatDay } from '../lib/format';

export default function DashboardCharts({ customers }: { customers: CustomerStats }) {
    const { t, locale } = useI18n();
    const data = customers.newPerDay.map((d, i) => ({
        day: formatDay(d.day, locale),
        new: d.count,
        active: customers.activePerDay[i]?.count ?? 0,
    }));
    const sum = (k: 'new' | 'active') => data.reduce((acc, d) => acc + d[k], 0);
    return (
        <SimpleGrid cols={{ base: 1, md: 2 }} mt="md">
            <Card withBorder radius="md" padding="md">
                <Text fw={600} size="sm" mb="xs" id="chart-new">
                    {t('dashboard.newPerDay')}
                </Text>
                <div role="img" aria-labelledby="chart-new" aria-describedby="chart-new-sum">
                    <AreaChart h={220} data={data} dataKey="day" series={[{ name: 'new', label: t('dashboard.newSeries'), color: 'blue.8' }]} curveType="monotone" withDots={false} />
                </div>
                <Text size="xs" id="chart-new-sum">
                    {t('dashboard.seriesSum', { total: sum('new'), days: data.length })}
                </Text>
            </Card>
            <Card withBorder radius="md" padding="md">
                <Text fw={600} size="sm" mb="xs" id="chart-active">
                    {t('dashboard.activePerDay')}
                </Text>
                <div role="img" aria-labelledby="chart-active" aria-describedby="chart-active-sum">
                    <AreaChart h={220} data={data} dataKey="day" series={[{ name: 'active', label: t('dashboard.activeSeries'), color: 'teal.8' }]} curveType="monotone" withDots={false} />
                </div>
                <Text size="xs" id="chart-active-sum">
                    {t('dashboard.seriesPeak', { peak: Math.max(0, ...data.map((d) => d.active)) })}
                </Text>
            </Card>
        </SimpleGrid>
    );
}
