// Pure helpers of the node screens: protocol settings (a JSON object tagged by `protocol`)
// checked before sending, a template per protocol, rates (decimal strings), hop-port ranges,
// the load an agent reports, and which customer packages can still be cancelled.

import { PROTOCOLS, type Protocol } from './domain';

/**
 * A starting point per protocol: the shape `settings` takes (API.md, node clients). REALITY
 * keys, TLS names and passwords are placeholders to replace.
 */
export const SETTINGS_TEMPLATES: Record<Protocol, Record<string, unknown>> = {
    vmess: { protocol: 'vmess', transport: { type: 'ws', path: '/ws' }, security: { mode: 'tls', server_name: 'node.example.com' } },
    vless: {
        protocol: 'vless',
        transport: { type: 'tcp' },
        security: { mode: 'reality', server_name: 'www.example.com', server_port: 443, private_key: '', public_key: '', short_id: '', fingerprint: 'chrome' },
        flow: 'xtls-rprx-vision',
    },
    trojan: { protocol: 'trojan', transport: { type: 'tcp' }, security: { mode: 'tls', server_name: 'node.example.com' } },
    shadowsocks: { protocol: 'shadowsocks', cipher: 'aes-128-gcm' },
    hysteria2: { protocol: 'hysteria2', tls: { server_name: 'node.example.com' }, up_mbps: 0, down_mbps: 0 },
    tuic: { protocol: 'tuic', tls: { server_name: 'node.example.com' }, congestion_control: 'bbr', udp_relay_mode: 'native' },
    anytls: { protocol: 'anytls', tls: { server_name: 'node.example.com' }, padding_scheme: [] },
    socks: { protocol: 'socks', security: { mode: 'none' } },
    http: { protocol: 'http', security: { mode: 'none' } },
};

export function settingsTemplate(protocol: Protocol): string {
    return JSON.stringify(SETTINGS_TEMPLATES[protocol], null, 2);
}

export function isProtocol(value: unknown): value is Protocol {
    return typeof value === 'string' && (PROTOCOLS as readonly string[]).includes(value);
}

export type SettingsCheck =
    | { ok: true; value: Record<string, unknown>; protocol: Protocol }
    | { ok: false; error: 'invalid_json' | 'not_object' | 'no_protocol'; detail?: string };

/** The settings typed in the JSON editor: a JSON object whose `protocol` is a known one. */
export function parseSettings(text: string): SettingsCheck {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (e) {
        return { ok: false, error: 'invalid_json', detail: e instanceof Error ? e.message : String(e) };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'not_object' };
    const protocol = (value as Record<string, unknown>).protocol;
    if (!isProtocol(protocol)) return { ok: false, error: 'no_protocol' };
    return { ok: true, value: value as Record<string, unknown>, protocol };
}

/** The `protocol` of settings text, when it parses (for the protocol picker). */
export function protocolOf(text: string): Protocol | null {
    const s = parseSettings(text);
    return s.ok ? s.protocol : null;
}

/** Whether settings use REALITY (whose private key reads as "" and is kept when left ""). */
export function usesReality(settings: unknown): boolean {
    const security = (settings as { security?: { mode?: unknown } } | null)?.security;
    return typeof security === 'object' && security !== null && security.mode === 'reality';
}

/** Same JSON value, whatever the key order. */
export function sameJson(a: unknown, b: unknown): boolean {
    return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object') {
        return Object.fromEntries(
            Object.keys(v as Record<string, unknown>)
                .sort()
                .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
        );
    }
    return v;
}

/**
 * A traffic multiplier typed by staff (`1`, `0.5`, `1.25`), as the decimal string the API takes;
 * null unless 0 (a free node) to 100 with at most four decimals (what the server accepts).
 */
export function parseRate(input: string): string | null {
    const s = input.trim();
    const m = /^(\d{1,3})(?:\.(\d{1,4}))?$/.exec(s);
    if (!m) return null;
    const n = Number(s);
    if (!(n >= 0 && n <= 100)) return null;
    const int = (m[1] ?? '0').replace(/^0+(?=\d)/, '');
    const frac = (m[2] ?? '').replace(/0+$/, '');
    return frac ? `${int}.${frac}` : int;
}

/** A rate as stored (`"1.00"`) for display and inputs (`"1"`). */
export function showRate(rate: string | null | undefined): string {
    if (rate === null || rate === undefined || rate === '') return '';
    return parseRate(rate) ?? rate;
}

export interface PortRange {
    start: number;
    end: number;
}

/** A hop-port range from two inputs: null when both are empty, 'invalid' when not a range. */
export function parseHopPorts(start: string, end: string): PortRange | null | 'invalid' {
    const a = start.trim();
    const b = end.trim();
    if (!a && !b) return null;
    const port = (s: string) => (/^\d{1,5}$/.test(s) && Number(s) >= 1 && Number(s) <= 65535 ? Number(s) : null);
    const from = port(a);
    const to = port(b);
    if (from === null || to === null || from > to) return 'invalid';
    return { start: from, end: to };
}

export function hopPortsOf(value: unknown): PortRange | null {
    const v = value as { start?: unknown; end?: unknown } | null | undefined;
    return v && typeof v.start === 'number' && typeof v.end === 'number' ? { start: v.start, end: v.end } : null;
}

export interface LoadPercents {
    cpu: number | null;
    mem: number | null;
    swap: number | null;
    disk: number | null;
}

/**
 * An agent's last `status` report (`cpu` in percent; `mem`, `swap`, `disk` as `{total, used}`)
 * as percentages; null for a part the report lacks.
 */
export function loadPercents(load: unknown): LoadPercents | null {
    if (!load || typeof load !== 'object') return null;
    const l = load as Record<string, unknown>;
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    const usage = (v: unknown) => {
        const u = v as { total?: unknown; used?: unknown } | null | undefined;
        const total = num(u?.total);
        const used = num(u?.used);
        if (total === null || used === null) return null;
        return total > 0 ? Math.min(100, Math.max(0, (used / total) * 100)) : 0;
    };
    return { cpu: num(l.cpu), mem: usage(l.mem), swap: usage(l.swap), disk: usage(l.disk) };
}

/** Only a queued or active package can be cancelled (ended ones answer 409 invalid_state). */
export function packageCancellable(status: string): boolean {
    return status === 'in_queue' || status === 'active';
}

/**
 * Field errors of a 422 whose path is `prefix` or lies under it (`settings`, `settings.tls.server_name`,
 * `tags[2]`), as `[path, message]` pairs.
 */
export function errorsUnder(errors: Record<string, string>, prefix: string): [string, string][] {
    return Object.entries(errors).filter(([k]) => k === prefix || k.startsWith(`${prefix}.`) || k.startsWith(`${prefix}[`));
}
