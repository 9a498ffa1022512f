// Epay payment notifications (tag webhooks, WIRE-FORMATS Part C): the gateway calls back with
// a form POST or a GET, signed (MD5 v1) with the merchant key of the payment's gateway
// account. A valid notify answers exactly `success` and pays the order once; replays answer
// `success` with no effect; a forged signature is 400 signature_invalid and a notify that does
// not match the payment (amount, pid, status) is 422 payment_mismatch. The harness server runs
// WORK_MODE=all, so the webhook routes share its listener.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    CURRENCY,
    client,
    customer,
    deposit,
    epayMethod,
    epaySign,
    expectProblem,
    ik,
    order,
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
/** The gateway: an anonymous client (its own address). */
const gateway = () => client().webhooks;

/**
 * A customer with an unpaid order for a new product priced `price`, and a started gateway
 * payment through a new Epay account: { buyer, product, order, method, key, started }.
 */
async function startedPayment(price = 1550, { name } = {}) {
    const boss = await staff('super_admin');
    const { product } = await sellProduct(boss.client, { price, name });
    const { method, key } = await epayMethod(boss.client);
    const buyer = await customer('gateway-payer');
    const placed = await order(buyer, product.id);
    const started = await buyer.client.shop.startGatewayPayment({
        id: placed.id,
        idempotencyKey: ik(),
        startGatewayPaymentRequest: { paymentMethodId: method.id },
    });
    return { buyer, product, order: placed, method, key, started };
}

/** How many `payment.succeeded` events the outbox holds for the order. */
async function paymentEvents(orderId) {
    return Number(
        await server.sql(
            `SELECT count(*) FROM outbox WHERE event_type = 'payment.succeeded' AND payload->>'order_id' = ${sqlString(orderId)}`,
        ),
    );
}

test('epayNotifyPost: a correctly signed notify answers "success" and pays the order, which is delivered', async () => {
    const { buyer, order: placed, key, started } = await startedPayment(1550, { name: `Helium Pro ${tag()} 30d` });
    const notify = signedNotify(started.redirectUrl, key);
    assert.equal(notify.money, '15.5');
    assert.equal(notify.sign, epaySign(
        {
            pid: notify.pid,
            trade_no: notify.tradeNo,
            out_trade_no: notify.outTradeNo,
            type: notify.type,
            name: notify.name,
            money: notify.money,
            trade_status: 'TRADE_SUCCESS',
        },
        key,
    ));
    const raw = await gateway().epayNotifyPostRaw(notify);
    assert.equal(raw.raw.status, 200);
    assert.match(raw.raw.headers.get('content-type'), /^text\/plain/);
    assert.equal(await raw.value(), 'success', 'exactly "success"');

    const paid = await buyer.client.shop.getOrder({ id: placed.id });
    assert.ok(['paid', 'delivered'].includes(paid.status), paid.status);
    assert.equal(paid.paidVia, 'gateway');
    const delivered = await waitForOrder(buyer.client, placed.id, 'delivered');
    assert.deepEqual(
        delivered.payments.map((p) => [p.id, p.via, p.status, p.amount.amount]),
        [[started.paymentId, 'gateway', 'succeeded', 1550]],
    );
    assert.ok(delivered.payments[0].settledAt instanceof Date);
    assert.equal(
        await server.sql(`SELECT gateway_trade_no FROM shop.payments WHERE id = ${sqlString(started.paymentId)}`),
        notify.tradeNo,
        'the gateway\'s own number is kept',
    );
    assert.equal(await paymentEvents(placed.id), 1);
    assert.deepEqual((await buyer.client.wallet.getWallet()).available, money(0), 'a purchase does not touch the wallet');

    // The gateway retries: same answer, nothing happens twice.
    assert.equal(await gateway().epayNotifyPost(notify), 'success');
    assert.equal(await gateway().epayNotifyGet(notify), 'success');
    const after = await buyer.client.shop.getOrder({ id: placed.id });
    assert.deepEqual(after.paidAt, delivered.paidAt);
    assert.equal(after.payments.length, 1);
    assert.equal(await paymentEvents(placed.id), 1, 'one payment.succeeded event');
    assert.deepEqual((await buyer.client.wallet.listWalletLedger()).items, [], 'no ledger entry either');
});

test('epayNotifyGet: the same notify as a query string pays the order; a replay answers success without effect', async () => {
    const { buyer, order: placed, key, started } = await startedPayment(2000);
    const notify = signedNotify(started.redirectUrl, key, { param: `order-${placed.id}` });
    const raw = await gateway().epayNotifyGetRaw(notify);
    assert.equal(raw.raw.status, 200);
    assert.match(raw.raw.headers.get('content-type'), /^text\/plain/);
    assert.equal(await raw.value(), 'success');
    const delivered = await waitForOrder(buyer.client, placed.id, 'delivered');
    assert.equal(delivered.paidVia, 'gateway');
    assert.deepEqual(delivered.total, money(2000));
    assert.equal(await gateway().epayNotifyGet(notify), 'success', 'replay');
    assert.equal(await gateway().epayNotifyPost(notify), 'success', 'replay by POST');
    assert.equal(await paymentEvents(placed.id), 1);
    assert.equal((await buyer.client.shop.getOrder({ id: placed.id })).payments.length, 1);

    // The signature covers every received field: one changed after signing is refused.
    const other = await startedPayment(2000);
    const tampered = { ...signedNotify(other.started.redirectUrl, other.key, { param: 'a' }), param: 'b' };
    await expectProblem(gateway().epayNotifyGet(tampered), 400, 'signature_invalid');
    assert.equal((await other.buyer.client.shop.getOrder({ id: other.order.id })).status, 'unpaid');
});

test('epayNotifyPost: a payment for an order that was cancelled meanwhile becomes one wallet credit', async () => {
    const { buyer, order: placed, key, started } = await startedPayment(1200);
    await buyer.client.shop.cancelOrder({ id: placed.id });
    const notify = signedNotify(started.redirectUrl, key);
    assert.equal(await gateway().epayNotifyPost(notify), 'success');
    assert.equal((await buyer.client.shop.getOrder({ id: placed.id })).status, 'cancelled', 'the order stays cancelled');
    assert.deepEqual((await buyer.client.wallet.getWallet()).available, money(1200), 'the money is the customer\'s');
    assert.equal(await gateway().epayNotifyPost(notify), 'success', 'replay');
    const credits = await buyer.client.wallet.listWalletLedger({ type: 'overpayment' });
    assert.deepEqual(credits.items.map((e) => [e.amount, e.orderId]), [[1200, placed.id]], 'credited once');

    // Paid twice (wallet first, then the gateway): the second payment is credited too.
    const second = await startedPayment(800);
    await deposit((await staff('super_admin')).client, second.buyer.id, 800);
    await second.buyer.client.shop.payOrderWithWallet({ id: second.order.id, idempotencyKey: ik() });
    assert.equal(await gateway().epayNotifyPost(signedNotify(second.started.redirectUrl, second.key)), 'success');
    assert.deepEqual((await second.buyer.client.wallet.getWallet()).available, money(800));
    assert.equal((await second.buyer.client.shop.getOrder({ id: second.order.id })).paidVia, 'wallet');
});

test('webhooks error path: forged signature 400 signature_invalid, wrong amount/pid/status 422 payment_mismatch', async () => {
    const { buyer, order: placed, key, started } = await startedPayment(1550);
    const good = signedNotify(started.redirectUrl, key);
    const unpaid = async (what) =>
        assert.equal((await buyer.client.shop.getOrder({ id: placed.id })).status, 'unpaid', `${what} changed the order`);

    // Forged: signed with another key, or a made-up signature.
    let err = await expectProblem(
        gateway().epayNotifyPost(signedNotify(started.redirectUrl, 'not-the-merchant-key')),
        400,
        'signature_invalid',
    );
    assert.match(err.response.headers.get('content-type'), /^application\/problem\+json/);
    await expectProblem(gateway().epayNotifyGet({ ...good, sign: 'f'.repeat(32) }), 400, 'signature_invalid');
    await expectProblem(gateway().epayNotifyPost({ ...good, money: '0.01' }), 400, 'signature_invalid', 'amount changed after signing');
    await expectProblem(
        gateway().epayNotifyPost(signedNotify(started.redirectUrl, key, { out_trade_no: 'P20990101000000000000' })),
        400,
        'signature_invalid',
        'an unknown payment number',
    );
    await unpaid('a forged notify');

    // Correctly signed, but not what was asked for.
    err = await expectProblem(
        gateway().epayNotifyPost(signedNotify(started.redirectUrl, key, { money: '15.49' })),
        422,
        'payment_mismatch',
        'a wrong amount',
    );
    assert.equal(err.status, 422);
    await expectProblem(
        gateway().epayNotifyGet(signedNotify(started.redirectUrl, key, { money: '155' })),
        422,
        'payment_mismatch',
        'a wrong amount by GET',
    );
    await expectProblem(
        gateway().epayNotifyPost(signedNotify(started.redirectUrl, key, { pid: '999999' })),
        422,
        'payment_mismatch',
        'another merchant id',
    );
    await expectProblem(
        gateway().epayNotifyPost(signedNotify(started.redirectUrl, key, { trade_status: 'WAIT_BUYER_PAY' })),
        422,
        'payment_mismatch',
        'not paid yet',
    );
    await unpaid('a mismatching notify');
    assert.equal(await paymentEvents(placed.id), 0);

    // "15.50" is the same amount as "15.5": accepted.
    assert.equal(await gateway().epayNotifyPost({ ...signedNotify(started.redirectUrl, key, { money: '15.50' }) }), 'success');
    await waitForOrder(buyer.client, placed.id, 'delivered');
    // Once settled, the same payment reported with another gateway number is a mismatch.
    await expectProblem(
        gateway().epayNotifyPost(signedNotify(started.redirectUrl, key, { trade_no: `OTHER${tag()}` })),
        422,
        'payment_mismatch',
        'a second gateway transaction for one payment',
    );
    assert.equal(await paymentEvents(placed.id), 1);

    // A form body over the notify cap is refused before anything is parsed.
    const res = await fetch(`${server.url}/webhooks/epay/notify`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `pid=1&param=${'x'.repeat(9000)}`,
    });
    assert.equal(res.status, 413);
    await res.arrayBuffer();
});
