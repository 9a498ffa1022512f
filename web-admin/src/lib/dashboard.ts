// The dashboard's per-day series as chart rows (pure, unit-tested): series joined on their day,
// totals and peaks for the charts' text summaries, and axis / tooltip formatters.

import type { SalesStats, TicketStats, TrafficStats } from '@helium/sdk';
import { formatMoney, formatNumber, type Locale } from './format';

/**
 * A day as `YYYY-MM-DD`. The SDK parses a `YYYY-MM-DD` day as local midnight (the stated day
 * in every zone), so the local calendar fields name it.
 */
export function dayKey(day: Date): string {
    const p = (n: number) => String(n).padStart(2, '0');
    return `${day.getFullYear()}-${p(day.getMonth() + 1)}-${p(day.getDate())}`;
}

/** One point of a per-day series. */
export type DayValue = { day: Date; value: number };

export type DayRow<K extends string> = { day: Date } & Record<K, number>;

/**
 * Joins per-day series on their day: one row per day found in any series, oldest first, with
 * 0 where a series has no point for that day (the server sends every day of the range in
 * each series; the join keeps the rows right should one ever be shorter or out of order).
 */
export function joinDays<K extends string>(series: Record<K, readonly DayValue[]>): DayRow<K>[] {
    const keys = Object.keys(series) as K[];
    const rows = new Map<string, Record<string, number | Date>>();
    for (const k of keys) {
        for (const p of series[k]) {
            const id = dayKey(p.day);
            let row = rows.get(id);
            if (!row) {
                row = { day: p.day };
                for (const other of keys) row[other] = 0;
                rows.set(id, row);
            }
            row[k] = (row[k] as number) + p.value;
        }
    }
    return [...rows.keys()].sort().map((id) => rows.get(id) as DayRow<K>);
}

const amounts = (points: readonly { day: Date; amount: number }[]): DayValue[] => points.map((p) => ({ day: p.day, value: p.amount }));
const counts = (points: readonly { day: Date; count: number }[]): DayValue[] => points.map((p) => ({ day: p.day, value: p.count }));

/** Sales per day: revenue, top-ups and refunds (minor units) and paid orders. */
export function salesRows(sales: SalesStats): DayRow<'revenue' | 'topUps' | 'refunds' | 'orders'>[] {
    return joinDays({
        revenue: amounts(sales.revenuePerDay),
        topUps: amounts(sales.topUpsPerDay),
        refunds: amounts(sales.refundsPerDay),
        orders: counts(sales.paidOrdersPerDay),
    });
}

/** Node traffic per day in bytes. */
export function trafficRows(traffic: TrafficStats): DayRow<'upload' | 'download'>[] {
    return joinDays({
        upload: traffic.perDay.map((p) => ({ day: p.day, value: p.upload })),
        download: traffic.perDay.map((p) => ({ day: p.day, value: p.download })),
    });
}

/** Tickets opened per day. */
export function ticketRows(tickets: TicketStats): DayRow<'opened'>[] {
    return joinDays({ opened: counts(tickets.openedPerDay) });
}

/** The sum of a column. */
export function total<K extends string>(rows: readonly DayRow<K>[], key: K): number {
    return rows.reduce((acc, r) => acc + r[key], 0);
}

/** The busiest day of a column (the first of equals); null without rows or when all are 0. */
export function peak<K extends string>(rows: readonly DayRow<K>[], key: K): { day: Date; value: number } | null {
    let best: { day: Date; value: number } | null = null;
    for (const r of rows) if (r[key] > (best?.value ?? 0)) best = { day: r.day, value: r[key] };
    return best;
}

/**
 * Axis and tooltip text for money in minor units. Chart ticks may fall between whole minor
 * units (0, 2.5, 5 …); they are rounded to one, which formatMoney shows exactly.
 */
export function moneyFormatter(currency: string, locale: Locale): (minor: number) => string {
    return (minor) => formatMoney(Number.isFinite(minor) ? Math.round(minor) : null, currency, locale);
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * One binary unit for a whole bytes chart, from its largest value: the chart plots values in
 * that unit, so the axis gets round ticks (0, 4, 8, 12 GiB) instead of round byte counts
 * (3.3 GiB = 3.5 × 10⁹ bytes).
 */
export function byteScale(max: number): { unit: (typeof BYTE_UNITS)[number]; divisor: number } {
    let i = 0;
    let v = Number.isFinite(max) ? Math.abs(max) : 0;
    while (v >= 1024 && i < BYTE_UNITS.length - 1) {
        v /= 1024;
        i += 1;
    }
    return { unit: BYTE_UNITS[i] ?? 'B', divisor: 1024 ** i };
}

/** Axis and tooltip text for values already in `unit` (see byteScale). */
export function scaledBytesFormatter(unit: string, locale: Locale): (value: number) => string {
    const nf = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
    return (value) => `${nf.format(value)} ${unit}`;
}

/** Axis and tooltip text for counts. */
export function countFormatter(locale: Locale): (n: number) => string {
    return (n) => formatNumber(n, locale);
}
