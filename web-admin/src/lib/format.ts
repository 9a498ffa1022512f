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

// ------------------------------------------------------------------------------ money input

/**
 * Integer minor units from an amount typed in major units, exactly (no float arithmetic):
 * `toMinorUnits('12.5', 'CNY')` → `1250`. Null when it is not a non-negative decimal with at
 * most the currency's fraction digits, or beyond what a number holds exactly.
 */
export function toMinorUnits(input: string, currency: string): number | null {
    const m = /^(\d*)(?:\.(\d*))?$/.exec(input.trim());
    if (!m || (!m[1] && !m[2])) return null;
    const digits = currencyDigits(currency);
    const fraction = m[2] ?? '';
    if (fraction.length > digits) return null;
    const minor = BigInt(m[1] || '0') * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
    return minor > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(minor);
}

/** The major-unit text of minor units, for an input: `toMajorInput(1250, 'CNY')` → `12.50`. */
export function toMajorInput(minor: number | null | undefined, currency: string): string {
    if (minor === null || minor === undefined || !Number.isSafeInteger(minor)) return '';
    const digits = currencyDigits(currency);
    const abs = BigInt(Math.abs(minor));
    const unit = 10n ** BigInt(digits);
    const fraction = digits > 0 ? `.${(abs % unit).toString().padStart(digits, '0')}` : '';
    return `${minor < 0 ? '-' : ''}${(abs / unit).toString()}${fraction}`;
}

/** Moves the decimal point of a plain decimal string `shift` places (negative: left). */
function shiftDecimal(int: string, fraction: string, shift: number): string {
    const all = `${int}${fraction}`;
    const point = int.length + shift;
    const whole = point <= 0 ? '0' : all.slice(0, point).padEnd(point, '0');
    const rest = point <= 0 ? `${'0'.repeat(-point)}${all}` : all.slice(point);
    const w = whole.replace(/^0+(?=\d)/, '');
    const r = rest.replace(/0+$/, '');
    return r ? `${w}.${r}` : w;
}

/**
 * A coupon's rate from a percentage typed by staff: `'15'` → `'0.15'`, `'12.5'` → `'0.125'`.
 * Null unless 0 < percent ≤ 100 with at most two decimals (the server keeps four places).
 */
export function percentToRate(input: string): string | null {
    const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(input.trim());
    if (!m) return null;
    const rate = shiftDecimal(m[1] ?? '0', m[2] ?? '', -2);
    const n = Number(rate);
    return n > 0 && n <= 1 ? rate : null;
}

/** The percentage of a rate: `'0.15'` → `'15'`, `'0.125'` → `'12.5'`. */
export function rateToPercent(rate: string | null | undefined): string {
    const m = /^(\d+)(?:\.(\d+))?$/.exec((rate ?? '').trim());
    return m ? shiftDecimal(m[1] ?? '0', m[2] ?? '', 2) : '';
}

// ------------------------------------------------------------------------------ traffic

/** Bytes in a GB as plans count it (1024³, as formatBytes does). */
export const GB = 1024 ** 3;

/** Bytes from GB typed by staff (`'100'`, `'0.5'`); null unless positive and at most 1 PiB. */
export function gbToBytes(input: string): number | null {
    if (!/^(\d+)(\.\d{1,3})?$/.test(input.trim())) return null;
    const bytes = Math.round(Number(input.trim()) * GB);
    return bytes >= 1 && bytes <= 2 ** 50 ? bytes : null;
}

/** Traffic in GB for tables and inputs: `107374182400` → `100` (up to 3 decimals). */
export function bytesToGb(bytes: number, locale?: Locale): string {
    const gb = bytes / GB;
    return locale ? new Intl.NumberFormat(locale, { maximumFractionDigits: 3 }).format(gb) : String(Math.round(gb * 1000) / 1000);
}

/** A whole number typed by staff within [min, max]; null when empty or not one. */
export function parseWhole(input: string, min: number, max: number): number | null {
    const s = input.trim();
    if (!/^\d+$/.test(s)) return null;
    const n = Number(s);
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : null;
}
