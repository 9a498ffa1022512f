// Shared helpers of the commerce test files (shop, catalog, orders, wallet, webhooks); not a
// test file itself.
//
//   import { useShopServer, staff, customer, sellProduct, deposit } from './shop_kit.mjs';
//   const server = useShopServer();
//   const boss = await staff('super_admin');               // TOTP on, may write
//   const { product } = await sellProduct(boss.client, { price: 1500 });
//   const buyer = await customer('buyer');                  // a fresh customer + its client
//   await deposit(boss.client, buyer.id, 5000);             // adminAdjustWallet kind deposit
//   const order = await buyer.client.shop.createOrder({ idempotencyKey: ik(), createOrderRequest: { productId: product.id } });
//
// Staff and customers are made on the file's one server (useShopServer also feeds
// auth_kit's customer helpers). Every client appears as an address of its own (see
// harness.mjs) and the server gets generous rate limits: the files make many writes per
// principal in little time, which the production limits are not about.
//
// Epay (WIRE-FORMATS Part C): `epaySign` computes the MD5 v1 signature with node:crypto
// (checked against the documented example below), `gatewayParams` reads the signed
// parameters back out of a `startGatewayPayment` redirect URL, and `signedNotify` builds the
// gateway's notify for such a payment, signed with the merchant key.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createHeliumClient } from '../dist/index.js';
import { bootstrapAdminWithMfa } from './admin_kit.mjs';
import { signUp, sleep, useAuthServer } from './auth_kit.mjs';
import { clientAddressHeaders } from './harness.mjs';

export { expectProblem, expectStatus, sleep, sqlString } from './auth_kit.mjs';

/** The default, public group every account joins (migration customer_groups). */
export const EVERYONE = '018f0000-0000-7000-8000-000000000001';
/** A well-formed id of nothing. */
export const GHOST = '01900000-0000-7000-8000-000000000000';
/** The shop currency of a fresh deployment (config `shop.currency`). */
export const CURRENCY = 'CNY';
export const GiB = 1024 ** 3;

let server;

/**
 * Registers the file's server (generous rate limits, see above) for the helpers below and
 * auth_kit's (signUp, mail, ...); returns its handle. `env` adds to the server environment.
 */
export function useShopServer(env = {}) {
    server = useAuthServer({
        RATE_LIMIT_READ: '5000/60',
        RATE_LIMIT_WRITE: '5000/60',
        RATE_LIMIT_PUBLIC_READ: '5000/60',
        ...env,
    });
    return server;
}

/** A fresh Idempotency-Key. */
export function ik(label = 'k') {
    return `${label}-${randomBytes(9).toString('hex')}`;
}

/** A short random tag for unique names and codes (upper-case hex). */
export function tag(bytes = 4) {
    return randomBytes(bytes).toString('hex').toUpperCase();
}

/**
 * Every generated API (shop, wallet, catalog, orders, customers, webhooks, ...) with
 * `credential` as the bearer (a customer or staff JWT, or a staff API key), or none.
 */
export function client(credential) {
    return createHeliumClient({
        baseUrl: server.url,
        ...(credential === undefined ? {} : { accessToken: credential }),
        headers: clientAddressHeaders(),
    });
}

const staffCache = new Map();

/**
 * One staff account per role with TOTP on (staff write only with it), made on first use (the
 * CLI and argon2 are slow): the bootstrapped admin plus `client`.
 */
export function staff(role = 'super_admin') {
    if (!staffCache.has(role)) {
        const made = bootstrapAdminWithMfa(server, { role }).then((admin) => ({
            ...admin,
            client: client(admin.accessToken),
        }));
        staffCache.set(role, made);
        made.catch(() => staffCache.delete(role)); // a failed bootstrap is retried by the next use
    }
    return staffCache.get(role);
}

/** A fresh customer: { id, email, accessToken, client } (signed up through the API). */
export async function customer(label = 'buyer') {
    const user = await signUp(label);
    return { id: user.account.id, email: user.email, accessToken: user.tokens.accessToken, client: client(user.tokens.accessToken) };
}

/** Entitlements of the versions sellProduct publishes unless told otherwise. */
export const TERMS = {
    trafficBytes: 100 * GiB,
    durationDays: 30,
    speedLimitMbps: 200,
    deviceLimit: 3,
    trafficReset: 'monthly_on_purchase_day',
    groupIds: [],
};

/**
 * As staff (`api`: a client of a staff member or API key with catalog.write): a package
 * series, one version with `terms`, published, and a product for it priced `price`, on sale
 * to `groupIds` (default: Everyone). Returns { series, version, product }.
 */
export async function sellProduct(
    api,
    { price = 1500, groupIds = [EVERYONE], name, terms = {}, onSale = true, sort = 0, description } = {},
) {
    name ??= `Plan ${tag()}`;
    const series = await api.catalog.adminCreatePackageSeries({
        seriesCreateRequest: { name: `${name} series`, description: `terms of ${name}` },
    });
    const version = await api.catalog.adminCreatePackageVersion({
        id: series.id,
        versionCreateRequest: { ...TERMS, ...terms },
    });
    const published = await api.catalog.adminPublishPackageVersion({ id: series.id, versionId: version.id });
    const product = await api.catalog.adminCreateProduct({
        productCreateRequest: {
            name,
            ...(description === undefined ? {} : { description }),
            price,
            packageSeriesId: series.id,
            groupIds,
            onSale,
            sort,
            commissionEligible: false,
        },
    });
    return { series, version: published, product };
}

/** As staff: adminAdjustWallet of `kind` (default deposit); returns the WalletAdjusted. */
export async function adjust(api, userId, amount, { kind = 'deposit', reason = 'test funds', idempotencyKey = ik('adj') } = {}) {
    return api.wallet.adminAdjustWallet({
        userId,
        idempotencyKey,
        walletAdjustmentRequest: { kind, amount, reason },
    });
}

/** As staff: deposits `amount` into the customer's wallet (adminAdjustWallet kind deposit). */
export async function deposit(api, userId, amount) {
    return adjust(api, userId, amount, { kind: 'deposit' });
}

/** As the customer: createOrder for `productId` (optional coupon); the Order. */
export async function order(buyer, productId, { couponCode, idempotencyKey = ik('order') } = {}) {
    return buyer.client.shop.createOrder({
        idempotencyKey,
        createOrderRequest: { productId, ...(couponCode === undefined ? {} : { couponCode }) },
    });
}

/** Polls getOrder (or adminGetOrder with `admin`) until the order has `status`; returns it. */
export async function waitForOrder(api, id, status, { admin = false, timeoutMs = 15_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const current = admin ? await api.orders.adminGetOrder({ id }) : await api.shop.getOrder({ id });
        if (current.status === status) return current;
        if (Date.now() > deadline) {
            assert.fail(`order ${id} should become ${status}, is ${current.status}`);
        }
        await sleep(150);
    }
}

// ---------------------------------------------------------------- Epay MD5 v1 (WIRE-FORMATS C)

/**
 * The Epay signature of `params` (an object or [name, value] pairs) under `key`: every
 * parameter but sign/sign_type with a non-empty value, sorted by name, `k=v` joined with `&`
 * over the raw values, the key appended directly, MD5 as lower-case hex.
 */
export function epaySign(params, key) {
    const entries = (Array.isArray(params) ? params : Object.entries(params))
        .filter(([k, v]) => k !== 'sign' && k !== 'sign_type' && v !== undefined && v !== null && String(v) !== '')
        .map(([k, v]) => [k, String(v)])
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const text = entries.map(([k, v]) => `${k}=${v}`).join('&') + key;
    return createHash('md5').update(text, 'utf8').digest('hex');
}

// The worked example of WIRE-FORMATS C.2 (an empty value is dropped).
assert.equal(
    epaySign(
        {
            money: '25.5',
            name: 'Helium Pro 30d',
            notify_url: 'https://api.helium.example/pay/epay/notify',
            out_trade_no: 'H20250101000123',
            pid: '1024',
            return_url: 'https://app.helium.example/orders/H20250101000123',
            type: 'alipay',
            param: '',
        },
        'demoKEY123',
    ),
    'ca11bd910fc3533021cc60c045f5cf6f',
);

/** A merchant key of the length gateways hand out. */
export function merchantKey() {
    return `mk${randomBytes(16).toString('hex')}`;
}

/**
 * As a SuperAdmin: an enabled Epay account for the gateway at `url` (plain http only on this
 * machine) with merchant id `pid` and merchant `key`. Returns { method, key, pid, url }.
 */
export async function epayMethod(api, { key = merchantKey(), pid = String(1000 + Math.floor(Math.random() * 9000)), url = 'http://127.0.0.1:9/epay', channel = 'alipay', name, enabled = true, sort = 0 } = {}) {
    const method = await api.orders.adminCreatePaymentMethod({
        paymentMethodCreateRequest: { kind: 'epay', name: name ?? `Epay ${tag()}`, channel, url, pid, key, enabled, sort },
    });
    return { method, key, pid, url };
}

/** The decoded parameters (an object) of a `<url>/submit.php?...` redirect. */
export function gatewayParams(redirectUrl) {
    const url = new URL(redirectUrl);
    const params = {};
    for (const [k, v] of url.searchParams) {
        assert.ok(!(k in params), `${k} appears twice in ${redirectUrl}`);
        params[k] = v;
    }
    return params;
}

/**
 * The notify a gateway sends for the payment behind `redirectUrl` once the customer paid:
 * the request object of epayNotifyGet/epayNotifyPost (SDK field names), signed with `key`.
 * `overrides` (wire names: money, trade_status, trade_no, pid, ...) change fields before
 * signing; `sign` in overrides replaces the signature after.
 */
export function signedNotify(redirectUrl, key, overrides = {}) {
    const submitted = gatewayParams(redirectUrl);
    const { sign: forcedSign, ...changes } = overrides;
    const wire = {
        pid: submitted.pid,
        trade_no: `GW${randomBytes(8).toString('hex')}`,
        out_trade_no: submitted.out_trade_no,
        type: submitted.type,
        name: submitted.name,
        money: submitted.money,
        trade_status: 'TRADE_SUCCESS',
        ...changes,
    };
    const sign = forcedSign ?? epaySign(wire, key);
    return {
        pid: wire.pid,
        tradeNo: wire.trade_no,
        outTradeNo: wire.out_trade_no,
        type: wire.type,
        name: wire.name,
        money: wire.money,
        tradeStatus: wire.trade_status,
        ...(wire.param === undefined ? {} : { param: wire.param }),
        sign,
        signType: 'MD5',
    };
}

/** Minor units as the yuan string Epay carries (1050 → "10.5", 1000 → "10"). */
export function yuan(minor) {
    const whole = Math.trunc(minor / 100);
    const cents = minor % 100;
    if (cents === 0) return String(whole);
    return `${whole}.${String(cents).padStart(2, '0').replace(/0$/, '')}`;
}
