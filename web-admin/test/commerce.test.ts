// The commerce screens' conversions and rules: amounts typed in major units to exact minor
// units, a percentage to the coupon's decimal rate, GB to bytes, idempotency keys (one per
// dialog, a new one only after a definite refusal), the derived states of gift cards and
// coupons, and what is left to refund of an order.

import { HeliumProblemError } from '@helium/sdk';
import { describe, expect, it } from 'vitest';
import { couponStatus, giftCardStatus } from '../src/lib/domain';
import { bytesToGb, gbToBytes, parseWhole, percentToRate, rateToPercent, toMajorInput, toMinorUnits } from '../src/lib/format';
import { newIdempotencyKey, refusedForGood } from '../src/lib/idempotency';
import { refundableAmount, refundAmountValid } from '../src/lib/refunds';

describe('money typed in major units', () => {
    it('converts exactly, with the currency’s fraction digits', () => {
        expect(toMinorUnits('12.5', 'CNY')).toBe(1250);
        expect(toMinorUnits('12.50', 'CNY')).toBe(1250);
        expect(toMinorUnits('0.01', 'USD')).toBe(1);
        expect(toMinorUnits('100', 'CNY')).toBe(10000);
        expect(toMinorUnits('.5', 'CNY')).toBe(50);
        expect(toMinorUnits(' 7 ', 'CNY')).toBe(700);
        expect(toMinorUnits('500', 'JPY')).toBe(500);
        expect(toMinorUnits('1.234', 'KWD')).toBe(1234);
        // 0.1 + 0.2 style float error would give 1229.9999…
        expect(toMinorUnits('12.30', 'USD')).toBe(1230);
        expect(toMinorUnits('1234567.89', 'USD')).toBe(123456789);
    });
    it('refuses what is not an amount', () => {
        for (const bad of ['', '.', '-1', '1.234', '1,5', 'abc', '1e3', '12.5.1']) expect(toMinorUnits(bad, 'CNY'), bad).toBeNull();
        expect(toMinorUnits('1.5', 'JPY')).toBeNull();
        expect(toMinorUnits('99999999999999999', 'CNY')).toBeNull();
    });
    it('shows minor units back in major units', () => {
        expect(toMajorInput(1250, 'CNY')).toBe('12.50');
        expect(toMajorInput(5, 'USD')).toBe('0.05');
        expect(toMajorInput(500, 'JPY')).toBe('500');
        expect(toMajorInput(-150, 'USD')).toBe('-1.50');
        expect(toMajorInput(null, 'USD')).toBe('');
    });
});

describe('coupon rate from a percentage', () => {
    it('divides by 100 exactly, as a decimal string', () => {
        expect(percentToRate('15')).toBe('0.15');
        expect(percentToRate('12.5')).toBe('0.125');
        expect(percentToRate('0.5')).toBe('0.005');
        expect(percentToRate('100')).toBe('1');
        expect(percentToRate('5')).toBe('0.05');
        expect(percentToRate('33.33')).toBe('0.3333');
        expect(percentToRate('050')).toBe('0.5');
    });
    it('refuses 0, above 100 and more than two decimals', () => {
        for (const bad of ['0', '0.00', '100.01', '150', '12.345', '', 'x', '-5']) expect(percentToRate(bad), bad).toBeNull();
    });
    it('shows a rate as a percentage', () => {
        expect(rateToPercent('0.15')).toBe('15');
        expect(rateToPercent('0.125')).toBe('12.5');
        expect(rateToPercent('1')).toBe('100');
        expect(rateToPercent('0.0050')).toBe('0.5');
        expect(rateToPercent(null)).toBe('');
    });
});

describe('traffic and whole numbers', () => {
    it('GB (1024³ bytes) to bytes and back', () => {
        expect(gbToBytes('100')).toBe(100 * 1024 ** 3);
        expect(gbToBytes('0.5')).toBe(512 * 1024 ** 2);
        expect(gbToBytes('1048576')).toBe(2 ** 50);
        expect(gbToBytes('1048577')).toBeNull();
        expect(gbToBytes('0')).toBeNull();
        expect(gbToBytes('abc')).toBeNull();
        expect(bytesToGb(100 * 1024 ** 3)).toBe('100');
        expect(bytesToGb(1.5 * 1024 ** 3, 'en-US')).toBe('1.5');
    });
    it('whole numbers within bounds', () => {
        expect(parseWhole('30', 1, 3660)).toBe(30);
        expect(parseWhole('0', 1, 3660)).toBeNull();
        expect(parseWhole('3661', 1, 3660)).toBeNull();
        expect(parseWhole('1.5', 1, 10)).toBeNull();
        expect(parseWhole('', 1, 10)).toBeNull();
    });
});

describe('idempotency keys', () => {
    it('are random UUIDs', () => {
        const a = newIdempotencyKey();
        expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(newIdempotencyKey()).not.toBe(a);
    });
    it('fall back to getRandomValues without randomUUID (plain http)', () => {
        const original = globalThis.crypto.randomUUID;
        Object.defineProperty(globalThis.crypto, 'randomUUID', { value: undefined, configurable: true });
        try {
            expect(newIdempotencyKey()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        } finally {
            Object.defineProperty(globalThis.crypto, 'randomUUID', { value: original, configurable: true });
        }
    });
    it('are replaced only after a definite refusal, never after a lost answer', () => {
        const problem = (status: number, code: string) => new HeliumProblemError(status, { code, title: code });
        expect(refusedForGood(problem(409, 'insufficient_funds'))).toBe(true);
        expect(refusedForGood(problem(422, 'validation_failed'))).toBe(true);
        expect(refusedForGood(problem(409, 'idempotency_key_in_progress'))).toBe(false);
        expect(refusedForGood(problem(503, 'service_unavailable'))).toBe(false);
        expect(refusedForGood(new TypeError('Failed to fetch'))).toBe(false);
    });
});

describe('derived states', () => {
    const now = Date.parse('2026-03-01T00:00:00Z');
    const card = { disabled: false, expiresAt: null as Date | null, redemptions: 0, maxRedemptions: 1 };
    it('gift cards: disabled, redeemed, expired, active', () => {
        expect(giftCardStatus(card, now)).toBe('active');
        expect(giftCardStatus({ ...card, redemptions: 1 }, now)).toBe('redeemed');
        expect(giftCardStatus({ ...card, expiresAt: new Date(now - 1) }, now)).toBe('expired');
        expect(giftCardStatus({ ...card, disabled: true, redemptions: 1 }, now)).toBe('disabled');
    });
    it('coupons: inactive, scheduled, expired, used up, active', () => {
        const c = { active: true, startsAt: new Date(now - 1000), endsAt: new Date(now + 1000), uses: 0, maxUses: 2 };
        expect(couponStatus(c, now)).toBe('active');
        expect(couponStatus({ ...c, active: false }, now)).toBe('inactive');
        expect(couponStatus({ ...c, startsAt: new Date(now + 10) }, now)).toBe('scheduled');
        expect(couponStatus({ ...c, endsAt: new Date(now) }, now)).toBe('expired');
        expect(couponStatus({ ...c, uses: 2 }, now)).toBe('exhausted');
        expect(couponStatus({ ...c, uses: 200, maxUses: null }, now)).toBe('active');
    });
});

describe('refunds', () => {
    const money = (amount: number) => ({ amount, currency: 'CNY' });
    const order = { kind: 'purchase', status: 'delivered', total: money(1990), refundAmount: null as { amount: number; currency: string } | null };
    it('paid or delivered orders may be refunded in full', () => {
        expect(refundableAmount(order)).toBe(1990);
        expect(refundableAmount({ ...order, status: 'paid', kind: 'renewal' })).toBe(1990);
        expect(refundableAmount({ ...order, refundAmount: undefined })).toBe(1990);
    });
    it('partial refunds add up to at most the total: a refunded order with something left may be refunded again', () => {
        expect(refundableAmount({ ...order, status: 'refunded', refundAmount: money(500) })).toBe(1490);
        expect(refundableAmount({ ...order, status: 'refunded', refundAmount: money(1989) })).toBe(1);
        expect(refundableAmount({ ...order, status: 'refunded', refundAmount: money(1990) })).toBeNull();
    });
    it('unpaid and cancelled orders, and top-ups, never', () => {
        expect(refundableAmount({ ...order, status: 'unpaid' })).toBeNull();
        expect(refundableAmount({ ...order, status: 'cancelled' })).toBeNull();
        for (const status of ['paid', 'delivered', 'refunded']) expect(refundableAmount({ ...order, kind: 'top_up', status }), status).toBeNull();
        expect(refundableAmount({ ...order, kind: 'top_up', status: 'refunded', refundAmount: money(100) })).toBeNull();
    });
    it('a free order may be refunded (of nothing)', () => {
        expect(refundableAmount({ ...order, total: money(0) })).toBe(0);
    });
    it('a typed amount is above zero and at most what is left', () => {
        expect(refundAmountValid(1490, 1490)).toBe(true);
        expect(refundAmountValid(1, 1490)).toBe(true);
        expect(refundAmountValid(1491, 1490)).toBe(false);
        expect(refundAmountValid(0, 1490)).toBe(false);
        expect(refundAmountValid(null, 1490)).toBe(false);
        expect(refundAmountValid(toMinorUnits('14.90', 'CNY'), 1490)).toBe(true);
        expect(refundAmountValid(toMinorUnits('14.91', 'CNY'), 1490)).toBe(false);
    });
});
