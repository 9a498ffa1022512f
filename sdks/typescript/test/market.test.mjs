// The market operations (tag market) through the SDK, against a live server: invite codes
// within the per-customer maximum, referral stats and lists, commissions and their withdrawal
// (Idempotency-Key), and the staff affiliate policy and commission list with their roles.
//
// The whole commission path runs for real: a referee registers with an invite code (the
// referral linker consumer links them), buys a commission-eligible product from the wallet
// (the commission consumer records the commission on `order.paid`), and, with the affiliate
// config's `commission_hold_period` at "0", the cron (SCAN_INTERVAL=1 here) makes it
// available; it is then withdrawn into the wallet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anon, linkToken, PASSWORD, uniqueEmail } from './auth_kit.mjs';
import {
    CURRENCY,
    EVERYONE,
    GHOST,
    TERMS,
    client,
    customer,
    deposit,
    expectProblem,
    ik,
    staff,
    tag,
    useShopServer,
    waitForOrder,
} from './shop_kit.mjs';
import { eventually } from './telecom_kit.mjs';

const server = useShopServer({ SCAN_INTERVAL: '1' });

const money = (amount) => ({ amount, currency: CURRENCY });

/** As a SuperAdmin: merges `changes` into the `affiliate` config (adminPutConfig). */
async function setAffiliate(changes) {
    const boss = await staff('super_admin');
    const current = await boss.client.config.adminGetConfig({ key: 'affiliate' });
    const value = { ...current.value, ...changes };
    await boss.client.config.adminPutConfig({ key: 'affiliate', putConfigRequest: { value } });
    return value;
}

/** A customer registered with `referralCode` (through register + completeRegistration). */
async function referee(referralCode) {
    const email = uniqueEmail('referee');
    const helium = anon();
    await helium.auth.register({ registerRequest: { email, referralCode } });
    const token = await linkToken(email);
    const { account, tokens } = await helium.auth.completeRegistration({
        completeRegistrationRequest: { token, password: PASSWORD },
    });
    return { id: account.id, email, accessToken: tokens.accessToken, client: client(tokens.accessToken) };
}

/** As a SuperAdmin: a product priced `price` on sale to everyone, commission-eligible or not. */
async function eligibleProduct(price, commissionEligible = true) {
    const boss = await staff('super_admin');
    const name = `Ref ${tag()}`;
    const series = await boss.client.catalog.adminCreatePackageSeries({ seriesCreateRequest: { name: `${name} series` } });
    const version = await boss.client.catalog.adminCreatePackageVersion({ id: series.id, versionCreateRequest: TERMS });
    await boss.client.catalog.adminPublishPackageVersion({ id: series.id, versionId: version.id });
    return boss.client.catalog.adminCreateProduct({
        productCreateRequest: {
            name,
            price,
            packageSeriesId: series.id,
            groupIds: [EVERYONE],
            onSale: true,
            sort: 0,
            commissionEligible,
        },
    });
}

/** The buyer pays an order of `product` from money a SuperAdmin deposits; waits for delivery. */
async function buy(buyer, product) {
    const boss = await staff('super_admin');
    await deposit(boss.client, buyer.id, product.price.amount ?? product.price);
    const placed = await buyer.client.shop.createOrder({ idempotencyKey: ik('order'), createOrderRequest: { productId: product.id } });
    await buyer.client.shop.payOrderWithWallet({ id: placed.id, idempotencyKey: ik('pay') });
    await waitForOrder(buyer.client, placed.id, 'delivered');
    return placed;
}

test('createInviteCode: an 8-character code with no sign-ups yet, listed newest first by listInviteCodes', async () => {
    const me = await customer('inviter');
    assert.deepEqual((await me.client.market.listInviteCodes()).items, [], 'no codes yet');
    const first = await me.client.market.createInviteCode();
    assert.equal(typeof first.id, 'string');
    assert.match(first.code, /^[A-Za-z0-9]{8}$/, `an 8-character code, got ${first.code}`);
    assert.equal(first.signups, 0);
    assert.ok(first.createdAt instanceof Date);
    const second = await me.client.market.createInviteCode();
    assert.notEqual(second.code, first.code, 'codes are random');

    const raw = await me.client.market.createInviteCodeRaw();
    assert.equal(raw.raw.status, 201);
    const third = await raw.value();

    const listed = await me.client.market.listInviteCodes();
    assert.deepEqual(listed.items.map((c) => c.id), [third.id, second.id, first.id], 'newest first');
    assert.deepEqual(listed.items.map((c) => c.code), [third.code, second.code, first.code]);
    assert.equal(listed.nextCursor ?? null, null);

    const one = await me.client.market.listInviteCodes({ limit: 2 });
    assert.deepEqual(one.items.map((c) => c.id), [third.id, second.id]);
    assert.equal(typeof one.nextCursor, 'string');
    const rest = await me.client.market.listInviteCodes({ limit: 2, cursor: one.nextCursor });
    assert.deepEqual(rest.items.map((c) => c.id), [first.id]);

    // Someone else's list is their own.
    const other = await customer('other-inviter');
    assert.deepEqual((await other.client.market.listInviteCodes()).items, []);
});

test('listInviteCodes: a sign-up with a code counts on that code', async () => {
    const me = await customer('counted');
    const code = await me.client.market.createInviteCode();
    const spare = await me.client.market.createInviteCode();
    await referee(code.code);
    const listed = await eventually(async () => {
        const page = await me.client.market.listInviteCodes();
        const mine = page.items.find((c) => c.id === code.id);
        return mine?.signups === 1 ? page : undefined;
    }, 'the sign-up to be counted on the invite code');
    assert.equal(listed.items.find((c) => c.id === spare.id).signups, 0, 'the other code has none');
});

test('deleteInviteCode: the code is retired (204) and gone from the list; unknown or someone else\'s is 404', async () => {
    const me = await customer('retirer');
    const keep = await me.client.market.createInviteCode();
    const drop = await me.client.market.createInviteCode();
    const raw = await me.client.market.deleteInviteCodeRaw({ id: drop.id });
    assert.equal(raw.raw.status, 204);
    assert.deepEqual((await me.client.market.listInviteCodes()).items.map((c) => c.id), [keep.id]);
    await expectProblem(me.client.market.deleteInviteCode({ id: drop.id }), 404, 'not_found', 'deleting twice');

    const other = await customer('not-the-owner');
    await expectProblem(other.client.market.deleteInviteCode({ id: keep.id }), 404, 'not_found', "another customer's code");
    await expectProblem(other.client.market.deleteInviteCode({ id: GHOST }), 404, 'not_found', 'an unknown id');
    assert.deepEqual((await me.client.market.listInviteCodes()).items.map((c) => c.id), [keep.id], 'still there');
});

test('getReferralStats: the config defaults for a fresh customer, nothing earned', async () => {
    const me = await customer('stats');
    const stats = await me.client.market.getReferralStats();
    assert.equal(stats.referred, 0);
    assert.equal(stats.paying, 0);
    assert.deepEqual(stats.pending, money(0));
    assert.deepEqual(stats.available, money(0));
    assert.deepEqual(stats.withdrawn, money(0));
    assert.equal(stats.rewardRate, '0.1', 'default_reward_rate');
    assert.equal(stats.triggerLimit, 3, 'default_trigger_time_per_user');
    assert.equal(stats.codesMax, 10, 'max_invite_code_per_user');
    assert.equal(stats.enabled, true);
});

test('adminPutAffiliatePolicy: overrides change the customer\'s rate and code limit (409 invite_code_limit_reached); null falls back; disabled → 403 affiliate_disabled', async () => {
    const moderator = await staff('moderator');
    const me = await customer('policy');
    const put = await moderator.client.market.adminPutAffiliatePolicy({
        userId: me.id,
        putAffiliatePolicyRequest: { enabled: true, rewardRate: '0.25', triggerLimit: 1, maxInviteCodes: 1 },
    });
    assert.equal(put.userId, me.id);
    assert.equal(put.enabled, true);
    assert.equal(put.rewardRate, '0.25');
    assert.equal(put.triggerLimit, 1);
    assert.equal(put.maxInviteCodes, 1);
    assert.deepEqual(
        [put.overrides.enabled, put.overrides.rewardRate, put.overrides.triggerLimit, put.overrides.maxInviteCodes],
        [true, '0.25', 1, 1],
    );

    const stats = await me.client.market.getReferralStats();
    assert.deepEqual([stats.rewardRate, stats.triggerLimit, stats.codesMax, stats.enabled], ['0.25', 1, 1, true]);
    const only = await me.client.market.createInviteCode();
    await expectProblem(me.client.market.createInviteCode(), 409, 'invite_code_limit_reached', 'a second code over a maximum of 1');
    // Retiring the code frees the slot.
    await me.client.market.deleteInviteCode({ id: only.id });
    const again = await me.client.market.createInviteCode();
    await expectProblem(me.client.market.createInviteCode(), 409, 'invite_code_limit_reached');

    // Null overrides fall back to the config defaults.
    const reset = await moderator.client.market.adminPutAffiliatePolicy({
        userId: me.id,
        putAffiliatePolicyRequest: { enabled: true, rewardRate: null, triggerLimit: null, maxInviteCodes: null },
    });
    assert.deepEqual([reset.rewardRate, reset.triggerLimit, reset.maxInviteCodes], ['0.1', 3, 10]);
    assert.equal(reset.overrides.rewardRate ?? null, null);
    assert.equal(reset.overrides.maxInviteCodes ?? null, null);
    const second = await me.client.market.createInviteCode();
    assert.notEqual(second.id, again.id);

    // Referrals off for this customer: no new codes, no withdrawals.
    const off = await moderator.client.market.adminPutAffiliatePolicy({
        userId: me.id,
        putAffiliatePolicyRequest: { enabled: false },
    });
    assert.equal(off.enabled, false);
    assert.equal((await me.client.market.getReferralStats()).enabled, false);
    await expectProblem(me.client.market.createInviteCode(), 403, 'affiliate_disabled');
    await expectProblem(
        me.client.market.withdrawCommission({ idempotencyKey: ik('w'), withdrawCommissionRequest: { amount: 1 } }),
        403,
        'affiliate_disabled',
    );

    // CustomerSupport reads policies but does not change them.
    const support = await staff('customer_support');
    const seen = await support.client.market.adminGetAffiliatePolicy({ userId: me.id });
    assert.equal(seen.enabled, false);
    await expectProblem(
        support.client.market.adminPutAffiliatePolicy({ userId: me.id, putAffiliatePolicyRequest: { enabled: true } }),
        403,
        'permission_denied',
        'CustomerSupport putting a policy',
    );
    await expectProblem(
        moderator.client.market.adminPutAffiliatePolicy({ userId: me.id, putAffiliatePolicyRequest: { enabled: true, rewardRate: '1.5' } }),
        422,
        'validation_failed',
        'a rate above 1',
    );
    assert.equal((await moderator.client.market.adminGetAffiliatePolicy({ userId: me.id })).enabled, false, 'unchanged');
});

test('adminGetAffiliatePolicy: the defaults with no overrides, and who referred the customer', async () => {
    const support = await staff('customer_support');
    const referrer = await customer('referrer-policy');
    const fresh = await support.client.market.adminGetAffiliatePolicy({ userId: referrer.id });
    assert.equal(fresh.userId, referrer.id);
    assert.deepEqual([fresh.enabled, fresh.rewardRate, fresh.triggerLimit, fresh.maxInviteCodes], [true, '0.1', 3, 10]);
    assert.equal(fresh.referrerId ?? null, null, 'nobody referred them');
    assert.equal(fresh.overrides.enabled, true);
    assert.equal(fresh.overrides.rewardRate ?? null, null);

    const code = await referrer.client.market.createInviteCode();
    const friend = await referee(code.code);
    const linked = await eventually(async () => {
        const policy = await support.client.market.adminGetAffiliatePolicy({ userId: friend.id });
        return policy.referrerId ? policy : undefined;
    }, 'the referral link of the new customer');
    assert.equal(linked.referrerId, referrer.id);

    const bot = await staff('support_bot');
    await expectProblem(bot.client.market.adminGetAffiliatePolicy({ userId: friend.id }), 403, 'permission_denied');
    await expectProblem(support.client.market.adminGetAffiliatePolicy({ userId: GHOST }), 404, 'not_found');
});

test('market error path: listCommissions ?status=bogus 422, withdrawCommission with nothing available 409 insufficient_commission, an over-long Idempotency-Key 400', async () => {
    const me = await customer('broke');
    const err = await expectProblem(me.client.market.listCommissions({ status: 'bogus' }), 422, 'validation_failed');
    assert.ok(err.errors.some((e) => e.field === 'status'), `errors should name status: ${JSON.stringify(err.errors)}`);
    assert.deepEqual((await me.client.market.listCommissions()).items, []);

    await expectProblem(
        me.client.market.withdrawCommission({ idempotencyKey: ik('w'), withdrawCommissionRequest: { amount: 100 } }),
        409,
        'insufficient_commission',
    );
    await expectProblem(
        me.client.market.withdrawCommission({ idempotencyKey: 'k'.repeat(256), withdrawCommissionRequest: { amount: 100 } }),
        400,
        'idempotency_key_invalid',
        'an Idempotency-Key over 255 characters',
    );
    await expectProblem(
        me.client.market.withdrawCommission({ idempotencyKey: ik('w'), withdrawCommissionRequest: { amount: 0 } }),
        422,
        'validation_failed',
        'a zero amount',
    );
    const boss = await staff('super_admin');
    await expectProblem(boss.client.market.adminListCommissions({ status: 'bogus' }), 422, 'validation_failed');
    assert.deepEqual((await me.client.market.getReferralStats()).withdrawn, money(0));
});

test('withdrawCommission: a referee\'s eligible purchase earns 10 %, released by the cron, withdrawn once into the wallet', async () => {
    await setAffiliate({ commission_hold_period: '0' });
    const boss = await staff('super_admin');
    const referrer = await customer('earner');
    const code = await referrer.client.market.createInviteCode();
    const friend = await referee(code.code);
    await eventually(async () => ((await referrer.client.market.getReferralStats()).referred === 1 ? true : undefined), 'the referral link');

    const product = await eligibleProduct(2000);
    const plain = await eligibleProduct(5000, false);
    await buy(friend, plain); // not eligible: earns nothing
    const placed = await buy(friend, product);

    const available = await eventually(async () => {
        const page = await referrer.client.market.listCommissions({ status: 'available' });
        return page.items.length > 0 ? page : undefined;
    }, 'the commission to become available (consumer + cron)', { timeoutMs: 30_000 });
    assert.equal(available.items.length, 1, 'one commission: the ineligible order earns none');
    const [commission] = available.items;
    assert.deepEqual(commission.amount, money(200), '10 % of 2000');
    assert.equal(commission.status, 'available');
    assert.ok(commission.availableAt.getTime() <= Date.now() + 1000);
    assert.deepEqual((await referrer.client.market.listCommissions({ status: 'pending' })).items, []);
    assert.deepEqual((await referrer.client.market.listCommissions()).items.map((c) => c.id), [commission.id]);

    const stats = await referrer.client.market.getReferralStats();
    assert.deepEqual([stats.referred, stats.paying], [1, 1]);
    assert.deepEqual(stats.available, money(200));
    assert.deepEqual(stats.pending, money(0));

    const referrals = await referrer.client.market.listReferrals();
    assert.equal(referrals.items.length, 1);
    assert.equal(referrals.items[0].rewardedOrders, 1);
    assert.ok(referrals.items[0].joinedAt instanceof Date);
    assert.notEqual(referrals.items[0].maskedEmail, friend.email, 'the address is masked');
    assert.ok(referrals.items[0].maskedEmail.endsWith('@example.test') || referrals.items[0].maskedEmail.includes('*'), referrals.items[0].maskedEmail);

    // Staff see who earned it on which order.
    const staffView = await boss.client.market.adminListCommissions({ beneficiaryId: referrer.id });
    assert.equal(staffView.items.length, 1);
    const row = staffView.items[0];
    assert.deepEqual(
        [row.id, row.beneficiaryId, row.refereeId, row.orderId, row.status, row.rate],
        [commission.id, referrer.id, friend.id, placed.id, 'available', '0.1'],
    );
    assert.deepEqual(row.orderAmount, money(2000));
    assert.deepEqual(row.amount, money(200));
    assert.deepEqual((await boss.client.market.adminListCommissions({ refereeId: friend.id, status: 'reversed' })).items, []);
    await expectProblem((await staff('customer_support')).client.market.adminListCommissions(), 403, 'permission_denied');

    // Withdraw part, replay the same key (same answer, once), then more than is left.
    const key = ik('withdraw');
    const withdrawn = await referrer.client.market.withdrawCommission({ idempotencyKey: key, withdrawCommissionRequest: { amount: 150 } });
    assert.deepEqual(withdrawn.withdrawn, money(150));
    assert.deepEqual(withdrawn.wallet.available, money(150));
    const replay = await referrer.client.market.withdrawCommissionRaw({ idempotencyKey: key, withdrawCommissionRequest: { amount: 150 } });
    assert.equal(replay.raw.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual((await replay.value()).withdrawn, money(150));
    await expectProblem(
        referrer.client.market.withdrawCommission({ idempotencyKey: ik('w'), withdrawCommissionRequest: { amount: 51 } }),
        409,
        'insufficient_commission',
        'more than the 50 left',
    );
    const rest = await referrer.client.market.withdrawCommission({ idempotencyKey: ik('w'), withdrawCommissionRequest: { amount: 50 } });
    assert.deepEqual(rest.wallet.available, money(200));

    const after = await referrer.client.market.getReferralStats();
    assert.deepEqual([after.available, after.withdrawn], [money(0), money(200)]);
    const ledger = await referrer.client.wallet.listWalletLedger();
    assert.deepEqual(ledger.items.map((e) => [e.type, e.amount]), [['commission_withdrawal', 50], ['commission_withdrawal', 150]]);
});

test('listReferrals: nobody referred yet is an empty page; a foreign cursor is 400 invalid_cursor', async () => {
    const me = await customer('lonely');
    const page = await me.client.market.listReferrals();
    assert.deepEqual(page.items, []);
    assert.equal(page.nextCursor ?? null, null);
    await expectProblem(me.client.market.listReferrals({ cursor: 'bogus' }), 400, 'invalid_cursor');
});

test('listCommissions: a fresh customer has none in any status; limit out of range is 422', async () => {
    const me = await customer('no-commissions');
    for (const status of [undefined, 'pending', 'available', 'reversed']) {
        const page = await me.client.market.listCommissions(status === undefined ? {} : { status });
        assert.deepEqual(page.items, [], `status ${status}`);
        assert.equal(page.nextCursor ?? null, null);
    }
    await expectProblem(me.client.market.listCommissions({ limit: 0 }), 422, 'validation_failed');
});

test('adminListCommissions: Moderator lists, filters by beneficiary and status; SupportBot 403', async () => {
    const moderator = await staff('moderator');
    const me = await customer('unrewarded');
    const all = await moderator.client.market.adminListCommissions({ limit: 100 });
    assert.ok(Array.isArray(all.items));
    for (const c of all.items) assert.ok(['pending', 'available', 'reversed'].includes(c.status), c.status);
    for (const c of (await moderator.client.market.adminListCommissions({ status: 'available' })).items) {
        assert.equal(c.status, 'available');
    }
    assert.deepEqual((await moderator.client.market.adminListCommissions({ beneficiaryId: me.id })).items, []);
    assert.deepEqual((await moderator.client.market.adminListCommissions({ refereeId: me.id })).items, []);
    await expectProblem((await staff('support_bot')).client.market.adminListCommissions(), 403, 'permission_denied');
});
