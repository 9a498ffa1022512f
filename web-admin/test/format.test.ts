import { describe, expect, it } from 'vitest';
import { currencyDigits, formatBytes, formatDateTime, formatDay, formatMoney, formatNumber, fromLocalInput, shortId, toLocalInput } from '../src/lib/format';

// Intl may use narrow no-break spaces; compare with plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('formatMoney (integer minor units, exact)', () => {
    it('formats the shop currency in both languages', () => {
        expect(formatMoney(12345, 'CNY', 'zh-CN')).toBe('¥123.45');
        expect(formatMoney(12345, 'CNY', 'en-US')).toBe('CN¥123.45');
        expect(formatMoney(12345, 'USD', 'en-US')).toBe('$123.45');
    });
    it('keeps minor units of 0, 1 and 99 exact', () => {
        expect(formatMoney(0, 'USD', 'en-US')).toBe('$0.00');
        expect(formatMoney(1, 'USD', 'en-US')).toBe('$0.01');
        expect(formatMoney(99, 'USD', 'en-US')).toBe('$0.99');
        expect(formatMoney(100, 'USD', 'en-US')).toBe('$1.00');
    });
    it('formats negative amounts (refunds, debits)', () => {
        expect(formatMoney(-150, 'USD', 'en-US')).toBe('-$1.50');
    });
    it('follows the currency’s number of fraction digits', () => {
        expect(currencyDigits('JPY')).toBe(0);
        expect(currencyDigits('KWD')).toBe(3);
        expect(currencyDigits('EUR')).toBe(2);
        expect(formatMoney(500, 'JPY', 'en-US')).toBe('¥500');
        expect(plain(formatMoney(1234, 'KWD', 'en-US'))).toBe('KWD 1.234');
    });
    it('groups thousands', () => {
        expect(formatMoney(123456789, 'USD', 'en-US')).toBe('$1,234,567.89');
    });
    it('is exact beyond 2^53 with bigint', () => {
        expect(formatMoney(9007199254740993n, 'USD', 'en-US')).toBe('$90,071,992,547,409.93');
        expect(formatMoney(-9223372036854775808n, 'USD', 'en-US')).toBe('-$92,233,720,368,547,758.08');
    });
    it('refuses unsafe floats and missing values', () => {
        expect(formatMoney(0.5, 'USD', 'en-US')).toBe('—');
        expect(formatMoney(null, 'USD', 'en-US')).toBe('—');
        expect(formatMoney(undefined, 'USD', 'en-US')).toBe('—');
    });
});

describe('dates in the browser time zone', () => {
    const instant = new Date('2026-01-05T15:04:00Z');
    it('formats an instant in a given zone and language', () => {
        expect(plain(formatDateTime(instant, 'en-US', 'UTC'))).toBe('Jan 5, 2026, 3:04 PM');
        expect(plain(formatDateTime(instant, 'en-US', 'Asia/Shanghai'))).toBe('Jan 5, 2026, 11:04 PM');
        expect(formatDateTime(instant, 'zh-CN', 'Asia/Shanghai')).toBe('2026年1月5日 23:04');
    });
    it('accepts strings and shows a dash for nothing', () => {
        expect(plain(formatDateTime('2026-01-05T15:04:00Z', 'en-US', 'UTC'))).toBe('Jan 5, 2026, 3:04 PM');
        expect(formatDateTime(null, 'en-US')).toBe('—');
        expect(formatDateTime('not a date', 'en-US')).toBe('—');
    });
    it('formats calendar days', () => {
        expect(formatDay(new Date(2026, 0, 5), 'en-US')).toBe('Jan 5');
        expect(formatDay(new Date(2026, 0, 5), 'zh-CN')).toBe('1月5日');
    });
    it('round-trips datetime-local input values in the local zone', () => {
        const d = fromLocalInput('2026-03-01T08:30');
        expect(d).not.toBeNull();
        expect(d?.getHours()).toBe(8);
        expect(d?.getMinutes()).toBe(30);
        expect(toLocalInput(d)).toBe('2026-03-01T08:30');
        expect(fromLocalInput('')).toBeNull();
        expect(fromLocalInput('yesterday')).toBeNull();
        expect(toLocalInput(null)).toBe('');
    });
});

describe('numbers and sizes', () => {
    it('formats counts per language', () => {
        expect(formatNumber(1234567, 'en-US')).toBe('1,234,567');
        expect(formatNumber(1234567, 'zh-CN')).toBe('1,234,567');
        expect(formatNumber(undefined, 'en-US')).toBe('—');
    });
    it('formats traffic in binary units', () => {
        expect(formatBytes(0, 'en-US')).toBe('0 B');
        expect(formatBytes(1023, 'en-US')).toBe('1,023 B');
        expect(formatBytes(1536, 'en-US')).toBe('1.5 KiB');
        expect(formatBytes(10 * 1024 ** 3, 'en-US')).toBe('10 GiB');
        expect(formatBytes(-2048, 'en-US')).toBe('-2 KiB');
        expect(formatBytes(null, 'en-US')).toBe('—');
        // The dashboard's traffic totals: MiB to TiB, one decimal at most.
        expect(formatBytes(5 * 1024 ** 2, 'en-US')).toBe('5 MiB');
        expect(formatBytes(3.5 * 1024 ** 3, 'en-US')).toBe('3.5 GiB');
        expect(formatBytes(2.25 * 1024 ** 3, 'en-US')).toBe('2.3 GiB');
        expect(formatBytes(1536 * 1024 ** 4, 'zh-CN')).toBe('1.5 PiB');
        expect(formatBytes(1000 * 1024 ** 4, 'en-US')).toBe('1,000 TiB');
        expect(formatBytes(Number.NaN, 'en-US')).toBe('—');
    });
    it('shortens ids', () => {
        expect(shortId('0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b')).toBe('0190a1b2');
        expect(shortId(null)).toBe('—');
    });
});
