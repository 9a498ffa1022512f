// Staff wallet operations (tag wallet): a customer's wallet and ledger, adjustments (deposit,
// consume, freeze, unfreeze; never below zero; Idempotency-Key), gift-card batches (codes only
// in the one-time CSV export), special codes, the masked card list, lookup by code and
// disabling a card.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapAdmin } from './admin_kit.mjs';
import {
    CURRENCY,
    GHOST,
    adjust,
    client,
    customer,
    deposit,
    expectProblem,
    ik,
    sqlString,
    staff,
    tag,
    useShopServer,
} from './shop_kit.mjs';

const server = useShopServer();

const money = (amount) => ({ amount, currency: CURRENCY });
const inDays = (days) => new Date(Date.now() + days * 86_400_000);
/** A printed batch code: 26 base32 characters in groups of four. */
const PRINTED_CODE = /^[A-Z2-7]{4}(?:-[A-Z2-7]{4}){5}-[A-Z2-7]{2}$/;

/** As the customer: redeemGiftCard with a fresh key. */
function redeem(buyer, code, idempotencyKey = ik('redeem')) {
    return buyer.client.wallet.redeemGiftCard({ idempotencyKey, redeemGiftCardRequest: { code } });
}

/** The rows of an export: [{ code, value, currency, expires_at }]. */
function parseCsv(text) {
    const [header, ...rows] = text.trimEnd().split('\n');
    assert.equal(header, 'code,value,currency,expires_at');
    return rows.map((line) => {
        const [code, value, currency, expiresAt] = line.split(',');
        return { code, value: Number(value), currency, expiresAt };
    });
}

/** As a Moderator: a batch of `count` cards worth `value`; { batch, codes } (exported). */
async function batchWithCodes(count = 2, value = 300, extra = {}) {
    const mod = await staff('moderator');
    const batch = await mod.client.wallet.adminCreateGiftCardBatch({
        idempotencyKey: ik('batch'),
        giftCardBatchRequest: { name: `Batch ${tag()}`, count, value, ...extra },
    });
    const codes = parseCsv(await mod.client.wallet.adminExportGiftCardBatch({ id: batch.id })).map((r) => r.code);
    return { batch, codes };
}

// ---------------------------------------------------------------- wallets

test('adminGetWallet: a customer\'s balances; a fresh wallet is empty', async () => {
    const buyer = await customer('w-get');
    const bot = await staff('support_bot');
    const fresh = await bot.client.wallet.adminGetWallet({ userId: buyer.id });
    assert.deepEqual(fresh.available, money(0));
    assert.deepEqual(fresh.frozen, money(0));
    await deposit((await staff('super_admin')).client, buyer.id, 1234);
    const after = await bot.client.wallet.adminGetWallet({ userId: buyer.id });
    assert.deepEqual(after.available, money(1234));
    assert.ok(after.updatedAt instanceof Date);
    assert.deepEqual(await buyer.client.wallet.getWallet(), after, 'the customer sees the same');
    await expectProblem(bot.client.wallet.adminGetWallet({ userId: GHOST }), 404, 'not_found');
});

test('adminAdjustWallet: deposit, consume, freeze and unfreeze move the balances; never below zero', async () => {
    const buyer = await customer('w-adjust');
    const mod = await staff('moderator');
    const key = ik('adj');
    const raw = await mod.client.wallet.adminAdjustWalletRaw({
        userId: buyer.id,
        idempotencyKey: key,
        walletAdjustmentRequest: { kind: 'deposit', amount: 5000, reason: 'goodwill credit' },
    });
    assert.equal(raw.raw.status, 201);
    const first = await raw.value();
    assert.ok(Number.isInteger(first.ledgerEntryId), 'the id of the entry the ledger lists');
    const ledger = await mod.client.wallet.adminListWalletLedger({ userId: buyer.id });
    assert.equal(ledger.items[0].id, first.ledgerEntryId);
    assert.deepEqual(first.wallet.available, money(5000));
    // The same key replays the first answer: no second deposit.
    const replay = await mod.client.wallet.adminAdjustWalletRaw({
        userId: buyer.id,
        idempotencyKey: key,
        walletAdjustmentRequest: { kind: 'deposit', amount: 5000, reason: 'goodwill credit' },
    });
    assert.equal(replay.raw.headers.get('idempotent-replayed'), 'true');
    assert.equal((await replay.value()).ledgerEntryId, first.ledgerEntryId);
    await expectProblem(
        adjust(mod.client, buyer.id, 1, { idempotencyKey: key }),
        422,
        'idempotency_key_reused',
    );

    const consumed = await adjust(mod.client, buyer.id, 1000, { kind: 'consume', reason: 'manual charge' });
    assert.deepEqual(consumed.wallet.available, money(4000));
    const frozen = await adjust(mod.client, buyer.id, 1500, { kind: 'freeze', reason: 'dispute' });
    assert.deepEqual(frozen.wallet.available, money(2500));
    assert.deepEqual(frozen.wallet.frozen, money(1500));
    const unfrozen = await adjust(mod.client, buyer.id, 500, { kind: 'unfreeze', reason: 'partly settled' });
    assert.deepEqual(unfrozen.wallet.available, money(3000));
    assert.deepEqual(unfrozen.wallet.frozen, money(1000));

    await expectProblem(adjust(mod.client, buyer.id, 3001, { kind: 'consume' }), 409, 'insufficient_funds');
    await expectProblem(adjust(mod.client, buyer.id, 3001, { kind: 'freeze' }), 409, 'insufficient_funds');
    await expectProblem(adjust(mod.client, buyer.id, 1001, { kind: 'unfreeze' }), 409, 'insufficient_frozen_funds');
    const wallet = await buyer.client.wallet.getWallet();
    assert.deepEqual([wallet.available, wallet.frozen], [money(3000), money(1000)], 'refusals changed nothing');
    const audit = await server.sql(
        `SELECT count(*) FROM staff.audit_log WHERE action = 'wallet.adjust' AND target_id = ${sqlString(buyer.id)}`,
    );
    assert.equal(audit, '4', 'one audit row per adjustment');
    const reason = await server.sql(
        `SELECT reason FROM staff.audit_log WHERE action = 'wallet.adjust' AND target_id = ${sqlString(buyer.id)} ORDER BY at LIMIT 1`,
    );
    assert.equal(reason, 'goodwill credit');
});

test('adminListWalletLedger: signed entries, newest first, filtered by type', async () => {
    const buyer = await customer('w-ledger');
    const boss = await staff('super_admin');
    await adjust(boss.client, buyer.id, 2000, { reason: 'first' });
    await adjust(boss.client, buyer.id, 300, { kind: 'consume', reason: 'second' });
    await adjust(boss.client, buyer.id, 700, { kind: 'freeze', reason: 'third' });
    const cs = await staff('customer_support');
    const ledger = await cs.client.wallet.adminListWalletLedger({ userId: buyer.id });
    const rows = ledger.items.map((e) => [e.type, e.bucket, e.amount, e.reason]);
    // A freeze is two lines of one posting (their order among themselves is not specified).
    assert.deepEqual(
        rows.slice(0, 2).sort(),
        [
            ['freeze', 'available', -700, 'third'],
            ['freeze', 'frozen', 700, 'third'],
        ],
    );
    assert.deepEqual(rows.slice(2), [
        ['adjustment', 'available', -300, 'second'],
        ['adjustment', 'available', 2000, 'first'],
    ]);
    assert.ok(ledger.items.every((e) => e.createdAt instanceof Date && Number.isInteger(e.id)));
    const onlyAdjustments = await cs.client.wallet.adminListWalletLedger({ userId: buyer.id, type: 'adjustment' });
    assert.deepEqual(onlyAdjustments.items.map((e) => e.amount), [-300, 2000]);
    const page = await cs.client.wallet.adminListWalletLedger({ userId: buyer.id, limit: 3 });
    assert.equal(page.items.length, 3);
    const rest = await cs.client.wallet.adminListWalletLedger({ userId: buyer.id, limit: 3, cursor: page.nextCursor });
    assert.deepEqual(rest.items.map((e) => e.reason), ['first']);
    assert.deepEqual(await buyer.client.wallet.listWalletLedger(), ledger, 'the customer reads the same ledger');
    const future = await cs.client.wallet.adminListWalletLedger({ userId: buyer.id, from: inDays(1).toISOString() });
    assert.deepEqual(future.items, []);
});

// ---------------------------------------------------------------- gift cards

test('adminCreateGiftCardBatch: 201, the codes are not in the answer; the same key makes one batch', async () => {
    const mod = await staff('moderator');
    const key = ik('batch');
    const request = { name: `Launch ${tag()}`, count: 3, value: 500, expiresAt: inDays(30) };
    const raw = await mod.client.wallet.adminCreateGiftCardBatchRaw({ idempotencyKey: key, giftCardBatchRequest: request });
    assert.equal(raw.raw.status, 201);
    const batch = await raw.value();
    assert.equal(batch.name, request.name);
    assert.equal(batch.count, 3);
    assert.deepEqual(batch.value, money(500));
    assert.ok(Math.abs(batch.expiresAt.getTime() - request.expiresAt.getTime()) < 1000);
    assert.equal(batch.createdBy, `admin:${mod.id}`);
    assert.equal(batch.exportedAt ?? null, null);
    const again = await mod.client.wallet.adminCreateGiftCardBatch({ idempotencyKey: key, giftCardBatchRequest: request });
    assert.equal(again.id, batch.id);
    const cards = await mod.client.wallet.adminListGiftCards({ batchId: batch.id });
    assert.equal(cards.items.length, 3, 'three cards, one batch');
    assert.ok(cards.items.every((c) => c.kind === 'batch' && c.batchId === batch.id && c.maxRedemptions === 1));

    const err = await expectProblem(
        mod.client.wallet.adminCreateGiftCardBatch({
            idempotencyKey: ik(),
            giftCardBatchRequest: { name: 'too many', count: 10_001, value: 1 },
        }),
        422,
        'validation_failed',
    );
    assert.ok(err.errors.some((e) => e.field === 'count'), JSON.stringify(err.errors));
});

test('adminListGiftCardBatches: newest first, exported_at once exported', async () => {
    const mod = await staff('moderator');
    const a = await mod.client.wallet.adminCreateGiftCardBatch({
        idempotencyKey: ik(),
        giftCardBatchRequest: { name: `A ${tag()}`, count: 1, value: 100 },
    });
    const { batch: b } = await batchWithCodes(1, 200);
    const cs = await staff('customer_support');
    const page = await cs.client.wallet.adminListGiftCardBatches({ limit: 100 });
    const ids = page.items.map((x) => x.id);
    assert.ok(ids.indexOf(b.id) >= 0 && ids.indexOf(b.id) < ids.indexOf(a.id), 'newest first');
    assert.ok(page.items.find((x) => x.id === b.id).exportedAt instanceof Date);
    assert.equal(page.items.find((x) => x.id === a.id).exportedAt ?? null, null);
    const one = await cs.client.wallet.adminListGiftCardBatches({ limit: 1 });
    assert.deepEqual(one.items.map((x) => x.id), [b.id]);
});

test('adminExportGiftCardBatch: the codes as CSV text once (audited); a second export is 409', async () => {
    const mod = await staff('moderator');
    const expiresAt = inDays(10);
    const batch = await mod.client.wallet.adminCreateGiftCardBatch({
        idempotencyKey: ik(),
        giftCardBatchRequest: { name: `Export ${tag()}`, count: 3, value: 250, expiresAt },
    });
    const raw = await mod.client.wallet.adminExportGiftCardBatchRaw({ id: batch.id });
    assert.match(raw.raw.headers.get('content-type'), /^text\/csv/);
    assert.equal(raw.raw.headers.get('cache-control'), 'no-store');
    assert.match(raw.raw.headers.get('content-disposition') ?? '', /attachment; filename="gift-cards-/);
    const text = await raw.value();
    assert.equal(typeof text, 'string');
    const rows = parseCsv(text);
    assert.equal(rows.length, 3);
    for (const row of rows) {
        assert.match(row.code, PRINTED_CODE);
        assert.equal(row.value, 250);
        assert.equal(row.currency, CURRENCY);
        assert.ok(Math.abs(new Date(row.expiresAt).getTime() - expiresAt.getTime()) < 1000);
    }
    assert.equal(new Set(rows.map((r) => r.code)).size, 3, 'distinct codes');
    await expectProblem(mod.client.wallet.adminExportGiftCardBatch({ id: batch.id }), 409, 'invalid_state');
    const audit = await server.sql(
        `SELECT action || '|' || actor_role FROM staff.audit_log WHERE target_id = ${sqlString(batch.id)} ORDER BY at`,
    );
    assert.deepEqual(audit.split('\n'), ['gift_card_batch.create|moderator', 'gift_card_batch.export|moderator']);
    assert.ok(!audit.includes(rows[0].code.slice(0, 8)));
    const listed = await mod.client.wallet.adminListGiftCards({ batchId: batch.id });
    const hints = listed.items.map((c) => c.codeHint).sort();
    assert.deepEqual(hints, rows.map((r) => r.code.replaceAll('-', '').slice(-4)).sort(), 'hints are the last four');
    const cs = await staff('customer_support');
    await expectProblem(cs.client.wallet.adminExportGiftCardBatch({ id: batch.id }), 403, 'permission_denied');
    await expectProblem(mod.client.wallet.adminExportGiftCardBatch({ id: GHOST }), 404, 'not_found');
});

test('adminExportGiftCardBatch: staff without TOTP get 403 mfa_required', async () => {
    const mod = await staff('moderator');
    const batch = await mod.client.wallet.adminCreateGiftCardBatch({
        idempotencyKey: ik(),
        giftCardBatchRequest: { name: `No MFA ${tag()}`, count: 1, value: 100 },
    });
    const noTotp = await bootstrapAdmin(server, { role: 'moderator' });
    await expectProblem(client(noTotp.accessToken).wallet.adminExportGiftCardBatch({ id: batch.id }), 403, 'mfa_required');
    const listed = (await mod.client.wallet.adminListGiftCardBatches({ limit: 100 })).items.find((b) => b.id === batch.id);
    assert.equal(listed.exportedAt ?? null, null, 'not exported');
});

test('adminCreateSpecialGiftCard: a branded code with a redemption limit; a taken code is 409', async () => {
    const boss = await staff('super_admin');
    const code = `WELCOME_${tag()}`;
    const raw = await boss.client.wallet.adminCreateSpecialGiftCardRaw({
        idempotencyKey: ik(),
        specialGiftCardRequest: { code: code.toLowerCase(), value: 800, maxRedemptions: 2 },
    });
    assert.equal(raw.raw.status, 201);
    const card = await raw.value();
    assert.equal(card.kind, 'special');
    assert.equal(card.batchId ?? null, null);
    assert.equal(card.codeHint, code.slice(-4));
    assert.deepEqual(card.value, money(800));
    assert.equal(card.maxRedemptions, 2);
    assert.equal(card.redemptions, 0);
    assert.equal(card.disabled, false);
    assert.ok(!JSON.stringify(await boss.client.wallet.adminGetGiftCard({ id: card.id })).includes(code), 'masked');

    const [a, b, c] = [await customer('special-a'), await customer('special-b'), await customer('special-c')];
    const credited = await redeem(a, code);
    assert.deepEqual(credited.credited, money(800));
    assert.deepEqual(credited.wallet.available, money(800));
    await expectProblem(redeem(a, code), 409, 'gift_card_already_redeemed', 'the same customer twice');
    assert.deepEqual((await redeem(b, `  ${code.toLowerCase()} `)).credited, money(800));
    await expectProblem(redeem(c, code), 409, 'gift_card_exhausted', 'beyond max_redemptions');
    assert.deepEqual((await c.client.wallet.getWallet()).available, money(0));
    assert.equal((await boss.client.wallet.adminGetGiftCard({ id: card.id })).redemptions, 2);

    await expectProblem(
        boss.client.wallet.adminCreateSpecialGiftCard({
            idempotencyKey: ik(),
            specialGiftCardRequest: { code, value: 1, maxRedemptions: 1 },
        }),
        409,
        'gift_card_code_taken',
    );
    const err = await expectProblem(
        boss.client.wallet.adminCreateSpecialGiftCard({
            idempotencyKey: ik(),
            specialGiftCardRequest: { code: 'abc', value: 1, maxRedemptions: 1 },
        }),
        422,
        'validation_failed',
    );
    assert.ok(err.errors.some((e) => e.field === 'code'), JSON.stringify(err.errors));
});

test('adminListGiftCards: codes masked, filtered by batch, status and redeemer', async () => {
    const { batch, codes } = await batchWithCodes(3, 150);
    const buyer = await customer('list-cards');
    await redeem(buyer, codes[0]);
    const cs = await staff('customer_support');
    const raw = await cs.client.wallet.adminListGiftCardsRaw({ batchId: batch.id });
    const text = await raw.raw.clone().text();
    for (const code of codes) {
        assert.ok(!text.includes(code) && !text.includes(code.replaceAll('-', '')), 'a listed card shows its code');
    }
    const all = (await raw.value()).items;
    assert.equal(all.length, 3);
    assert.ok(all.every((c) => /^[A-Z2-7]{4}$/.test(c.codeHint)), 'only the last four characters');
    const redeemed = await cs.client.wallet.adminListGiftCards({ batchId: batch.id, status: 'redeemed' });
    assert.equal(redeemed.items.length, 1);
    assert.equal(redeemed.items[0].redemptions, 1);
    assert.equal(redeemed.items[0].codeHint, codes[0].replaceAll('-', '').slice(-4));
    const active = await cs.client.wallet.adminListGiftCards({ batchId: batch.id, status: 'active' });
    assert.equal(active.items.length, 2);
    const mine = await cs.client.wallet.adminListGiftCards({ redeemedBy: buyer.id });
    assert.deepEqual(mine.items.map((c) => c.id), redeemed.items.map((c) => c.id));
    const err = await expectProblem(cs.client.wallet.adminListGiftCards({ status: 'lost' }), 422, 'validation_failed');
    assert.ok(err.errors.some((e) => e.field === 'status'), JSON.stringify(err.errors));
});

test('adminLookupGiftCard: the card of a code (in the body), with who redeemed it; unknown is 404', async () => {
    const { batch, codes } = await batchWithCodes(2, 400);
    const buyer = await customer('lookup');
    await redeem(buyer, codes[1]);
    const cs = await staff('customer_support');
    const found = await cs.client.wallet.adminLookupGiftCard({ giftCardLookupRequest: { code: codes[1].toLowerCase() } });
    assert.equal(found.batchId, batch.id);
    assert.equal(found.codeHint, codes[1].replaceAll('-', '').slice(-4));
    assert.equal(found.redemptions, 1);
    assert.deepEqual(found.redemptionList.map((r) => r.userId), [buyer.id]);
    assert.ok(found.redemptionList[0].createdAt instanceof Date);
    const unused = await cs.client.wallet.adminLookupGiftCard({ giftCardLookupRequest: { code: codes[0] } });
    assert.deepEqual(unused.redemptionList, []);
    assert.notEqual(unused.id, found.id);
    await expectProblem(
        cs.client.wallet.adminLookupGiftCard({ giftCardLookupRequest: { code: `NOSUCHCODE${tag()}` } }),
        404,
        'not_found',
    );
    await expectProblem(
        (await staff('support_bot')).client.wallet.adminLookupGiftCard({ giftCardLookupRequest: { code: codes[0] } }),
        403,
        'permission_denied',
    );
});

test('adminGetGiftCard: one card and its redemptions; 404 for an unknown id', async () => {
    const boss = await staff('super_admin');
    const code = `GET_${tag(5)}`;
    const card = await boss.client.wallet.adminCreateSpecialGiftCard({
        idempotencyKey: ik(),
        specialGiftCardRequest: { code, value: 120, maxRedemptions: 5, expiresAt: inDays(3) },
    });
    const [a, b] = [await customer('get-a'), await customer('get-b')];
    await redeem(a, code);
    await redeem(b, code);
    const cs = await staff('customer_support');
    const got = await cs.client.wallet.adminGetGiftCard({ id: card.id });
    assert.equal(got.id, card.id);
    assert.equal(got.kind, 'special');
    assert.equal(got.redemptions, 2);
    assert.ok(got.expiresAt instanceof Date);
    assert.deepEqual(got.redemptionList.map((r) => r.userId).sort(), [a.id, b.id].sort());
    await expectProblem(cs.client.wallet.adminGetGiftCard({ id: GHOST }), 404, 'not_found');
});

test('adminUpdateGiftCard: a disabled card is refused (422 gift_card_disabled) until re-enabled; expiry changes', async () => {
    const { codes } = await batchWithCodes(2, 600);
    const mod = await staff('moderator');
    const card = await mod.client.wallet.adminLookupGiftCard({ giftCardLookupRequest: { code: codes[0] } });
    const disabled = await mod.client.wallet.adminUpdateGiftCard({ id: card.id, giftCardUpdateRequest: { disabled: true } });
    assert.equal(disabled.disabled, true);
    const buyer = await customer('disabled-card');
    await expectProblem(redeem(buyer, codes[0]), 422, 'gift_card_disabled');
    const enabled = await mod.client.wallet.adminUpdateGiftCard({ id: card.id, giftCardUpdateRequest: { disabled: false } });
    assert.equal(enabled.disabled, false);
    const later = inDays(60);
    const moved = await mod.client.wallet.adminUpdateGiftCard({ id: card.id, giftCardUpdateRequest: { expiresAt: later } });
    assert.ok(Math.abs(moved.expiresAt.getTime() - later.getTime()) < 1000);
    assert.deepEqual((await redeem(buyer, codes[0])).credited, money(600));
    await expectProblem(
        mod.client.wallet.adminUpdateGiftCard({ id: card.id, giftCardUpdateRequest: { disabled: true } }),
        409,
        'gift_card_already_redeemed',
        'a redeemed batch card',
    );
    await expectProblem(
        mod.client.wallet.adminUpdateGiftCard({ id: GHOST, giftCardUpdateRequest: { disabled: true } }),
        404,
        'not_found',
    );
    const cs = await staff('customer_support');
    await expectProblem(
        cs.client.wallet.adminUpdateGiftCard({ id: card.id, giftCardUpdateRequest: { disabled: true } }),
        403,
        'permission_denied',
    );
});

test('wallet error path: staff permissions, unknown customers, invalid adjustments, a missing Idempotency-Key', async () => {
    const buyer = await customer('w-errors');
    const boss = await staff('super_admin');
    const cs = await staff('customer_support');
    await expectProblem(adjust(cs.client, buyer.id, 100), 403, 'permission_denied', 'CustomerSupport adjusting');
    await expectProblem(
        cs.client.wallet.adminCreateGiftCardBatch({
            idempotencyKey: ik(),
            giftCardBatchRequest: { name: 'x', count: 1, value: 1 },
        }),
        403,
        'permission_denied',
    );
    const bot = await staff('support_bot');
    await expectProblem(bot.client.wallet.adminListGiftCards(), 403, 'permission_denied', 'SupportBot and gift cards');
    assert.deepEqual((await bot.client.wallet.adminGetWallet({ userId: buyer.id })).available, money(0), 'but reads wallets');
    await expectProblem(client().wallet.adminGetWallet({ userId: buyer.id }), 401, 'unauthenticated');

    await expectProblem(adjust(boss.client, GHOST, 100), 404, 'not_found');
    await expectProblem(boss.client.wallet.adminListWalletLedger({ userId: GHOST }), 404, 'not_found');
    for (const [request, field] of [
        [{ kind: 'steal', amount: 100, reason: 'r' }, 'kind'],
        [{ kind: 'deposit', amount: 0, reason: 'r' }, 'amount'],
        [{ kind: 'deposit', amount: -5, reason: 'r' }, 'amount'],
        [{ kind: 'deposit', amount: 100, reason: '' }, 'reason'],
    ]) {
        const err = await expectProblem(
            boss.client.wallet.adminAdjustWallet({ userId: buyer.id, idempotencyKey: ik(), walletAdjustmentRequest: request }),
            422,
            'validation_failed',
            JSON.stringify(request),
        );
        assert.ok(err.errors.some((e) => e.field === field), `${field}: ${JSON.stringify(err.errors)}`);
    }
    const res = await fetch(`${server.url}/api/v1/admin/wallets/${buyer.id}/adjustments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${boss.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'deposit', amount: 100, reason: 'no key' }),
    });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).code, 'idempotency_key_missing');
    assert.deepEqual((await buyer.client.wallet.getWallet()).available, money(0), 'nothing was credited');
});
