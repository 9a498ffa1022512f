// Formatting of dates, numbers, money and sizes. Dates are shown in the browser's time zone
// (the API sends UTC instants); money arrives as integer minor units (API.md §1 "Money").

export type Locale = 'en-US' | 'zh-CN';

const EMPTY = '—';

function toDate(value: Date | string | number | null | undefined): Date | null {
    if (value === null || value === undefined || value === '') return null;
    const d = value instanceof Date ? value : new Date(value);
    return Number.isNaN(d.getTime()) ? null : d;
}

/** Date and time in the browser's time zone, e.g. `Jan 5, 2026, 3:04 PM`. */
export function formatDateTime(value: Date | string | number | null | undefined, locale: Locale, timeZone?: string): string {
    const d = toDate(value);
    if (!d) return EMPTY;
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) }).format(d);
}

/** A calendar day, e.g. `Jan 5` (series from the API are already in the browser's zone). */
export function formatDay(value: Date | string | null | undefined, locale: Locale): string {
    const d = toDate(value);
    if (!d) return EMPTY;
    return new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric' }).format(d);
}

/** The browser's IANA time zone (what the dashboard asks the server to bucket days in). */
export function browserTimeZone(): string {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function formatNumber(value: number | bigint | null | undefined, locale: Locale): string {
    if (value === null || value === undefined) return EMPTY;
    return new Intl.NumberFormat(locale).format(value);
}

/** Fraction digits of an ISO 4217 currency (CNY 2, JPY 0, KWD 3). */
export function currencyDigits(currency: string): number {
    try {
        return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
        return 2;
    }
}

/**
 * Money from integer minor units, exactly (no float arithmetic, amounts beyond 2^53 as bigint):
 * `formatMoney(12345, 'CNY', 'zh-CN')` → `¥123.45`.
 */
export function formatMoney(amountMinor: number | bigint | null | undefined, currency: string, locale: Locale): string {
    if (amountMinor === null || amountMinor === undefined) return EMPTY;
    if (typeof amountMinor === 'number' && !Number.isSafeInteger(amountMinor)) return EMPTY;
    const minor = BigInt(amountMinor);
    const digits = currencyDigits(currency);
    const negative = minor < 0n;
    const abs = negative ? -minor : minor;
    const unit = 10n ** BigInt(digits);
    const whole = (abs / unit).toString();
    const fraction = digits > 0 ? `.${(abs % unit).toString().padStart(digits, '0')}` : '';
    const decimal = `${negative ? '-' : ''}${whole}${fraction}`;
    const nf = new Intl.NumberFormat(locale, {
        style: 'currency',
        currency,
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
    });
    // Intl.NumberFormat formats decimal strings exactly (ECMA-402 NumberFormat v3).
    return nf.format(decimal as unknown as number);
}

/** Bytes with binary units (traffic is counted in bytes): `1536` → `1.5 KiB`. */
export function formatBytes(bytes: number | null | undefined, locale: Locale): string {
    if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return EMPTY;
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    let value = Math.abs(bytes);
    let i = 0;
    while (value >= 1024 && i < units.length - 1) {
        value /= 1024;
        i += 1;
    }
    const n = new Intl.NumberFormat(locale, { maximumFractionDigits: i === 0 ? 0 : 1 }).format(value);
    return `${bytes < 0 ? '-' : ''}${n} ${units[i]}`;
}

/** `<input type="datetime-local">` value (browser time zone) for an instant. */
export function toLocalInput(value: Date | null | undefined): string {
    if (!value || Number.isNaN(value.getTime())) return '';
    const p = (n: number) => String(n).padStart(2, '0');
    return `${value.getFullYear()}-${p(value.getMonth() + 1)}-${p(value.getDate())}T${p(value.getHours())}:${p(value.getMinutes())}`;
}

/** The instant a `datetime-local` value names in the browser's time zone; null if empty/invalid. */
export function fromLocalInput(value: string | null | undefined): Date | null {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value ?? '');
    if (!m) return null;
    const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
    return Number.isNaN(d.getTime()) ? null : d;
}

/** A short id for tables: the first 8 characters of a UUID. */
export function shortId(id: string | null | undefined): string {
    return id ? id.slice(0, 8) : EMPTY;
}
