// The node screens' pure helpers: settings checked before sending (JSON object, known
// protocol), one template per protocol, rates as the decimal strings the API stores, hop-port
// ranges, an agent's load as percentages, which packages can be cancelled, 422 paths.

import { describe, expect, it } from 'vitest';
import { PROTOCOLS } from '../src/lib/domain';
import {
    errorsUnder,
    hopPortsOf,
    loadPercents,
    packageCancellable,
    parseHopPorts,
    parseRate,
    parseSettings,
    protocolOf,
    sameJson,
    settingsTemplate,
    showRate,
    usesReality,
} from '../src/lib/telecom';

describe('protocol settings', () => {
    it('has a template per protocol that parses back to that protocol', () => {
        for (const p of PROTOCOLS) {
            const s = parseSettings(settingsTemplate(p));
            expect(s.ok && s.protocol).toBe(p);
        }
    });
    it('accepts a tagged JSON object', () => {
        const s = parseSettings('{"protocol":"shadowsocks","cipher":"aes-128-gcm"}');
        expect(s).toEqual({ ok: true, protocol: 'shadowsocks', value: { protocol: 'shadowsocks', cipher: 'aes-128-gcm' } });
        expect(protocolOf('{"protocol":"vless"}')).toBe('vless');
    });
    it('refuses what is not JSON, not an object, or has no known protocol', () => {
        const bad = parseSettings('{"protocol": "shadowsocks",');
        expect(bad.ok).toBe(false);
        expect(!bad.ok && bad.error).toBe('invalid_json');
        expect(!bad.ok && bad.detail).toBeTruthy();
        for (const [text, error] of [
            ['[1]', 'not_object'],
            ['"x"', 'not_object'],
            ['null', 'not_object'],
            ['{}', 'no_protocol'],
            ['{"protocol":"wireguard"}', 'no_protocol'],
            ['{"protocol":1}', 'no_protocol'],
        ] as const) {
            const s = parseSettings(text);
            expect(!s.ok && s.error, text).toBe(error);
        }
        expect(protocolOf('nope')).toBeNull();
    });
    it('knows REALITY settings (whose private key reads as "")', () => {
        expect(usesReality(JSON.parse(settingsTemplate('vless')))).toBe(true);
        expect(usesReality({ protocol: 'trojan', security: { mode: 'tls' } })).toBe(false);
        expect(usesReality({ protocol: 'shadowsocks', cipher: 'aes-128-gcm' })).toBe(false);
        expect(usesReality(null)).toBe(false);
    });
    it('compares JSON whatever the key order', () => {
        expect(sameJson({ a: 1, b: { c: [1, { d: 2, e: 3 }] } }, { b: { c: [1, { e: 3, d: 2 }] }, a: 1 })).toBe(true);
        expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
        expect(sameJson(null, null)).toBe(true);
        expect(sameJson({ start: 1, end: 2 }, null)).toBe(false);
    });
});

describe('rates', () => {
    it('takes a decimal from 0 to 100 with up to four decimals, as a plain decimal string', () => {
        expect(parseRate('1')).toBe('1');
        expect(parseRate(' 0.5 ')).toBe('0.5');
        expect(parseRate('1.50')).toBe('1.5');
        expect(parseRate('01.25')).toBe('1.25');
        expect(parseRate('100')).toBe('100');
        expect(parseRate('2.00')).toBe('2');
        expect(parseRate('0')).toBe('0');
        expect(parseRate('0.00')).toBe('0');
        expect(parseRate('1.2345')).toBe('1.2345');
        for (const bad of ['', '100.01', '101', '-1', '1.23456', '1e2', 'abc', '.5']) expect(parseRate(bad), bad).toBeNull();
    });
    it('shows a stored rate without trailing zeros', () => {
        expect(showRate('1.00')).toBe('1');
        expect(showRate('0.50')).toBe('0.5');
        expect(showRate(null)).toBe('');
    });
});

describe('hop ports', () => {
    it('is a range of two ports, or nothing', () => {
        expect(parseHopPorts('', ' ')).toBeNull();
        expect(parseHopPorts('20000', '30000')).toEqual({ start: 20000, end: 30000 });
        expect(parseHopPorts('443', '443')).toEqual({ start: 443, end: 443 });
        for (const [a, b] of [['30000', '20000'], ['0', '10'], ['1', '65536'], ['1', ''], ['x', '2']]) expect(parseHopPorts(a ?? '', b ?? '')).toBe('invalid');
        expect(hopPortsOf({ start: 1, end: 2 })).toEqual({ start: 1, end: 2 });
        expect(hopPortsOf(null)).toBeNull();
        expect(hopPortsOf({ start: '1' })).toBeNull();
    });
});

describe('node load', () => {
    it('turns the status report into percentages', () => {
        expect(loadPercents({ cpu: 12.5, mem: { total: 100, used: 41 }, swap: { total: 0, used: 0 }, disk: { total: 200, used: 50 } })).toEqual({ cpu: 12.5, mem: 41, swap: 0, disk: 25 });
        expect(loadPercents(null)).toBeNull();
        expect(loadPercents({ cpu: 'x' })).toEqual({ cpu: null, mem: null, swap: null, disk: null });
    });
});

describe('packages and errors', () => {
    it('cancels only queued or active packages', () => {
        expect(['in_queue', 'active', 'consumed', 'cancelled'].map(packageCancellable)).toEqual([true, true, false, false]);
    });
    it('finds field errors under a path', () => {
        const errors = { settings: 'a', 'settings.tls.server_name': 'b', 'tags[1]': 'c', settingsX: 'd', name: 'e' };
        expect(errorsUnder(errors, 'settings')).toEqual([
            ['settings', 'a'],
            ['settings.tls.server_name', 'b'],
        ]);
        expect(errorsUnder(errors, 'tags')).toEqual([['tags[1]', 'c']]);
    });
});
