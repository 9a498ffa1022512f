// Money under concurrency (SECURITY.md §3 checks 1, 2, 4, 10, 16, 17, scaled down): the same
// requests fired at once must move money exactly as often as the rules allow — no overspent
// wallet, no double payment, one credit per single-use card, counted limits exact, one
// settlement per gateway payment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    CURRENCY,
    client,
    customer,
    deposit,
    epayMethod,
    ik,
    order,
    sellProduct,
    signedNotify,
    sqlString,
    staff,
    tag,
    useShopServer,
} from './shop_kit.mjs';

const server = useShopServer();

const money = (amount) => ({ amount, currency: CURRENCY });

/** Settles the promises; "ok" or "<status> <code>" for each, counted: { ok: 1, '409 x': 9 }. */
async function outcomes(promises) {
    const tally = {};
    for (const r of await Promise.allSettled(promises)) {
        const key = r.status === 'fulfilled' ? 'ok' : `${r.reason?.status} ${r.reason?.code ?? r.reason?.message}`;
        tally[key] = (tally[key] ?? 0) + 1;
    }
    return tally;
}

/** Exported codes of a new batch of `count` cards worth `value`. */
async function batchCodes(count, value) {
    const boss = await staff('super_admin');
    const batch = await boss.client.wallet.adminCreateGiftCardBatch({
        idempotencyKey: ik(),
        giftCardBatchRequest: { name: `Race ${tag()}`, count, value },
    });
    const csv = await boss.client.wallet.adminExportGiftCardBatch({ id: batch.id });
    return csv.trimEnd().split('\n').slice(1).map((line) => line.split(',')[0]);
}

test('payOrderWithWallet: orders paid at once never overspend; one order paid at once is charged once', async () => {
    const boss = await staff('super_admin');
    const { product } = await sellProduct(boss.client, { price: 300 });
    const buyer = await customer('race-wallet');
    await deposit(boss.client, buyer.id, 1000);
    const orders = [];
    for (let i = 0; i < 5; i++) orders.push(await order(buyer, product.id));
    const paid = await outcomes(orders.map((o) => buyer.client.shop.payOrderWithWallet({ id: o.id, idempotencyKey: ik() })));
    assert.deepEqual(paid, { ok: 3, '409 insufficient_funds': 2 });
    assert.deepEqual((await buyer.client.wallet.getWallet()).available, money(100));
    assert.equal((await buyer.client.wallet.listWalletLedger({ type: 'order_payment' })).items.length, 3, 'three debits');

    // One order, ten pays with ten keys: one debit.
    const rich = await customer('race-double');
    await deposit(boss.client, rich.id, 3000);
    const single = await order(rich, product.id);
    const twice = await outcomes(
        Array.from({ length: 10 }, () => rich.client.shop.payOrderWithWallet({ id: single.id, idempotencyKey: ik() })),
    );
    assert.deepEqual(twice, { ok: 1, '409 order_not_payable': 9 });
    // Ten pays with one key: one runs, the others are told it is in flight (or replay it).
    const other = await order(rich, product.id);
    const key = ik();
    const sameKey = await outcomes(
        Array.from({ length: 10 }, () => rich.client.shop.payOrderWithWallet({ id: other.id, idempotencyKey: key })),
    );
    assert.ok(sameKey.ok >= 1, JSON.stringify(sameKey));
    assert.equal(sameKey.ok + (sameKey['409 idempotency_key_in_progress'] ?? 0), 10, JSON.stringify(sameKey));
    assert.deepEqual((await rich.client.wallet.getWallet()).available, money(2400), 'two debits in all');
});

test('redeemGiftCard: a single-use card redeemed at once by many customers, or by one, credits once', async () => {
    const [shared, own] = await batchCodes(2, 100);
    const users = [];
    for (let i = 0; i < 10; i++) users.push(await customer(`race-card-${i}`));
    const many = await outcomes(
        users.map((u) => u.client.wallet.redeemGiftCard({ idempotencyKey: ik(), redeemGiftCardRequest: { code: shared } })),
    );
    assert.deepEqual(many, { ok: 1, '409 gift_card_already_redeemed': 9 });
    const balances = await Promise.all(users.map(async (u) => (await u.client.wallet.getWallet()).available.amount));
    assert.equal(balances.reduce((a, b) => a + b, 0), 100, 'one credit among all customers');

    const one = await customer('race-card-one');
    const again = await outcomes(
        Array.from({ length: 10 }, () =>
            one.client.wallet.redeemGiftCard({ idempotencyKey: ik(), redeemGiftCardRequest: { code: own } }),
        ),
    );
    assert.deepEqual(again, { ok: 1, '409 gift_card_already_redeemed': 9 });
    assert.deepEqual((await one.client.wallet.getWallet()).available, money(100));
});

test('createOrder: counted limits are exact under concurrency (special card, coupon uses, per-customer coupon, unpaid orders)', async () => {
    const boss = await staff('super_admin');
    const { product } = await sellProduct(boss.client, { price: 500 });
    const users = [];
    for (let i = 0; i < 8; i++) users.push(await customer(`race-limit-${i}`));

    const special = `RACE_${tag()}`;
    await boss.client.wallet.adminCreateSpecialGiftCard({
        idempotencyKey: ik(),
        specialGiftCardRequest: { code: special, value: 10, maxRedemptions: 3 },
    });
    const cards = await outcomes(
        users.map((u) => u.client.wallet.redeemGiftCard({ idempotencyKey: ik(), redeemGiftCardRequest: { code: special } })),
    );
    assert.deepEqual(cards, { ok: 3, '409 gift_card_exhausted': 5 });

    const endsAt = new Date(Date.now() + 86_400_000);
    const limited = await boss.client.catalog.adminCreateCoupon({
        couponCreateRequest: { code: `RACE${tag()}`, discountType: 'fixed', amount: 50, endsAt, maxUses: 3 },
    });
    const coupons = await outcomes(users.map((u) => order(u, product.id, { couponCode: limited.code })));
    assert.deepEqual(coupons, { ok: 3, '422 coupon_usage_exhausted': 5 });
    assert.equal((await boss.client.catalog.adminGetCoupon({ id: limited.id })).uses, 3);

    const perUser = await boss.client.catalog.adminCreateCoupon({
        couponCreateRequest: { code: `ONE${tag()}`, discountType: 'fixed', amount: 50, endsAt },
    });
    const solo = await customer('race-solo');
    const mine = await outcomes(Array.from({ length: 5 }, () => order(solo, product.id, { couponCode: perUser.code })));
    assert.deepEqual(mine, { ok: 1, '422 coupon_user_limit_reached': 4 });

    const hoarder = await customer('race-unpaid');
    const unpaid = await outcomes(Array.from({ length: 10 }, () => order(hoarder, product.id)));
    assert.deepEqual(unpaid, { ok: 5, '409 max_unpaid_orders_reached': 5 }, 'shop.max_unpaid_orders = 5');
    assert.equal((await hoarder.client.shop.listOrders({ status: 'unpaid' })).items.length, 5);
});

test('epayNotifyPost: ten notifies at once settle one payment; a wallet payment racing the gateway is credited back', async () => {
    const boss = await staff('super_admin');
    const { product } = await sellProduct(boss.client, { price: 300 });
    const { method, key } = await epayMethod(boss.client);
    const start = async (buyer, placed) =>
        buyer.client.shop.startGatewayPayment({
            id: placed.id,
            idempotencyKey: ik(),
            startGatewayPaymentRequest: { paymentMethodId: method.id },
        });

    const buyer = await customer('race-notify');
    const placed = await order(buyer, product.id);
    const notify = signedNotify((await start(buyer, placed)).redirectUrl, key);
    const replies = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? client().webhooks.epayNotifyPost(notify) : client().webhooks.epayNotifyGet(notify))),
    );
    assert.deepEqual(replies, Array(10).fill('success'));
    const got = await buyer.client.shop.getOrder({ id: placed.id });
    assert.equal(got.paidVia, 'gateway');
    assert.deepEqual(got.payments.map((p) => p.status), ['succeeded']);
    assert.equal(
        await server.sql(
            `SELECT count(*) FROM outbox WHERE event_type = 'payment.succeeded' AND payload->>'order_id' = ${sqlString(placed.id)}`,
        ),
        '1',
    );
    assert.deepEqual((await buyer.client.wallet.getWallet()).available, money(0));

    // The wallet and the gateway pay the same order at once: one pays it, the other is credited.
    const racer = await customer('race-both');
    await deposit(boss.client, racer.id, 300);
    const contested = await order(racer, product.id);
    const racing = signedNotify((await start(racer, contested)).redirectUrl, key);
    const [walletPay, gatewayPay] = await Promise.allSettled([
        racer.client.shop.payOrderWithWallet({ id: contested.id, idempotencyKey: ik() }),
        client().webhooks.epayNotifyPost(racing),
    ]);
    assert.equal(gatewayPay.status, 'fulfilled');
    assert.equal(gatewayPay.value, 'success');
    const final = await racer.client.shop.getOrder({ id: contested.id });
    const wallet = (await racer.client.wallet.getWallet()).available.amount;
    if (walletPay.status === 'fulfilled') {
        assert.equal(final.paidVia, 'wallet');
        assert.equal(wallet, 300, 'the wallet paid, the gateway money was credited back');
        assert.equal((await racer.client.wallet.listWalletLedger({ type: 'overpayment' })).items.length, 1);
    } else {
        assert.equal(walletPay.reason.code, 'order_not_payable');
        assert.equal(final.paidVia, 'gateway');
        assert.equal(wallet, 300, 'the gateway paid, the wallet was not charged');
    }
    const succeeded = final.payments.filter((p) => p.status === 'succeeded').length;
    assert.equal(succeeded, walletPay.status === 'fulfilled' ? 2 : 1, 'each payment that went through is recorded once');
});
