// Staff order operations (tag orders): search and read orders, cancel unpaid ones, record a
// payment made outside Helium (mark-paid), refund to the wallet; and the gateway accounts
// (payment methods) whose merchant key goes in and never comes out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    CURRENCY,
    GHOST,
    client,
    customer,
    deposit,
    epayMethod,
    epaySign,
    expectProblem,
    gatewayParams,
    ik,
    merchantKey,
    order,
    sellProduct,
    sqlString,
    staff,
    tag,
    useShopServer,
    waitForOrder,
} from './shop_kit.mjs';

const server = useShopServer();

const money = (amount) => ({ amount, currency: CURRENCY });

/** A fresh customer with an unpaid order for a new product priced `price`: { buyer, product, order }. */
async function unpaidOrder(price = 1000) {
    const boss = await staff('super_admin');
    const { product } = await sellProduct(boss.client, { price });
    const buyer = await customer('staff-orders');
    return { buyer, product, order: await order(buyer, product.id) };
}

/** A delivered order paid from the wallet (the customer had exactly the price). */
async function deliveredOrder(price = 1000) {
    const made = await unpaidOrder(price);
    await deposit((await staff('super_admin')).client, made.buyer.id, price);
    await made.buyer.client.shop.payOrderWithWallet({ id: made.order.id, idempotencyKey: ik() });
    await waitForOrder(made.buyer.client, made.order.id, 'delivered');
    return made;
}

/** "action|reason|actor_role" of the audit rows about `targetId`, oldest first. */
async function auditRows(targetId) {
    const out = await server.sql(
        "SELECT action || '|' || coalesce(reason, '') || '|' || coalesce(actor_role, '') FROM staff.audit_log " +
            `WHERE target_id = ${sqlString(targetId)} ORDER BY at, id`,
    );
    return out ? out.split('\n') : [];
}

// ---------------------------------------------------------------- orders

test('adminListOrders: every customer\'s orders, newest first, filtered by status, customer, trade_no and product', async () => {
    const { buyer, product, order: first } = await unpaidOrder(500);
    const second = await order(buyer, product.id);
    await buyer.client.shop.cancelOrder({ id: first.id });
    const other = await customer('staff-orders-2');
    const third = await order(other, product.id);
    const bot = await staff('support_bot');
    const api = bot.client.orders;

    const byProduct = await api.adminListOrders({ productId: product.id });
    assert.deepEqual(byProduct.items.map((o) => o.id), [third.id, second.id, first.id]);
    assert.deepEqual(byProduct.items.map((o) => o.userId), [other.id, buyer.id, buyer.id]);
    assert.deepEqual((await api.adminListOrders({ userId: buyer.id })).items.map((o) => o.id), [second.id, first.id]);
    assert.deepEqual(
        (await api.adminListOrders({ productId: product.id, status: 'cancelled' })).items.map((o) => o.id),
        [first.id],
    );
    const byTradeNo = await api.adminListOrders({ tradeNo: second.tradeNo });
    assert.deepEqual(byTradeNo.items.map((o) => o.id), [second.id]);
    const future = await api.adminListOrders({ productId: product.id, from: new Date(Date.now() + 60_000) });
    assert.deepEqual(future.items, []);
    const past = await api.adminListOrders({ productId: product.id, to: new Date(Date.now() - 3600_000) });
    assert.deepEqual(past.items, []);
    const page = await api.adminListOrders({ productId: product.id, limit: 2 });
    assert.deepEqual(page.items.map((o) => o.id), [third.id, second.id]);
    const rest = await api.adminListOrders({ productId: product.id, limit: 2, cursor: page.nextCursor });
    assert.deepEqual(rest.items.map((o) => o.id), [first.id]);
    await expectProblem(api.adminListOrders({ status: 'lost' }), 422, 'validation_failed');
    await expectProblem(api.adminListOrders({ userId: buyer.id, cursor: page.nextCursor }), 400, 'invalid_cursor');
});

test('adminGetOrder: the order, whose it is, and its payments', async () => {
    const { buyer, order: placed } = await deliveredOrder(1300);
    const cs = await staff('customer_support');
    const got = await cs.client.orders.adminGetOrder({ id: placed.id });
    assert.equal(got.id, placed.id);
    assert.equal(got.userId, buyer.id);
    assert.equal(got.status, 'delivered');
    assert.equal(got.paidVia, 'wallet');
    assert.deepEqual(got.total, money(1300));
    assert.deepEqual(
        got.payments.map((p) => [p.via, p.status, p.amount.amount]),
        [['wallet', 'succeeded', 1300]],
    );
    await expectProblem(cs.client.orders.adminGetOrder({ id: GHOST }), 404, 'not_found');
});

test('adminCancelOrder: staff cancel an unpaid order with a reason (audited); paid orders are 409', async () => {
    const { buyer, order: placed } = await unpaidOrder();
    const cs = await staff('customer_support');
    const cancelled = await cs.client.orders.adminCancelOrder({
        id: placed.id,
        adminCancelOrderRequest: { reason: 'customer asked by phone' },
    });
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.userId, buyer.id);
    assert.ok(cancelled.cancelledAt instanceof Date);
    assert.equal((await buyer.client.shop.getOrder({ id: placed.id })).status, 'cancelled');
    assert.deepEqual(await auditRows(placed.id), ['order.cancel|customer asked by phone|customer_support']);
    await expectProblem(
        cs.client.orders.adminCancelOrder({ id: placed.id, adminCancelOrderRequest: { reason: 'again' } }),
        409,
        'order_not_cancellable',
    );
    const { order: paid } = await deliveredOrder();
    await expectProblem(
        cs.client.orders.adminCancelOrder({ id: paid.id, adminCancelOrderRequest: { reason: 'too late' } }),
        409,
        'order_not_cancellable',
        'a delivered order',
    );
    const err = await expectProblem(
        cs.client.orders.adminCancelOrder({ id: paid.id, adminCancelOrderRequest: { reason: '' } }),
        422,
        'validation_failed',
    );
    assert.ok(err.errors.some((e) => e.field === 'reason'), JSON.stringify(err.errors));
    const bot = await staff('support_bot');
    const { order: other } = await unpaidOrder();
    await expectProblem(
        bot.client.orders.adminCancelOrder({ id: other.id, adminCancelOrderRequest: { reason: 'bot' } }),
        403,
        'permission_denied',
    );
});

test('adminMarkOrderPaid: a payment made outside Helium; the order is delivered like any other', async () => {
    const { buyer, order: placed } = await unpaidOrder(2500);
    const boss = await staff('super_admin');
    const key = ik('paid');
    const request = { reason: 'bank transfer received', externalReference: `BANK-${tag()}` };
    const paid = await boss.client.orders.adminMarkOrderPaid({ id: placed.id, idempotencyKey: key, markOrderPaidRequest: request });
    assert.equal(paid.status, 'paid');
    assert.equal(paid.paidVia, 'staff');
    assert.ok(paid.paidAt instanceof Date);
    const replay = await boss.client.orders.adminMarkOrderPaidRaw({ id: placed.id, idempotencyKey: key, markOrderPaidRequest: request });
    assert.equal(replay.raw.headers.get('idempotent-replayed'), 'true');
    const delivered = await waitForOrder(buyer.client, placed.id, 'delivered');
    assert.deepEqual(delivered.payments.map((p) => [p.via, p.status, p.amount.amount]), [['staff', 'succeeded', 2500]]);
    assert.deepEqual((await buyer.client.wallet.getWallet()).available, money(0), 'the wallet is not touched');
    assert.deepEqual(await auditRows(placed.id), ['order.mark_paid|bank transfer received|super_admin']);
    await expectProblem(
        boss.client.orders.adminMarkOrderPaid({ id: placed.id, idempotencyKey: ik(), markOrderPaidRequest: request }),
        409,
        'order_not_payable',
    );

    // A top-up marked paid credits the wallet.
    const topUp = await buyer.client.wallet.createTopUp({ idempotencyKey: ik(), createTopUpRequest: { amount: 700 } });
    await boss.client.orders.adminMarkOrderPaid({
        id: topUp.id,
        idempotencyKey: ik(),
        markOrderPaidRequest: { reason: 'cash at the counter' },
    });
    assert.equal((await waitForOrder(buyer.client, topUp.id, 'delivered')).paidVia, 'staff');
    assert.deepEqual((await buyer.client.wallet.getWallet()).available, money(700));

    const mod = await staff('moderator');
    const { order: other } = await unpaidOrder();
    await expectProblem(
        mod.client.orders.adminMarkOrderPaid({ id: other.id, idempotencyKey: ik(), markOrderPaidRequest: { reason: 'r' } }),
        403,
        'permission_denied',
        'a Moderator marking paid',
    );
    await expectProblem(
        boss.client.orders.adminMarkOrderPaid({ id: GHOST, idempotencyKey: ik(), markOrderPaidRequest: { reason: 'r' } }),
        404,
        'not_found',
    );
});

test('adminRefundOrder: refunds credit the wallet, partly or in full, at most the total', async () => {
    const { buyer, order: placed } = await deliveredOrder(2000);
    const boss = await staff('super_admin');
    assert.deepEqual((await buyer.client.wallet.getWallet()).available, money(0));
    await expectProblem(
        boss.client.orders.adminRefundOrder({
            id: placed.id,
            idempotencyKey: ik(),
            refundOrderRequest: { reason: 'too much', amount: 2001 },
        }),
        422,
        'validation_failed',
    );
    const key = ik('refund');
    const refunded = await boss.client.orders.adminRefundOrder({
        id: placed.id,
        idempotencyKey: key,
        refundOrderRequest: { reason: 'service outage', amount: 500, cancelPackage: false },
    });
    assert.equal(refunded.status, 'refunded');
    assert.deepEqual(refunded.refundAmount, money(500));
    assert.ok(refunded.refundedAt instanceof Date);
    assert.deepEqual((await buyer.client.wallet.getWallet()).available, money(500), 'credited to the wallet');
    const again = await boss.client.orders.adminRefundOrderRaw({
        id: placed.id,
        idempotencyKey: key,
        refundOrderRequest: { reason: 'service outage', amount: 500, cancelPackage: false },
    });
    assert.equal(again.raw.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual((await buyer.client.wallet.getWallet()).available, money(500), 'the replay credits nothing');
    const ledger = await buyer.client.wallet.listWalletLedger({ type: 'refund' });
    assert.deepEqual(ledger.items.map((e) => [e.amount, e.orderId, e.reason]), [[500, placed.id, 'service outage']]);
    assert.equal((await buyer.client.shop.getOrder({ id: placed.id })).status, 'refunded');
    assert.deepEqual(await auditRows(placed.id), ['order.refund|service outage|super_admin']);

    // Without an amount: the whole total.
    const whole = await deliveredOrder(1200);
    const full = await boss.client.orders.adminRefundOrder({
        id: whole.order.id,
        idempotencyKey: ik(),
        refundOrderRequest: { reason: 'duplicate purchase', cancelPackage: true },
    });
    assert.deepEqual(full.refundAmount, money(1200));
    assert.deepEqual((await whole.buyer.client.wallet.getWallet()).available, money(1200));
    await expectProblem(
        boss.client.orders.adminRefundOrder({ id: whole.order.id, idempotencyKey: ik(), refundOrderRequest: { reason: 'twice' } }),
        409,
        'order_not_refundable',
        'an order refunded in full already',
    );
    assert.deepEqual((await whole.buyer.client.wallet.getWallet()).available, money(1200));

    const { order: unpaid } = await unpaidOrder();
    await expectProblem(
        boss.client.orders.adminRefundOrder({ id: unpaid.id, idempotencyKey: ik(), refundOrderRequest: { reason: 'r' } }),
        409,
        'order_not_refundable',
        'an unpaid order',
    );
    const cs = await staff('customer_support');
    await expectProblem(
        cs.client.orders.adminRefundOrder({ id: whole.order.id, idempotencyKey: ik(), refundOrderRequest: { reason: 'r' } }),
        403,
        'permission_denied',
    );
});

test('adminRefundOrder: partial refunds add up to at most the total', async () => {
    const { buyer, order: placed } = await deliveredOrder(2000);
    const boss = await staff('super_admin');
    const refund = (amount) =>
        boss.client.orders.adminRefundOrder({
            id: placed.id,
            idempotencyKey: ik(),
            refundOrderRequest: { reason: `part ${amount}`, amount },
        });
    await refund(500);
    const second = await refund(700);
    assert.deepEqual(second.refundAmount, money(1200), 'refunds add up');
    assert.deepEqual((await buyer.client.wallet.getWallet()).available, money(1200));
    await expectProblem(refund(801), 422, 'validation_failed', 'beyond the total');
});

test('adminRefundOrder: a top-up cannot be refunded into the wallet it already credited', async () => {
    const boss = await staff('super_admin');
    const buyer = await customer('refund-top-up');
    const topUp = await buyer.client.wallet.createTopUp({ idempotencyKey: ik(), createTopUpRequest: { amount: 500 } });
    await boss.client.orders.adminMarkOrderPaid({ id: topUp.id, idempotencyKey: ik(), markOrderPaidRequest: { reason: 'cash' } });
    assert.deepEqual((await buyer.client.wallet.getWallet()).available, money(500));
    await expectProblem(
        boss.client.orders.adminRefundOrder({ id: topUp.id, idempotencyKey: ik(), refundOrderRequest: { reason: 'oops' } }),
        409,
        'order_not_refundable',
    );
    assert.deepEqual((await buyer.client.wallet.getWallet()).available, money(500), 'no money from nowhere');
});

// ---------------------------------------------------------------- payment methods

test('adminCreatePaymentMethod: 201; the merchant key appears in no response', async () => {
    const boss = await staff('super_admin');
    const key = merchantKey();
    const raw = await boss.client.orders.adminCreatePaymentMethodRaw({
        paymentMethodCreateRequest: {
            kind: 'epay',
            name: 'Alipay via Epay',
            channel: 'AliPay',
            url: 'http://127.0.0.1:9/epay/',
            pid: '1024',
            key,
            enabled: true,
            sort: 3,
        },
    });
    assert.equal(raw.raw.status, 201);
    const text = await raw.raw.clone().text();
    assert.ok(!text.includes(key), `the create answer carries the key: ${text}`);
    const method = await raw.value();
    assert.equal(method.kind, 'epay');
    assert.equal(method.name, 'Alipay via Epay');
    assert.equal(method.channel, 'alipay', 'normalised');
    assert.equal(method.url, 'http://127.0.0.1:9/epay', 'without the trailing slash');
    assert.equal(method.pid, '1024');
    assert.equal(method.enabled, true);
    assert.equal(method.sort, 3);
    assert.ok(!('key' in method));

    const list = await boss.client.orders.adminListPaymentMethodsRaw({ limit: 100 });
    assert.ok(!(await list.raw.clone().text()).includes(key), 'the list carries the key');
    assert.ok((await list.value()).items.some((m) => m.id === method.id));
    const stored = await server.sql(`SELECT key_sealed FROM shop.payment_methods WHERE id = ${sqlString(method.id)}`);
    assert.ok(stored.startsWith('v1.') && !stored.includes(key), 'sealed at rest');
    const audit = await server.sql(`SELECT after::text FROM staff.audit_log WHERE target_id = ${sqlString(method.id)}`);
    assert.ok(audit.length > 0 && !audit.includes(key), 'not in the audit log either');

    // The key is the one the submit URL is signed with.
    const { product } = await sellProduct(boss.client, { price: 100 });
    const buyer = await customer('pm-create');
    const placed = await order(buyer, product.id);
    const started = await buyer.client.shop.startGatewayPayment({
        id: placed.id,
        idempotencyKey: ik(),
        startGatewayPaymentRequest: { paymentMethodId: method.id },
    });
    const params = gatewayParams(started.redirectUrl);
    assert.equal(params.sign, epaySign(params, key));

    const err = await expectProblem(
        boss.client.orders.adminCreatePaymentMethod({
            paymentMethodCreateRequest: { kind: 'epay', name: 'x', channel: 'alipay', url: 'http://pay.example.com', pid: '1', key },
        }),
        422,
        'url_not_allowed',
    );
    assert.ok(err.errors.some((e) => e.field === 'url'), JSON.stringify(err.errors));
    const shortKey = await expectProblem(
        boss.client.orders.adminCreatePaymentMethod({
            paymentMethodCreateRequest: { kind: 'epay', name: 'x', channel: 'alipay', url: 'https://pay.example.com', pid: '1', key: 'short' },
        }),
        422,
        'validation_failed',
    );
    assert.ok(shortKey.errors.some((e) => e.field === 'key'), JSON.stringify(shortKey.errors));
});

test('adminListPaymentMethods: newest first, disabled ones too, without keys', async () => {
    const boss = await staff('super_admin');
    const a = await epayMethod(boss.client, { name: `A ${tag()}` });
    const b = await epayMethod(boss.client, { name: `B ${tag()}`, enabled: false });
    const raw = await boss.client.orders.adminListPaymentMethodsRaw({ limit: 100 });
    const text = await raw.raw.clone().text();
    assert.ok(!text.includes(a.key) && !text.includes(b.key));
    const { items } = await raw.value();
    const ids = items.map((m) => m.id);
    assert.ok(ids.indexOf(b.method.id) >= 0 && ids.indexOf(b.method.id) < ids.indexOf(a.method.id), 'newest first');
    assert.equal(items.find((m) => m.id === b.method.id).enabled, false);
    const one = await boss.client.orders.adminListPaymentMethods({ limit: 1 });
    assert.deepEqual(one.items.map((m) => m.id), [b.method.id]);
    assert.equal(typeof one.nextCursor, 'string');
});

test('adminUpdatePaymentMethod: rename, re-key (new payments sign with the new key), never echo the key', async () => {
    const boss = await staff('super_admin');
    const { method, key: oldKey } = await epayMethod(boss.client, { name: `Old ${tag()}` });
    const newKey = merchantKey();
    const raw = await boss.client.orders.adminUpdatePaymentMethodRaw({
        id: method.id,
        paymentMethodUpdateRequest: { name: 'Renamed gateway', key: newKey, sort: 9 },
    });
    const text = await raw.raw.clone().text();
    assert.ok(!text.includes(newKey) && !text.includes(oldKey), `the update answer carries a key: ${text}`);
    const updated = await raw.value();
    assert.equal(updated.name, 'Renamed gateway');
    assert.equal(updated.sort, 9);
    assert.equal(updated.pid, method.pid, 'absent fields are unchanged');
    assert.equal(updated.url, method.url);
    const audit = await server.sql(
        `SELECT after::text FROM staff.audit_log WHERE target_id = ${sqlString(method.id)} AND action = 'payment_method.update'`,
    );
    assert.ok(audit.includes('rotated') && !audit.includes(newKey), audit);

    const { product } = await sellProduct(boss.client, { price: 100 });
    const buyer = await customer('pm-update');
    const started = await buyer.client.shop.startGatewayPayment({
        id: (await order(buyer, product.id)).id,
        idempotencyKey: ik(),
        startGatewayPaymentRequest: { paymentMethodId: method.id },
    });
    const params = gatewayParams(started.redirectUrl);
    assert.equal(params.sign, epaySign(params, newKey));
    assert.notEqual(params.sign, epaySign(params, oldKey));

    const err = await expectProblem(
        boss.client.orders.adminUpdatePaymentMethod({ id: method.id, paymentMethodUpdateRequest: { url: 'ftp://x' } }),
        422,
        'url_not_allowed',
    );
    assert.ok(err.errors.some((e) => e.field === 'url'), JSON.stringify(err.errors));
    await expectProblem(
        boss.client.orders.adminUpdatePaymentMethod({ id: GHOST, paymentMethodUpdateRequest: { name: 'x' } }),
        404,
        'not_found',
    );
});

test('adminDisablePaymentMethod: 204; customers no longer see or use it; it can be enabled again', async () => {
    const boss = await staff('super_admin');
    const { method } = await epayMethod(boss.client);
    const buyer = await customer('pm-disable');
    assert.ok((await buyer.client.shop.listPaymentMethods()).items.some((m) => m.id === method.id));
    const raw = await boss.client.orders.adminDisablePaymentMethodRaw({ id: method.id });
    assert.equal(raw.raw.status, 204);
    assert.ok(!(await buyer.client.shop.listPaymentMethods()).items.some((m) => m.id === method.id));
    const listed = (await boss.client.orders.adminListPaymentMethods({ limit: 100 })).items.find((m) => m.id === method.id);
    assert.equal(listed.enabled, false, 'kept, disabled');
    const { product } = await sellProduct(boss.client, { price: 100 });
    const placed = await order(buyer, product.id);
    const pay = () =>
        buyer.client.shop.startGatewayPayment({
            id: placed.id,
            idempotencyKey: ik(),
            startGatewayPaymentRequest: { paymentMethodId: method.id },
        });
    await expectProblem(pay(), 422, 'payment_method_unavailable');
    const enabled = await boss.client.orders.adminUpdatePaymentMethod({
        id: method.id,
        paymentMethodUpdateRequest: { enabled: true },
    });
    assert.equal(enabled.enabled, true);
    assert.match((await pay()).redirectUrl, /\/submit\.php\?/);
    await expectProblem(boss.client.orders.adminDisablePaymentMethod({ id: GHOST }), 404, 'not_found');
});

test('orders error path: payment methods are SuperAdmin-only and human-only; unknown orders; bad filters; no key', async () => {
    const boss = await staff('super_admin');
    const mod = await staff('moderator');
    await expectProblem(mod.client.orders.adminListPaymentMethods(), 403, 'permission_denied', 'a Moderator');
    await expectProblem(
        mod.client.orders.adminCreatePaymentMethod({
            paymentMethodCreateRequest: { kind: 'epay', name: 'x', channel: 'alipay', url: 'https://p.example', pid: '1', key: merchantKey() },
        }),
        403,
        'permission_denied',
    );
    const apiKey = await boss.client.admin.adminCreateApiKey({
        apiKeyCreateRequest: { name: `orders robot ${tag()}`, role: 'super_admin' },
    });
    const robot = client(apiKey.key);
    await expectProblem(robot.orders.adminListPaymentMethods(), 403, 'permission_denied', 'an API key (config.manage is human-only)');
    const { order: placed } = await unpaidOrder();
    assert.equal((await robot.orders.adminGetOrder({ id: placed.id })).id, placed.id, 'but it reads orders');

    await expectProblem(boss.client.orders.adminGetOrder({ id: GHOST }), 404, 'not_found');
    await expectProblem(
        boss.client.orders.adminCancelOrder({ id: GHOST, adminCancelOrderRequest: { reason: 'r' } }),
        404,
        'not_found',
    );
    await expectProblem(
        boss.client.orders.adminRefundOrder({ id: GHOST, idempotencyKey: ik(), refundOrderRequest: { reason: 'r' } }),
        404,
        'not_found',
    );
    const noReason = await expectProblem(
        boss.client.orders.adminMarkOrderPaid({ id: placed.id, idempotencyKey: ik(), markOrderPaidRequest: { reason: ' ' } }),
        422,
        'validation_failed',
    );
    assert.ok(noReason.errors.some((e) => e.field === 'reason'), JSON.stringify(noReason.errors));
    const badKind = await expectProblem(
        boss.client.orders.adminCreatePaymentMethod({
            paymentMethodCreateRequest: { kind: 'paypal', name: 'x', channel: 'card', url: 'https://p.example', pid: '1', key: merchantKey() },
        }),
        422,
        'validation_failed',
    );
    assert.ok(badKind.errors.some((e) => e.field === 'kind'), JSON.stringify(badKind.errors));
    const badLimit = await expectProblem(boss.client.orders.adminListOrders({ limit: 101 }), 422, 'validation_failed');
    assert.ok(badLimit.errors.some((e) => e.field === 'limit'), JSON.stringify(badLimit.errors));
    const res = await fetch(`${server.url}/api/v1/admin/orders/${placed.id}/mark-paid`, {
        method: 'POST',
        headers: { authorization: `Bearer ${boss.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'no key' }),
    });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).code, 'idempotency_key_missing');
    assert.equal((await boss.client.orders.adminGetOrder({ id: placed.id })).status, 'unpaid', 'nothing happened');
    await expectProblem(client().orders.adminListOrders(), 401, 'unauthenticated');
});
