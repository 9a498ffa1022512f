// My wallet (tag wallet): balances, the ledger, redeeming gift cards (each batch code once,
// special codes up to their limit, wrong codes limited) and top-ups (an order of kind top_up,
// paid through a gateway, credited when the gateway confirms).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    CURRENCY,
    client,
    customer,
    deposit,
    epayMethod,
    expectProblem,
    gatewayParams,
    ik,
    sellProduct,
    signedNotify,
    sqlString,
    staff,
    tag,
    useShopServer,
    waitForOrder,
} from './shop_kit.mjs';

const server = useShopServer();

const money = (amount) => ({ amount, currency: CURRENCY });

/** As the customer: redeemGiftCard with a fresh (or the given) key. */
function redeem(buyer, code, idempotencyKey = ik('redeem')) {
    return buyer.client.wallet.redeemGiftCard({ idempotencyKey, redeemGiftCardRequest: { code } });
}

/** As a Moderator: a batch of `count` cards worth `value`, exported: the printed codes. */
async function batchCodes(count, value) {
    const mod = await staff('moderator');
    const batch = await mod.client.wallet.adminCreateGiftCardBatch({
        idempotencyKey: ik('batch'),
        giftCardBatchRequest: { name: `Cards ${tag()}`, count, value },
    });
    const csv = await mod.client.wallet.adminExportGiftCardBatch({ id: batch.id });
    return csv
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((line) => line.split(',')[0]);
}

test('getWallet: a new customer has an empty wallet in the shop currency', async () => {
    const buyer = await customer('wallet');
    const wallet = await buyer.client.wallet.getWallet();
    assert.deepEqual(wallet.available, money(0));
    assert.deepEqual(wallet.frozen, money(0));
    assert.ok(wallet.updatedAt instanceof Date);
    await deposit((await staff('super_admin')).client, buyer.id, 999);
    assert.deepEqual((await buyer.client.wallet.getWallet()).available, money(999));
    await expectProblem(client().wallet.getWallet(), 401, 'unauthenticated');
});

test('listWalletLedger: every movement of my balance, newest first, filtered by type and time', async () => {
    const boss = await staff('super_admin');
    const buyer = await customer('ledger');
    const [code] = await batchCodes(1, 250);
    await deposit(boss.client, buyer.id, 2000);
    await redeem(buyer, code);
    const { product } = await sellProduct(boss.client, { price: 1200 });
    const placed = await buyer.client.shop.createOrder({ idempotencyKey: ik(), createOrderRequest: { productId: product.id } });
    await buyer.client.shop.payOrderWithWallet({ id: placed.id, idempotencyKey: ik() });

    const ledger = await buyer.client.wallet.listWalletLedger();
    assert.deepEqual(
        ledger.items.map((e) => [e.type, e.bucket, e.amount]),
        [
            ['order_payment', 'available', -1200],
            ['gift_card', 'available', 250],
            ['adjustment', 'available', 2000],
        ],
    );
    assert.equal(ledger.items[0].orderId, placed.id);
    assert.equal(ledger.items[0].reason, `order ${placed.tradeNo}`);
    assert.equal(ledger.items[1].reason, `gift card …${code.replaceAll('-', '').slice(-4)}`);
    assert.equal(ledger.items[2].orderId ?? null, null);
    assert.deepEqual((await buyer.client.wallet.getWallet()).available, money(1050), 'the entries add up');

    const gifts = await buyer.client.wallet.listWalletLedger({ type: 'gift_card' });
    assert.deepEqual(gifts.items.map((e) => e.amount), [250]);
    const page = await buyer.client.wallet.listWalletLedger({ limit: 2 });
    assert.equal(page.items.length, 2);
    const rest = await buyer.client.wallet.listWalletLedger({ limit: 2, cursor: page.nextCursor });
    assert.deepEqual(rest.items.map((e) => e.type), ['adjustment']);
    const since = await buyer.client.wallet.listWalletLedger({ from: new Date(Date.now() + 60_000).toISOString() });
    assert.deepEqual(since.items, []);
    const until = await buyer.client.wallet.listWalletLedger({ to: new Date(Date.now() - 3600_000).toISOString() });
    assert.deepEqual(until.items, []);
    const stranger = await customer('ledger-other');
    assert.deepEqual((await stranger.client.wallet.listWalletLedger()).items, [], 'nobody else\'s entries');
    await expectProblem(buyer.client.wallet.listWalletLedger({ type: 'theft' }), 422, 'validation_failed');
});

test('redeemGiftCard: each batch code credits once; the second time is 409 gift_card_already_redeemed', async () => {
    const codes = await batchCodes(2, 300);
    const buyer = await customer('redeemer');
    const key = ik('redeem');
    const first = await buyer.client.wallet.redeemGiftCardRaw({ idempotencyKey: key, redeemGiftCardRequest: { code: codes[0] } });
    assert.equal(first.raw.status, 200);
    const credited = await first.value();
    assert.deepEqual(credited.credited, money(300));
    assert.deepEqual(credited.wallet.available, money(300));
    // A retry with the same key replays the answer: still one credit.
    const replay = await buyer.client.wallet.redeemGiftCardRaw({ idempotencyKey: key, redeemGiftCardRequest: { code: codes[0] } });
    assert.equal(replay.raw.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual((await replay.value()).credited, money(300));
    await expectProblem(redeem(buyer, codes[0]), 409, 'gift_card_already_redeemed', 'the same card again');
    const other = await customer('redeemer-2');
    await expectProblem(redeem(other, codes[0]), 409, 'gift_card_already_redeemed', 'a batch card is used up');

    // Codes are typed loosely: case, dashes and spaces do not matter.
    const loose = codes[1].replaceAll('-', ' ').toLowerCase();
    assert.deepEqual((await redeem(buyer, loose)).wallet.available, money(600));
    assert.deepEqual((await buyer.client.wallet.getWallet()).available, money(600));
    assert.deepEqual((await other.client.wallet.getWallet()).available, money(0));
    const entries = await buyer.client.wallet.listWalletLedger({ type: 'gift_card' });
    assert.equal(entries.items.length, 2, 'one ledger entry per card');
});

test('redeemGiftCard: expired, disabled and unknown codes are 422; a special code runs out (409 gift_card_exhausted)', async () => {
    const codes = await batchCodes(2, 100);
    const mod = await staff('moderator');
    const buyer = await customer('refused');
    const expired = await mod.client.wallet.adminLookupGiftCard({ giftCardLookupRequest: { code: codes[0] } });
    await server.sql(
        `UPDATE wallet.gift_cards SET expires_at = now() - interval '1 minute' WHERE id = ${sqlString(expired.id)}`,
    );
    await expectProblem(redeem(buyer, codes[0]), 422, 'gift_card_expired');
    const disabled = await mod.client.wallet.adminLookupGiftCard({ giftCardLookupRequest: { code: codes[1] } });
    await mod.client.wallet.adminUpdateGiftCard({ id: disabled.id, giftCardUpdateRequest: { disabled: true } });
    await expectProblem(redeem(buyer, codes[1]), 422, 'gift_card_disabled');
    await expectProblem(redeem(buyer, `NOPE${tag(8)}`), 422, 'gift_card_not_found');

    const special = `ONCE_${tag()}`;
    await mod.client.wallet.adminCreateSpecialGiftCard({
        idempotencyKey: ik(),
        specialGiftCardRequest: { code: special, value: 50, maxRedemptions: 1 },
    });
    assert.deepEqual((await redeem(buyer, special)).credited, money(50));
    await expectProblem(redeem(await customer('late'), special), 409, 'gift_card_exhausted');
    assert.deepEqual((await buyer.client.wallet.getWallet()).available, money(50), 'only the special code paid out');
});

test('createTopUp: an unpaid order of kind top_up; the wallet is credited when the gateway confirms', async () => {
    const boss = await staff('super_admin');
    const gateway = await epayMethod(boss.client);
    const buyer = await customer('topup');
    const key = ik('top');
    const raw = await buyer.client.wallet.createTopUpRaw({ idempotencyKey: key, createTopUpRequest: { amount: 5000 } });
    assert.equal(raw.raw.status, 201);
    const topUp = await raw.value();
    assert.equal(raw.raw.headers.get('location'), `/api/v1/orders/${topUp.id}`);
    assert.equal(topUp.kind, 'top_up');
    assert.equal(topUp.status, 'unpaid');
    assert.equal(topUp.productId ?? null, null);
    assert.deepEqual(topUp.total, money(5000));
    assert.deepEqual(topUp.discount, money(0));
    const again = await buyer.client.wallet.createTopUp({ idempotencyKey: key, createTopUpRequest: { amount: 5000 } });
    assert.equal(again.id, topUp.id, 'the same key, the same top-up');
    assert.deepEqual(
        (await buyer.client.shop.listOrders()).items.map((o) => [o.id, o.kind]),
        [[topUp.id, 'top_up']],
    );

    await deposit(boss.client, buyer.id, 10_000);
    await expectProblem(
        buyer.client.shop.payOrderWithWallet({ id: topUp.id, idempotencyKey: ik() }),
        409,
        'order_not_payable',
        'a top-up paid from the wallet',
    );
    const started = await buyer.client.shop.startGatewayPayment({
        id: topUp.id,
        idempotencyKey: ik(),
        startGatewayPaymentRequest: { paymentMethodId: gateway.method.id },
    });
    assert.equal(gatewayParams(started.redirectUrl).money, '50');
    assert.equal(await client().webhooks.epayNotifyPost(signedNotify(started.redirectUrl, gateway.key)), 'success');
    const done = await waitForOrder(buyer.client, topUp.id, 'delivered');
    assert.equal(done.paidVia, 'gateway');
    assert.deepEqual((await buyer.client.wallet.getWallet()).available, money(15_000));
    const credit = await buyer.client.wallet.listWalletLedger({ type: 'top_up' });
    assert.deepEqual(credit.items.map((e) => [e.amount, e.orderId]), [[5000, topUp.id]]);
});

test('wallet error path: top-ups outside the shop bounds, bad codes, too many wrong codes, no key, no token', async () => {
    const buyer = await customer('wallet-errors');
    // shop.top_up_min = 100, top_up_max = 10 000 000 minor units.
    await expectProblem(
        buyer.client.wallet.createTopUp({ idempotencyKey: ik(), createTopUpRequest: { amount: 99 } }),
        422,
        'top_up_out_of_range',
    );
    await expectProblem(
        buyer.client.wallet.createTopUp({ idempotencyKey: ik(), createTopUpRequest: { amount: 10_000_001 } }),
        422,
        'top_up_out_of_range',
    );
    for (const amount of [0, -500]) {
        await expectProblem(
            buyer.client.wallet.createTopUp({ idempotencyKey: ik(), createTopUpRequest: { amount } }),
            422,
            'top_up_out_of_range',
            `amount ${amount}`,
        );
    }
    assert.deepEqual((await buyer.client.shop.listOrders()).items, [], 'no order was made');
    const short = await expectProblem(redeem(buyer, 'ab'), 422, 'validation_failed');
    assert.ok(short.errors.some((e) => e.field === 'code'), JSON.stringify(short.errors));
    await expectProblem(
        buyer.client.wallet.redeemGiftCard({ idempotencyKey: '', redeemGiftCardRequest: { code: 'ABCDEFGH' } }),
        400,
        'idempotency_key_invalid',
    );
    const res = await fetch(`${server.url}/api/v1/gift-cards/redeem`, {
        method: 'POST',
        headers: { authorization: `Bearer ${buyer.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ code: 'ABCDEFGH' }),
    });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).code, 'idempotency_key_missing');

    // Wrong codes are limited per account (10 an hour): then even a good code waits.
    const [good] = await batchCodes(1, 100);
    for (let i = 0; i < 10; i++) {
        await expectProblem(redeem(buyer, `WRONG${tag(6)}`), 422, 'gift_card_not_found', `wrong code ${i + 1}`);
    }
    const limited = await expectProblem(redeem(buyer, good), 429, 'too_many_attempts');
    assert.ok(limited.retryAfter > 0, 'with Retry-After');
    assert.deepEqual((await buyer.client.wallet.getWallet()).available, money(0));
    // The limit is the account's: another customer redeems the good code.
    assert.deepEqual((await redeem(await customer('wallet-errors-2'), good)).credited, money(100));

    await expectProblem(client().wallet.listWalletLedger(), 401, 'unauthenticated');
    await expectProblem(
        client().wallet.redeemGiftCard({ idempotencyKey: ik(), redeemGiftCardRequest: { code: good } }),
        401,
        'unauthenticated',
    );
});
