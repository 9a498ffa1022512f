// Every string goes through the i18n layer: both languages have exactly the same keys, no
// empty value, the same {placeholders}; every key the code uses exists; the families of
// keys built at run time (role.*, status.*, error.* …) are complete; and no TSX file
// carries a hard-coded sentence.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { en } from '../src/i18n/en';
import { zh } from '../src/i18n/zh';
import {
    ADMIN_STATUSES,
    ALIVELIST_SHAPES,
    AUDIT_ACTOR_TYPES,
    COUPON_STATUSES,
    CUSTOMER_STATUSES,
    DISCOUNT_TYPES,
    FIELD_ERROR_CODES,
    GIFT_CARD_KINDS,
    GIFT_CARD_STATUSES,
    INVITATION_STATUSES,
    LEDGER_BUCKETS,
    LEDGER_TYPES,
    LOGIN_METHOD_KINDS,
    ORDER_KINDS,
    ORDER_STATUSES,
    PACKAGE_STATUSES,
    PAID_VIA,
    PAYMENT_METHOD_KINDS,
    PAYMENT_STATUSES,
    PROBLEM_CODES,
    PROTOCOLS,
    ROLES,
    TRAFFIC_RESETS,
    WALLET_ADJUSTMENTS,
} from '../src/lib/domain';
import { NAV_GROUPS, NAV_ITEMS } from '../src/lib/nav';

const src = fileURLToPath(new URL('../src', import.meta.url));
const spec = JSON.parse(readFileSync(fileURLToPath(new URL('../../openapi/openapi.json', import.meta.url)), 'utf8'));

function sources(dir: string, out: string[] = []): string[] {
    for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) sources(p, out);
        else if (/\.(ts|tsx)$/.test(name) && !p.includes(`${path.sep}i18n${path.sep}`)) out.push(p);
    }
    return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const enKeys = Object.keys(en).sort();
const zhKeys = Object.keys(zh).sort();

describe('dictionaries', () => {
    it('English and Chinese have the same keys', () => {
        const missingInZh = enKeys.filter((k) => !(k in zh));
        const missingInEn = zhKeys.filter((k) => !(k in en));
        expect({ missingInZh, missingInEn }).toEqual({ missingInZh: [], missingInEn: [] });
    });
    it('no value is empty', () => {
        const empty = [...Object.entries(en), ...Object.entries(zh)].filter(([, v]) => !String(v).trim()).map(([k]) => k);
        expect(empty).toEqual([]);
    });
    it('both languages use the same placeholders', () => {
        const differ = enKeys.filter((k) => placeholders(en[k as keyof typeof en]).join() !== placeholders(zh[k as keyof typeof zh]).join());
        expect(differ).toEqual([]);
    });
    it('the Chinese dictionary is actually translated', () => {
        const same = enKeys.filter((k) => /[a-z]{4,}\s+[a-z]{3,}/i.test(zh[k as keyof typeof zh]) && zh[k as keyof typeof zh] === en[k as keyof typeof en]);
        expect(same).toEqual([]);
    });
});

describe('keys used by the code', () => {
    const files = sources(src);
    const text = files.map((f) => readFileSync(f, 'utf8')).join('\n');

    it('every literal t(…) key exists', () => {
        const used = new Set([...text.matchAll(/\bt\(\s*'([^']+)'/g)].map((m) => m[1]));
        const missing = [...used].filter((k) => !(k in en));
        expect(used.size).toBeGreaterThan(100);
        expect(missing).toEqual([]);
    });
    it('navigation labels exist', () => {
        const missing = [...NAV_ITEMS.map((i) => i.label), ...NAV_GROUPS.map((g) => g.label)].filter((k) => !(k in en));
        expect(missing).toEqual([]);
    });
    it('run-time key families are complete', () => {
        const roleMatrixPerms = new Set<string>();
        for (const item of Object.values(spec.paths) as Record<string, { 'x-helium-permission'?: string }>[]) {
            for (const op of Object.values(item)) {
                const p = op['x-helium-permission'];
                if (p && p !== 'public' && p !== 'self') roleMatrixPerms.add(p);
            }
        }
        const wanted = [
            ...ROLES.map((r) => `role.${r}`),
            ...[...CUSTOMER_STATUSES, ...ADMIN_STATUSES, ...INVITATION_STATUSES].map((s) => `status.${s}`),
            ...[...ORDER_STATUSES, ...GIFT_CARD_STATUSES, ...COUPON_STATUSES, 'archived', 'live', 'enabled'].map((s) => `status.${s}`),
            ...PAYMENT_STATUSES.map((s) => `paymentStatus.${s}`),
            ...ORDER_KINDS.map((k) => `orderKind.${k}`),
            ...PAID_VIA.map((k) => `paidVia.${k}`),
            ...LEDGER_TYPES.map((k) => `ledger.${k}`),
            ...LEDGER_BUCKETS.map((k) => `bucket.${k}`),
            ...WALLET_ADJUSTMENTS.flatMap((k) => [`wallet.kind.${k}`, `wallet.kindHint.${k}`, `wallet.done.${k}`]),
            ...TRAFFIC_RESETS.map((k) => `trafficReset.${k}`),
            ...DISCOUNT_TYPES.map((k) => `discountType.${k}`),
            ...GIFT_CARD_KINDS.map((k) => `giftCardKind.${k}`),
            ...PAYMENT_METHOD_KINDS.map((k) => `payKind.${k}`),
            ...LOGIN_METHOD_KINDS.map((k) => `loginMethod.${k}`),
            ...PROTOCOLS.map((p) => `protocol.${p}`),
            ...ALIVELIST_SHAPES.map((s) => `alivelistShape.${s}`),
            ...PACKAGE_STATUSES.map((s) => `packageStatus.${s}`),
            ...AUDIT_ACTOR_TYPES.map((a) => `actor.${a}`),
            ...FIELD_ERROR_CODES.map((c) => `field.${c}`),
            ...PROBLEM_CODES.map((c) => `error.${c}`),
            ...['added', 'removed', 'changed', 'same'].map((k) => `audit.kind.${k}`),
            ...['auth', 'admin-jwt', 'telecom', 'shop', 'affiliate', 'mailer'].map((k) => `config.module.${k}`),
            ...[...roleMatrixPerms].map((p) => `perm.${p}`),
        ];
        expect(wanted.filter((k) => !(k in en))).toEqual([]);
    });
    it('no TSX file hard-codes visible text', () => {
        const offenders: string[] = [];
        for (const f of files.filter((p) => p.endsWith('.tsx'))) {
            const body = readFileSync(f, 'utf8')
                .replace(/\/\/.*$/gm, '')
                .replace(/\/\*[\s\S]*?\*\//g, '');
            // Text between tags: >Some words<
            for (const m of body.matchAll(/(?<![=\-])>\s*([A-Za-z\u4e00-\u9fff][^<>{}\n;=()]*?)\s*</g)) {
                if (/[A-Za-z\u4e00-\u9fff]{2,}/.test(m[1] ?? '')) offenders.push(`${path.basename(f)}: text "${m[1]}"`);
            }
            // Literal strings in user-facing attributes.
            for (const m of body.matchAll(/\b(label|placeholder|title|aria-label|description|alt)="([^"]*[A-Za-z\u4e00-\u9fff][^"]*)"/g)) {
                offenders.push(`${path.basename(f)}: ${m[1]}="${m[2]}"`);
            }
        }
        expect(offenders).toEqual([]);
    });
});
