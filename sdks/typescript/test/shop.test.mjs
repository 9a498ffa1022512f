// The shop as customers and visitors use it (tag shop): products of my groups, coupon
// previews, payment methods, orders (Idempotency-Key, coupons lock the total, free products),
// paying from the wallet until delivery, cancelling, starting a gateway payment (the signed
// Epay submit URL) and auto-renewal settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    CURRENCY,
    EVERYONE,
    GHOST,
    GiB,
    TERMS,
    client,
    customer,
    deposit,
    epayMethod,
    epaySign,
    expectProblem,
    gatewayParams,
    ik,
    order,
    sellProduct,
    staff,
    tag,
    useShopServer,
    waitForOrder,
    yuan,
} from './shop_kit.mjs';

const server = useShopServer();

const money = (amount) => ({ amount, currency: CURRENCY });
const inDays = (days) => new Date(Date.now() + days * 86_400_000);

/** As a SuperAdmin: a coupon (fixed 100 off, one use per customer, a week long) with `fields`. */
async function coupon(fields = {}) {
    const boss = await staff('super_admin');
    return boss.client.catalog.adminCreateCoupon({
        couponCreateRequest: { code: `C${tag(5)}`, discountType: 'fixed', amount: 100, endsAt: inDays(7), ...fields },
    });
}

// ---------------------------------------------------------------- products

test('listProducts: a customer sees the on-sale products of their groups, in the operator order', async () => {
    const boss = await staff('super_admin');
    const group = await boss.client.customers.adminCreateGroup({ groupCreateRequest: { name: `Shop ${tag()}` } });
    const second = await sellProduct(boss.client, { groupIds: [group.id], sort: 2, price: 2000, name: `Second ${tag()}` });
    const first = await sellProduct(boss.client, { groupIds: [group.id], sort: 1, price: 1000, name: `First ${tag()}` });
    await sellProduct(boss.client, { groupIds: [group.id], onSale: false, name: `Off ${tag()}` });
    // A product whose series has no published terms is not for sale either.
    const draft = await boss.client.catalog.adminCreatePackageSeries({ seriesCreateRequest: { name: `Draft ${tag()}` } });
    await boss.client.catalog.adminCreatePackageVersion({ id: draft.id, versionCreateRequest: TERMS });
    await boss.client.catalog.adminCreateProduct({
        productCreateRequest: { name: 'Unpublished', price: 100, packageSeriesId: draft.id, groupIds: [group.id], onSale: true },
    });

    const buyer = await customer('lister');
    await boss.client.customers.adminSetCustomerGroups({ id: buyer.id, customerGroupsRequest: { groupIds: [group.id] } });
    const page = await buyer.client.shop.listProducts();
    assert.deepEqual(page.items.map((p) => p.id), [first.product.id, second.product.id]);
    assert.equal(page.nextCursor ?? null, null);
    const [p1] = page.items;
    assert.equal(p1.name, first.product.name);
    assert.deepEqual(p1.price, money(1000));
    assert.deepEqual(p1.entitlements, { ...TERMS, groupIds: [] });

    const one = await buyer.client.shop.listProducts({ limit: 1 });
    assert.deepEqual(one.items.map((p) => p.id), [first.product.id]);
    assert.equal(typeof one.nextCursor, 'string');
    const two = await buyer.client.shop.listProducts({ limit: 1, cursor: one.nextCursor });
    assert.deepEqual(two.items.map((p) => p.id), [second.product.id]);
    assert.equal(two.nextCursor ?? null, null);
});

test('listProducts: visitors and new customers see the public group Everyone', async () => {
    const boss = await staff('super_admin');
    const { product } = await sellProduct(boss.client, { price: 1550, groupIds: [EVERYONE] });
    const hidden = await boss.client.customers.adminCreateGroup({ groupCreateRequest: { name: `Hidden ${tag()}` } });
    const { product: secret } = await sellProduct(boss.client, { groupIds: [hidden.id] });
    const visitor = (await client().shop.listProducts({ limit: 100 })).items;
    const buyer = (await (await customer('everyone')).client.shop.listProducts({ limit: 100 })).items;
    for (const [who, items] of [['a visitor', visitor], ['a new customer', buyer]]) {
        const seen = items.find((p) => p.id === product.id);
        assert.ok(seen, `${who} sees the Everyone product`);
        assert.deepEqual(seen.price, money(1550));
        assert.ok(!items.some((p) => p.id === secret.id), `${who} does not see another group's product`);
    }
});

test('getProduct: the product with its current terms; hidden and unknown products are 404', async () => {
    const boss = await staff('super_admin');
    const { product, version } = await sellProduct(boss.client, {
        price: 3000,
        description: 'ninety days',
        terms: { durationDays: 90, trafficBytes: 500 * GiB, deviceLimit: null },
    });
    const got = await client().shop.getProduct({ id: product.id });
    assert.equal(got.id, product.id);
    assert.equal(got.name, product.name);
    assert.equal(got.description, 'ninety days');
    assert.deepEqual(got.price, money(3000));
    assert.deepEqual(got.entitlements, version.entitlements);
    assert.equal(got.entitlements.durationDays, 90);
    assert.equal(got.entitlements.deviceLimit ?? null, null);

    const buyer = await customer('getter');
    assert.equal((await buyer.client.shop.getProduct({ id: product.id })).id, product.id);
    await expectProblem(buyer.client.shop.getProduct({ id: GHOST }), 404, 'not_found');
    const group = await boss.client.customers.adminCreateGroup({ groupCreateRequest: { name: `G ${tag()}` } });
    const { product: hidden } = await sellProduct(boss.client, { groupIds: [group.id] });
    await expectProblem(buyer.client.shop.getProduct({ id: hidden.id }), 404, 'not_found', 'another group');
    await expectProblem(client().shop.getProduct({ id: hidden.id }), 404, 'not_found', 'a visitor');
});

// ---------------------------------------------------------------- coupons and payment methods

test('previewCoupon: the discount and the total; percentages round down; the coupon rules apply', async () => {
    const boss = await staff('super_admin');
    const { product } = await sellProduct(boss.client, { price: 1555 });
    const { product: other } = await sellProduct(boss.client, { price: 5000 });
    const buyer = await customer('preview');
    const preview = (code, productId = product.id) =>
        buyer.client.shop.previewCoupon({ couponPreviewRequest: { code, productId } });

    const tenPercent = await coupon({ discountType: 'percentage', rate: '0.10', amount: null });
    const got = await preview(tenPercent.code.toLowerCase());
    assert.equal(got.code, tenPercent.code, 'codes match regardless of case');
    assert.deepEqual(got.subtotal, money(1555));
    assert.deepEqual(got.discount, money(155), '10 % of 1555 rounded down');
    assert.deepEqual(got.total, money(1400));
    const fixed = await coupon({ amount: 500 });
    assert.deepEqual((await preview(fixed.code)).total, money(1055));

    const onlyOther = await coupon({ productIds: [other.id] });
    await expectProblem(preview(onlyOther.code), 422, 'coupon_not_applicable');
    assert.deepEqual((await preview(onlyOther.code, other.id)).discount, money(100));
    await expectProblem(preview(`NOPE${tag()}`), 422, 'coupon_not_found');
    await expectProblem(preview((await coupon({ active: false })).code), 422, 'coupon_inactive');
    await expectProblem(preview((await coupon({ startsAt: inDays(1), endsAt: inDays(2) })).code), 422, 'coupon_not_started');
    await expectProblem(preview((await coupon({ minAmount: 2000 })).code), 422, 'coupon_min_amount_not_met');
    await expectProblem(preview((await coupon({ amount: 1555 })).code), 422, 'coupon_exceeds_price');
    await expectProblem(preview(fixed.code, GHOST), 422, 'product_not_available');

    // Once used (one use per customer), the preview refuses it for this customer only.
    await order(buyer, product.id, { couponCode: fixed.code });
    await expectProblem(preview(fixed.code), 422, 'coupon_user_limit_reached');
    const other2 = await customer('preview2');
    const again = await other2.client.shop.previewCoupon({ couponPreviewRequest: { code: fixed.code, productId: product.id } });
    assert.deepEqual(again.total, money(1055));
    await expectProblem(
        client().shop.previewCoupon({ couponPreviewRequest: { code: fixed.code, productId: product.id } }),
        401,
        'unauthenticated',
    );
});

test('listPaymentMethods: only the enabled gateways, by name and channel, never their secrets', async () => {
    const boss = await staff('super_admin');
    const on = await epayMethod(boss.client, { channel: 'wxpay', name: `On ${tag()}` });
    const off = await epayMethod(boss.client, { name: `Off ${tag()}`, enabled: false });
    const later = await epayMethod(boss.client, { name: `Later ${tag()}` });
    await boss.client.orders.adminDisablePaymentMethod({ id: later.method.id });
    const buyer = await customer('methods');
    const raw = await buyer.client.shop.listPaymentMethodsRaw();
    const text = await raw.raw.clone().text();
    const { items } = await raw.value();
    const mine = items.find((m) => m.id === on.method.id);
    assert.deepEqual(mine, { id: on.method.id, kind: 'epay', name: on.method.name, channel: 'wxpay' });
    assert.ok(!items.some((m) => m.id === off.method.id), 'created disabled');
    assert.ok(!items.some((m) => m.id === later.method.id), 'disabled later');
    for (const secret of [on.key, on.pid, on.url]) {
        assert.ok(!text.includes(secret), `the customer list must not carry ${secret}`);
    }
    await expectProblem(client().shop.listPaymentMethods(), 401, 'unauthenticated');
});

// ---------------------------------------------------------------- orders

test('createOrder: 201 unpaid order with Location; the same Idempotency-Key answers the same order', async () => {
    const boss = await staff('super_admin');
    const { product } = await sellProduct(boss.client, { price: 1550 });
    const buyer = await customer('creator');
    const key = ik();
    const raw = await buyer.client.shop.createOrderRaw({ idempotencyKey: key, createOrderRequest: { productId: product.id } });
    assert.equal(raw.raw.status, 201);
    const created = await raw.value();
    assert.equal(raw.raw.headers.get('location'), `/api/v1/orders/${created.id}`);
    assert.equal(raw.raw.headers.get('idempotent-replayed'), null);
    assert.equal(created.status, 'unpaid');
    assert.equal(created.kind, 'purchase');
    assert.equal(created.productId, product.id);
    assert.equal(created.productName, product.name);
    assert.match(created.tradeNo, /^H\d{20}$/);
    assert.deepEqual(created.subtotal, money(1550));
    assert.deepEqual(created.discount, money(0));
    assert.deepEqual(created.total, money(1550));
    assert.equal(created.paidVia ?? null, null);
    assert.ok(created.expiresAt > new Date(Date.now() + 25 * 60_000), 'unpaid orders live auto_cancel_after (30 min)');
    assert.deepEqual(created.payments, []);

    const replay = await buyer.client.shop.createOrderRaw({ idempotencyKey: key, createOrderRequest: { productId: product.id } });
    assert.equal(replay.raw.status, 201);
    assert.equal(replay.raw.headers.get('idempotent-replayed'), 'true');
    const same = await replay.value();
    assert.equal(same.id, created.id);
    assert.equal(same.tradeNo, created.tradeNo);
    const orders = await buyer.client.shop.listOrders();
    assert.deepEqual(orders.items.map((o) => o.id), [created.id], 'one order, not two');

    const { product: other } = await sellProduct(boss.client);
    await expectProblem(
        buyer.client.shop.createOrder({ idempotencyKey: key, createOrderRequest: { productId: other.id } }),
        422,
        'idempotency_key_reused',
    );
    // Keys are per principal: another customer's identical key is a new order.
    const other2 = await customer('creator2');
    const theirs = await other2.client.shop.createOrder({ idempotencyKey: key, createOrderRequest: { productId: product.id } });
    assert.notEqual(theirs.id, created.id);
});

test('createOrder: a coupon locks the total and is used once; a free product is paid at once', async () => {
    const boss = await staff('super_admin');
    const { product } = await sellProduct(boss.client, { price: 2000 });
    const quarter = await coupon({ discountType: 'percentage', rate: '0.25', amount: null, maxUses: 10 });
    const buyer = await customer('discount');
    const placed = await order(buyer, product.id, { couponCode: quarter.code });
    assert.deepEqual(placed.subtotal, money(2000));
    assert.deepEqual(placed.discount, money(500));
    assert.deepEqual(placed.total, money(1500));
    assert.equal((await boss.client.catalog.adminGetCoupon({ id: quarter.id })).uses, 1);
    // A later price change does not move the locked total.
    await boss.client.catalog.adminUpdateProduct({ id: product.id, productUpdateRequest: { price: 4000 } });
    assert.deepEqual((await buyer.client.shop.getOrder({ id: placed.id })).total, money(1500));
    await expectProblem(order(buyer, product.id, { couponCode: quarter.code }), 422, 'coupon_user_limit_reached');
    await expectProblem(order(buyer, product.id, { couponCode: `NOPE${tag()}` }), 422, 'coupon_not_found');

    const { product: free } = await sellProduct(boss.client, { price: 0, name: `Trial ${tag()}` });
    const trial = await order(buyer, free.id);
    assert.deepEqual(trial.total, money(0));
    assert.equal(trial.paidVia, 'free');
    assert.ok(['paid', 'delivered'].includes(trial.status), trial.status);
    const delivered = await waitForOrder(buyer.client, trial.id, 'delivered');
    assert.ok(delivered.deliveredAt instanceof Date);
    assert.deepEqual((await buyer.client.wallet.getWallet()).available, money(0), 'nothing was charged');
});

test('listOrders: my orders only, newest first, filtered by status, paged', async () => {
    const boss = await staff('super_admin');
    const { product } = await sellProduct(boss.client, { price: 800 });
    const buyer = await customer('orders');
    const a = await order(buyer, product.id);
    const b = await order(buyer, product.id);
    const c = await order(buyer, product.id);
    await buyer.client.shop.cancelOrder({ id: b.id });
    const stranger = await customer('orders-other');
    await order(stranger, product.id);

    const page = await buyer.client.shop.listOrders();
    assert.deepEqual(page.items.map((o) => o.id), [c.id, b.id, a.id]);
    assert.ok(page.items.every((o) => Array.isArray(o.payments) && o.payments.length === 0), 'no payments in lists');
    assert.deepEqual((await buyer.client.shop.listOrders({ status: 'cancelled' })).items.map((o) => o.id), [b.id]);
    assert.deepEqual((await buyer.client.shop.listOrders({ status: 'unpaid' })).items.map((o) => o.id), [c.id, a.id]);
    assert.deepEqual((await buyer.client.shop.listOrders({ status: 'paid' })).items, []);
    const first = await buyer.client.shop.listOrders({ limit: 2 });
    assert.deepEqual(first.items.map((o) => o.id), [c.id, b.id]);
    const rest = await buyer.client.shop.listOrders({ limit: 2, cursor: first.nextCursor });
    assert.deepEqual(rest.items.map((o) => o.id), [a.id]);
    assert.equal(rest.nextCursor ?? null, null);
    await expectProblem(buyer.client.shop.listOrders({ status: 'shipped' }), 422, 'validation_failed');
    await expectProblem(
        buyer.client.shop.listOrders({ status: 'unpaid', cursor: first.nextCursor }),
        400,
        'invalid_cursor',
    );
});

test('getOrder: my order with its payments; another customer\'s order is 404', async () => {
    const boss = await staff('super_admin');
    const { product } = await sellProduct(boss.client, { price: 900 });
    const buyer = await customer('getorder');
    const placed = await order(buyer, product.id);
    const got = await buyer.client.shop.getOrder({ id: placed.id });
    assert.equal(got.id, placed.id);
    assert.equal(got.tradeNo, placed.tradeNo);
    assert.equal(got.status, 'unpaid');
    assert.deepEqual(got.payments, []);
    const stranger = await customer('snoop');
    await expectProblem(stranger.client.shop.getOrder({ id: placed.id }), 404, 'not_found', "another customer's order");
    await expectProblem(buyer.client.shop.getOrder({ id: GHOST }), 404, 'not_found');
    await expectProblem(client().shop.getOrder({ id: placed.id }), 401, 'unauthenticated');
});

test('cancelOrder: an unpaid order becomes cancelled; twice, paid or foreign orders are refused', async () => {
    const boss = await staff('super_admin');
    const { product } = await sellProduct(boss.client, { price: 700 });
    const buyer = await customer('canceller');
    const placed = await order(buyer, product.id);
    const cancelled = await buyer.client.shop.cancelOrder({ id: placed.id });
    assert.equal(cancelled.id, placed.id);
    assert.equal(cancelled.status, 'cancelled');
    assert.ok(cancelled.cancelledAt instanceof Date);
    assert.equal((await buyer.client.shop.getOrder({ id: placed.id })).status, 'cancelled');
    await expectProblem(buyer.client.shop.cancelOrder({ id: placed.id }), 409, 'order_not_cancellable', 'twice');
    await deposit(boss.client, buyer.id, 700);
    await expectProblem(
        buyer.client.shop.payOrderWithWallet({ id: placed.id, idempotencyKey: ik() }),
        409,
        'order_not_payable',
        'a cancelled order',
    );

    const paid = await order(buyer, product.id);
    await buyer.client.shop.payOrderWithWallet({ id: paid.id, idempotencyKey: ik() });
    await expectProblem(buyer.client.shop.cancelOrder({ id: paid.id }), 409, 'order_not_cancellable', 'a paid order');
    const theirs = await order(await customer('cancel-other'), product.id);
    await expectProblem(buyer.client.shop.cancelOrder({ id: theirs.id }), 404, 'not_found', "another customer's order");

    // Cancelling gives the coupon use back (once), so the customer may use it again.
    const once = await coupon({ maxUses: 1 });
    const withCoupon = await order(buyer, product.id, { couponCode: once.code });
    assert.equal((await boss.client.catalog.adminGetCoupon({ id: once.id })).uses, 1);
    await buyer.client.shop.cancelOrder({ id: withCoupon.id });
    const freed = await boss.client.catalog.adminGetCoupon({ id: once.id });
    assert.equal(freed.uses, 0);
    assert.equal(freed.everUsed, true);
    assert.deepEqual((await order(buyer, product.id, { couponCode: once.code })).discount, money(100));
});

test('payOrderWithWallet: 409 insufficient_funds, then paid from the deposit and delivered', async () => {
    const boss = await staff('super_admin');
    const { product } = await sellProduct(boss.client, { price: 1550 });
    const buyer = await customer('payer');
    const placed = await order(buyer, product.id);
    await expectProblem(
        buyer.client.shop.payOrderWithWallet({ id: placed.id, idempotencyKey: ik() }),
        409,
        'insufficient_funds',
    );
    await deposit(boss.client, buyer.id, 1000);
    await expectProblem(
        buyer.client.shop.payOrderWithWallet({ id: placed.id, idempotencyKey: ik() }),
        409,
        'insufficient_funds',
        'a balance below the total',
    );
    assert.equal((await buyer.client.shop.getOrder({ id: placed.id })).status, 'unpaid');
    await deposit(boss.client, buyer.id, 1000);

    const key = ik();
    const paid = await buyer.client.shop.payOrderWithWallet({ id: placed.id, idempotencyKey: key });
    assert.equal(paid.id, placed.id);
    assert.equal(paid.status, 'paid');
    assert.equal(paid.paidVia, 'wallet');
    assert.ok(paid.paidAt instanceof Date);
    const replay = await buyer.client.shop.payOrderWithWalletRaw({ id: placed.id, idempotencyKey: key });
    assert.equal(replay.raw.headers.get('idempotent-replayed'), 'true');
    assert.equal((await replay.value()).status, 'paid');

    const delivered = await waitForOrder(buyer.client, placed.id, 'delivered');
    assert.ok(delivered.deliveredAt instanceof Date);
    assert.equal(delivered.payments.length, 1);
    assert.equal(delivered.payments[0].via, 'wallet');
    assert.equal(delivered.payments[0].status, 'succeeded');
    assert.deepEqual(delivered.payments[0].amount, money(1550));

    const wallet = await buyer.client.wallet.getWallet();
    assert.deepEqual(wallet.available, money(450), 'charged once');
    const ledger = await buyer.client.wallet.listWalletLedger({ type: 'order_payment' });
    assert.deepEqual(
        ledger.items.map((e) => [e.amount, e.orderId]),
        [[-1550, placed.id]],
    );
    await expectProblem(
        buyer.client.shop.payOrderWithWallet({ id: placed.id, idempotencyKey: ik() }),
        409,
        'order_not_payable',
        'a delivered order',
    );
    const stranger = await customer('payer-other');
    await deposit(boss.client, stranger.id, 5000);
    await expectProblem(
        stranger.client.shop.payOrderWithWallet({ id: (await order(buyer, product.id)).id, idempotencyKey: ik() }),
        404,
        'not_found',
        "paying another customer's order",
    );
});

test('startGatewayPayment: a signed Epay submit URL for the payment; the order stays unpaid', async () => {
    const boss = await staff('super_admin');
    const { product } = await sellProduct(boss.client, { price: 1050, name: `Pro ${tag()} 30d` });
    const gateway = await epayMethod(boss.client, { url: 'http://127.0.0.1:9/pay/', channel: 'alipay' });
    const buyer = await customer('gateway');
    const placed = await order(buyer, product.id);
    const key = ik();
    const started = await buyer.client.shop.startGatewayPayment({
        id: placed.id,
        idempotencyKey: key,
        startGatewayPaymentRequest: { paymentMethodId: gateway.method.id },
    });
    assert.match(started.paymentId, /^[0-9a-f-]{36}$/);
    assert.ok(started.redirectUrl.startsWith('http://127.0.0.1:9/pay/submit.php?'), started.redirectUrl);
    assert.ok(!started.redirectUrl.includes(gateway.key), 'the merchant key never leaves the server');
    const params = gatewayParams(started.redirectUrl);
    assert.equal(params.pid, gateway.pid);
    assert.equal(params.type, 'alipay');
    assert.equal(params.money, yuan(1050));
    assert.equal(params.money, '10.5');
    assert.equal(params.name, product.name, 'the name travels decoded (spaces as %20)');
    assert.ok(started.redirectUrl.includes(`name=${encodeURIComponent(product.name)}`));
    assert.match(params.out_trade_no, /^P\d{20}$/);
    assert.notEqual(params.out_trade_no, placed.tradeNo, 'each payment has its own gateway number');
    assert.match(params.notify_url, /\/webhooks\/epay\/notify$/);
    assert.equal(params.sign_type, 'MD5');
    assert.match(params.sign, /^[0-9a-f]{32}$/);
    assert.equal(params.sign, epaySign(params, gateway.key), 'MD5 over the sorted raw parameters + the key');
    assert.notEqual(params.sign, epaySign(params, 'another-key'));

    const replay = await buyer.client.shop.startGatewayPayment({
        id: placed.id,
        idempotencyKey: key,
        startGatewayPaymentRequest: { paymentMethodId: gateway.method.id },
    });
    assert.deepEqual(replay, started, 'the same key replays the same payment');
    const pending = await buyer.client.shop.getOrder({ id: placed.id });
    assert.equal(pending.status, 'unpaid');
    assert.deepEqual(
        pending.payments.map((p) => [p.id, p.via, p.status, p.amount.amount]),
        [[started.paymentId, 'gateway', 'pending', 1050]],
    );
    // A second attempt gets its own payment number.
    const again = await buyer.client.shop.startGatewayPayment({
        id: placed.id,
        idempotencyKey: ik(),
        startGatewayPaymentRequest: { paymentMethodId: gateway.method.id },
    });
    assert.notEqual(again.paymentId, started.paymentId);
    assert.notEqual(gatewayParams(again.redirectUrl).out_trade_no, params.out_trade_no);
});

test('setAutoRenewal: turns renewal of a product on and off', async () => {
    const boss = await staff('super_admin');
    const { product } = await sellProduct(boss.client);
    const buyer = await customer('renew');
    const on = await buyer.client.shop.setAutoRenewal({ productId: product.id, setAutoRenewalRequest: { enabled: true } });
    assert.equal(on.productId, product.id);
    assert.equal(on.enabled, true);
    assert.equal(on.lastOrderId ?? null, null);
    assert.ok(on.updatedAt instanceof Date);
    const off = await buyer.client.shop.setAutoRenewal({ productId: product.id, setAutoRenewalRequest: { enabled: false } });
    assert.equal(off.enabled, false);
    assert.ok(off.updatedAt >= on.updatedAt);
    await expectProblem(
        buyer.client.shop.setAutoRenewal({ productId: GHOST, setAutoRenewalRequest: { enabled: true } }),
        404,
        'not_found',
    );
    await expectProblem(
        client().shop.setAutoRenewal({ productId: product.id, setAutoRenewalRequest: { enabled: true } }),
        401,
        'unauthenticated',
    );
});

test('listAutoRenewals: my settings per product, nobody else\'s', async () => {
    const boss = await staff('super_admin');
    const { product: a } = await sellProduct(boss.client);
    const { product: b } = await sellProduct(boss.client);
    const buyer = await customer('renewals');
    assert.deepEqual((await buyer.client.shop.listAutoRenewals()).items, []);
    await buyer.client.shop.setAutoRenewal({ productId: a.id, setAutoRenewalRequest: { enabled: true } });
    await buyer.client.shop.setAutoRenewal({ productId: b.id, setAutoRenewalRequest: { enabled: false } });
    const list = await buyer.client.shop.listAutoRenewals();
    const byProduct = Object.fromEntries(list.items.map((r) => [r.productId, r.enabled]));
    assert.deepEqual(byProduct, { [a.id]: true, [b.id]: false });
    const stranger = await customer('renewals-other');
    assert.deepEqual((await stranger.client.shop.listAutoRenewals()).items, []);
    await expectProblem(client().shop.listAutoRenewals(), 401, 'unauthenticated');
});

// ---------------------------------------------------------------- error paths

test('shop error path: Idempotency-Key missing/invalid, 422 naming fields, unavailable products and methods, max unpaid orders', async () => {
    const boss = await staff('super_admin');
    const { product } = await sellProduct(boss.client, { price: 500 });
    const buyer = await customer('shop-errors');

    // The SDK insists on the key; a raw request without one is refused before anything runs.
    const res = await fetch(`${server.url}/api/v1/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${buyer.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ product_id: product.id }),
    });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).code, 'idempotency_key_missing');
    await expectProblem(
        buyer.client.shop.createOrder({ idempotencyKey: '', createOrderRequest: { productId: product.id } }),
        400,
        'idempotency_key_invalid',
    );
    await expectProblem(
        buyer.client.shop.createOrder({ idempotencyKey: 'x'.repeat(256), createOrderRequest: { productId: product.id } }),
        400,
        'idempotency_key_invalid',
    );

    const missing = await expectProblem(
        buyer.client.shop.createOrder({ idempotencyKey: ik(), createOrderRequest: {} }),
        422,
        'validation_failed',
    );
    assert.ok(missing.errors.some((e) => e.field === 'product_id'), JSON.stringify(missing.errors));
    const unknownField = await expectProblem(
        buyer.client.shop.previewCoupon({ couponPreviewRequest: { code: 'ABCDEF', productId: 'not-a-uuid' } }),
        422,
        'validation_failed',
    );
    assert.ok(unknownField.errors.some((e) => e.field === 'product_id'), JSON.stringify(unknownField.errors));
    await expectProblem(order(buyer, GHOST), 422, 'product_not_available');
    await expectProblem(buyer.client.shop.getOrder({ id: GHOST }), 404, 'not_found');
    await expectProblem(buyer.client.shop.cancelOrder({ id: GHOST }), 404, 'not_found');

    const placed = await order(buyer, product.id);
    const badMethod = await expectProblem(
        buyer.client.shop.startGatewayPayment({
            id: placed.id,
            idempotencyKey: ik(),
            startGatewayPaymentRequest: { paymentMethodId: GHOST },
        }),
        422,
        'payment_method_unavailable',
    );
    assert.equal(badMethod.status, 422);
    const disabled = await epayMethod(boss.client, { enabled: false });
    await expectProblem(
        buyer.client.shop.startGatewayPayment({
            id: placed.id,
            idempotencyKey: ik(),
            startGatewayPaymentRequest: { paymentMethodId: disabled.method.id },
        }),
        422,
        'payment_method_unavailable',
        'a disabled method',
    );
    const enabled = await epayMethod(boss.client);
    await buyer.client.shop.cancelOrder({ id: placed.id });
    await expectProblem(
        buyer.client.shop.startGatewayPayment({
            id: placed.id,
            idempotencyKey: ik(),
            startGatewayPaymentRequest: { paymentMethodId: enabled.method.id },
        }),
        409,
        'order_not_payable',
        'a cancelled order',
    );

    // shop.max_unpaid_orders (5): the sixth unpaid order is refused until one is cancelled.
    const open = [];
    for (let i = 0; i < 5; i++) open.push(await order(buyer, product.id));
    await expectProblem(order(buyer, product.id), 409, 'max_unpaid_orders_reached');
    await buyer.client.shop.cancelOrder({ id: open[0].id });
    assert.equal((await order(buyer, product.id)).status, 'unpaid');

    await expectProblem(client().shop.listOrders(), 401, 'unauthenticated');
    const cs = await staff('customer_support');
    await expectProblem(cs.client.shop.listOrders(), 401, 'unauthenticated', 'a staff token on a customer route');
});
