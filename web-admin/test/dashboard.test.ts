import type { SalesStats, TicketStats, TrafficStats } from '@helium/sdk';
import { describe, expect, it } from 'vitest';
import { byteScale, countFormatter, dayKey, joinDays, moneyFormatter, peak, salesRows, scaledBytesFormatter, ticketRows, total, trafficRows } from '../src/lib/dashboard';

// Days as the SDK parses `YYYY-MM-DD`: local midnight.
const d = (iso: string) => {
    const [y, m, day] = iso.split('-').map(Number);
    return new Date(y ?? 0, (m ?? 1) - 1, day ?? 1);
};
const keys = (rows: readonly { day: Date }[]) => rows.map((r) => dayKey(r.day));

describe('dayKey', () => {
    it('names the local calendar day', () => {
        expect(dayKey(d('2026-01-05'))).toBe('2026-01-05');
        expect(dayKey(d('2026-12-31'))).toBe('2026-12-31');
    });
});

describe('joinDays', () => {
    it('joins series on their day, oldest first, 0 where a series has no point', () => {
        const rows = joinDays({
            a: [
                { day: d('2026-03-02'), value: 5 },
                { day: d('2026-03-01'), value: 1 },
            ],
            b: [
                { day: d('2026-03-01'), value: 7 },
                { day: d('2026-03-03'), value: 2 },
            ],
        });
        expect(keys(rows)).toEqual(['2026-03-01', '2026-03-02', '2026-03-03']);
        expect(rows.map(({ a, b }) => [a, b])).toEqual([
            [1, 7],
            [5, 0],
            [0, 2],
        ]);
    });
    it('adds up points of the same day and accepts empty series', () => {
        const rows = joinDays({ a: [{ day: d('2026-03-01'), value: 1 }, { day: d('2026-03-01'), value: 2 }], b: [] });
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ a: 3, b: 0 });
        expect(joinDays({ a: [] })).toEqual([]);
    });
});

describe('section rows', () => {
    const days = ['2026-05-01', '2026-05-02', '2026-05-03'].map(d);
    it('sales: revenue, top-ups, refunds (minor units) and paid orders per day', () => {
        const sales: SalesStats = {
            currency: 'CNY',
            revenue: 4500,
            paidOrders: 3,
            topUps: 1000,
            refunds: 500,
            unpaidOrders: 2,
            revenuePerDay: days.map((day, i) => ({ day, amount: [0, 1500, 3000][i] ?? 0 })),
            paidOrdersPerDay: days.map((day, i) => ({ day, count: [0, 1, 2][i] ?? 0 })),
            topUpsPerDay: days.map((day, i) => ({ day, amount: [1000, 0, 0][i] ?? 0 })),
            refundsPerDay: days.map((day, i) => ({ day, amount: [0, 0, 500][i] ?? 0 })),
        };
        const rows = salesRows(sales);
        expect(keys(rows)).toEqual(['2026-05-01', '2026-05-02', '2026-05-03']);
        expect(rows.map(({ revenue, topUps, refunds, orders }) => ({ revenue, topUps, refunds, orders }))).toEqual([
            { revenue: 0, topUps: 1000, refunds: 0, orders: 0 },
            { revenue: 1500, topUps: 0, refunds: 0, orders: 1 },
            { revenue: 3000, topUps: 0, refunds: 500, orders: 2 },
        ]);
        expect(total(rows, 'revenue')).toBe(4500);
        expect(total(rows, 'orders')).toBe(3);
        expect(peak(rows, 'revenue')).toEqual({ day: days[2], value: 3000 });
    });
    it('traffic: upload and download per day in bytes', () => {
        const traffic: TrafficStats = {
            upload: 30,
            download: 300,
            perDay: days.map((day, i) => ({ day, upload: i * 10, download: i * 100 })),
        };
        const rows = trafficRows(traffic);
        expect(rows.map(({ upload, download }) => [upload, download])).toEqual([
            [0, 0],
            [10, 100],
            [20, 200],
        ]);
        expect(total(rows, 'download')).toBe(traffic.download);
    });
    it('tickets: opened per day', () => {
        const tickets: TicketStats = { open: 1, pending: 0, unassigned: 1, openedPerDay: days.map((day, i) => ({ day, count: i === 1 ? 4 : 0 })) };
        const rows = ticketRows(tickets);
        expect(rows.map((r) => r.opened)).toEqual([0, 4, 0]);
        expect(peak(rows, 'opened')).toEqual({ day: days[1], value: 4 });
    });
});

describe('peak', () => {
    it('is the first busiest day, null when nothing happened', () => {
        const rows = joinDays({ n: [2, 5, 5, 1].map((value, i) => ({ day: d(`2026-01-0${i + 1}`), value })) });
        expect(dayKey(peak(rows, 'n')?.day ?? new Date(0))).toBe('2026-01-02');
        expect(peak(joinDays({ n: [{ day: d('2026-01-01'), value: 0 }] }), 'n')).toBeNull();
        expect(peak(joinDays({ n: [] }), 'n')).toBeNull();
    });
});

describe('axis and tooltip formatters', () => {
    it('money from minor units, ticks between whole minor units rounded', () => {
        const f = moneyFormatter('CNY', 'en-US');
        expect(f(12345)).toBe('CN¥123.45');
        expect(f(0)).toBe('CN¥0.00');
        expect(f(2.5)).toBe('CN¥0.03');
        expect(f(Number.NaN)).toBe('—');
        expect(moneyFormatter('JPY', 'en-US')(1500)).toBe('¥1,500');
        expect(moneyFormatter('CNY', 'zh-CN')(100)).toBe('¥1.00');
    });
    it('one binary unit for a bytes chart, from its largest value', () => {
        expect(byteScale(0)).toEqual({ unit: 'B', divisor: 1 });
        expect(byteScale(1023)).toEqual({ unit: 'B', divisor: 1 });
        expect(byteScale(1024)).toEqual({ unit: 'KiB', divisor: 1024 });
        expect(byteScale(12 * 1024 ** 3)).toEqual({ unit: 'GiB', divisor: 1024 ** 3 });
        expect(byteScale(5 * 1024 ** 4)).toEqual({ unit: 'TiB', divisor: 1024 ** 4 });
        expect(byteScale(1024 ** 7).unit).toBe('PiB');
        expect(byteScale(Number.NaN)).toEqual({ unit: 'B', divisor: 1 });
        const f = scaledBytesFormatter('GiB', 'en-US');
        expect(f(12)).toBe('12 GiB');
        expect(f(3.256)).toBe('3.26 GiB');
        expect(scaledBytesFormatter('GiB', 'zh-CN')(1234.5)).toBe('1,234.5 GiB');
    });
    it('counts', () => {
        expect(countFormatter('en-US')(12345)).toBe('12,345');
        expect(countFormatter('zh-CN')(12345)).toBe('12,345');
    });
});
