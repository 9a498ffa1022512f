// Staff catalog (tag catalog): package series with immutable, published versions, products
// (price, groups, on sale, archive), coupons; and the customer groups behind product
// visibility (tag customers: adminListGroups, adminCreateGroup, adminUpdateGroup,
// adminDeleteGroup, adminSetCustomerGroups). Role checks: CustomerSupport reads but may not
// write; a SuperAdmin API key may do both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    EVERYONE,
    GHOST,
    GiB,
    TERMS,
    client,
    customer,
    deposit,
    expectProblem,
    order,
    sellProduct,
    sqlString,
    staff,
    tag,
    useShopServer,
    waitForOrder,
    ik,
} from './shop_kit.mjs';

const server = useShopServer();

/** "action|reason|actor_role" of the audit rows about `targetId`, oldest first. */
async function auditRows(targetId) {
    const out = await server.sql(
        "SELECT action || '|' || coalesce(reason, '') || '|' || coalesce(actor_role, '') FROM staff.audit_log " +
            `WHERE target_id = ${sqlString(targetId)} ORDER BY at, id`,
    );
    return out ? out.split('\n') : [];
}

/** Every item of a paged admin list (follows next_cursor). */
async function all(list, params = {}) {
    const items = [];
    let cursor;
    for (let i = 0; i < 50; i++) {
        const page = await list({ ...params, limit: 100, cursor });
        items.push(...page.items);
        cursor = page.nextCursor ?? undefined;
        if (!cursor) return items;
    }
    assert.fail('more than 50 pages');
}

/** A SuperAdmin API key (role super_admin, no narrowing): its client. */
let keyClient;
async function superKey() {
    if (!keyClient) {
        const boss = await staff('super_admin');
        const created = await boss.client.admin.adminCreateApiKey({
            apiKeyCreateRequest: { name: `catalog robot ${tag()}`, role: 'super_admin' },
        });
        assert.match(created.key, /^hel_key_/);
        keyClient = client(created.key);
    }
    return keyClient;
}

// ---------------------------------------------------------------- groups (tag customers)

test('adminListGroups: the default public group Everyone, then newer groups first', async () => {
    const { client: api } = await staff('customer_support');
    const boss = await staff('super_admin');
    const made = await boss.client.customers.adminCreateGroup({
        groupCreateRequest: { name: `VIP ${tag()}`, description: 'big spenders' },
    });
    const groups = await all((p) => api.customers.adminListGroups(p));
    const everyone = groups.find((g) => g.id === EVERYONE);
    assert.ok(everyone, 'the seeded group is listed');
    assert.equal(everyone.name, 'Everyone');
    assert.equal(everyone.isDefault, true);
    assert.equal(everyone.isPublic, true);
    const mine = groups.find((g) => g.id === made.id);
    assert.equal(mine?.description, 'big spenders');
    assert.equal(mine.isDefault, false);
    assert.equal(mine.isPublic, false);
    assert.ok(groups.indexOf(mine) < groups.indexOf(everyone), 'newest first');

    const first = await api.customers.adminListGroups({ limit: 1 });
    assert.equal(first.items.length, 1);
    assert.equal(typeof first.nextCursor, 'string');
    const second = await api.customers.adminListGroups({ limit: 1, cursor: first.nextCursor });
    assert.notEqual(second.items[0].id, first.items[0].id);
    const err = await expectProblem(api.customers.adminListGroups({ limit: 101 }), 422, 'validation_failed');
    assert.ok(err.errors.some((e) => e.field === 'limit'), JSON.stringify(err.errors));
});

test('adminCreateGroup: 201 with the group, audited; a taken name (any case) is 409 group_name_taken', async () => {
    const boss = await staff('moderator');
    const name = `Resellers ${tag()}`;
    const raw = await boss.client.customers.adminCreateGroupRaw({ groupCreateRequest: { name } });
    assert.equal(raw.raw.status, 201);
    const group = await raw.value();
    assert.equal(group.name, name);
    assert.equal(group.description ?? null, null);
    assert.equal(group.isDefault, false);
    assert.ok(group.createdAt instanceof Date);
    assert.deepEqual(await auditRows(group.id), ['group.create||moderator']);
    await expectProblem(
        boss.client.customers.adminCreateGroup({ groupCreateRequest: { name: name.toUpperCase() } }),
        409,
        'group_name_taken',
    );
    const err = await expectProblem(
        boss.client.customers.adminCreateGroup({ groupCreateRequest: { name: '' } }),
        422,
        'validation_failed',
    );
    assert.ok(err.errors.some((e) => e.field === 'name'), JSON.stringify(err.errors));
});

test('adminUpdateGroup: renames and describes; null clears the description; 409 on a taken name', async () => {
    const boss = await staff('super_admin');
    const api = boss.client.customers;
    const a = await api.adminCreateGroup({ groupCreateRequest: { name: `A ${tag()}`, description: 'first' } });
    const b = await api.adminCreateGroup({ groupCreateRequest: { name: `B ${tag()}` } });
    const renamed = await api.adminUpdateGroup({ id: a.id, groupUpdateRequest: { name: `${a.name} renamed` } });
    assert.equal(renamed.name, `${a.name} renamed`);
    assert.equal(renamed.description, 'first', 'an absent field is unchanged');
    const cleared = await api.adminUpdateGroup({ id: a.id, groupUpdateRequest: { description: null } });
    assert.equal(cleared.description ?? null, null);
    assert.equal(cleared.name, renamed.name);
    await expectProblem(api.adminUpdateGroup({ id: a.id, groupUpdateRequest: { name: b.name } }), 409, 'group_name_taken');
    await expectProblem(api.adminUpdateGroup({ id: GHOST, groupUpdateRequest: { name: 'x' } }), 404, 'not_found');
    const listed = (await all((p) => api.adminListGroups(p))).find((g) => g.id === a.id);
    assert.equal(listed.name, renamed.name);
});

test('adminDeleteGroup: 204 for an unused group; 409 group_in_use for members, products and the default', async () => {
    const boss = await staff('super_admin');
    const api = boss.client.customers;
    const unused = await api.adminCreateGroup({ groupCreateRequest: { name: `Temp ${tag()}` } });
    const raw = await api.adminDeleteGroupRaw({ id: unused.id });
    assert.equal(raw.raw.status, 204);
    assert.ok(!(await all((p) => api.adminListGroups(p))).some((g) => g.id === unused.id));
    await expectProblem(api.adminDeleteGroup({ id: unused.id }), 404, 'not_found');

    await expectProblem(api.adminDeleteGroup({ id: EVERYONE }), 409, 'group_in_use', 'the default group');
    const withProduct = await api.adminCreateGroup({ groupCreateRequest: { name: `Sold ${tag()}` } });
    await sellProduct(boss.client, { groupIds: [withProduct.id] });
    await expectProblem(api.adminDeleteGroup({ id: withProduct.id }), 409, 'group_in_use', 'a group a product sells to');
    const withMember = await api.adminCreateGroup({ groupCreateRequest: { name: `Member ${tag()}` } });
    const buyer = await customer('member');
    await api.adminSetCustomerGroups({ id: buyer.id, customerGroupsRequest: { groupIds: [withMember.id] } });
    await expectProblem(api.adminDeleteGroup({ id: withMember.id }), 409, 'group_in_use', 'a group with a member');
});

test('adminSetCustomerGroups: the customer sees the products of exactly their groups', async () => {
    const boss = await staff('super_admin');
    const vip = await boss.client.customers.adminCreateGroup({ groupCreateRequest: { name: `VIP ${tag()}` } });
    const { product: secret } = await sellProduct(boss.client, { groupIds: [vip.id], name: `Secret ${tag()}` });
    const { product: open } = await sellProduct(boss.client, { name: `Open ${tag()}` });
    const buyer = await customer('vip');
    const ids = async () => (await buyer.client.shop.listProducts({ limit: 100 })).items.map((p) => p.id);

    assert.ok(!(await ids()).includes(secret.id), 'not a member yet');
    assert.ok((await ids()).includes(open.id), 'every account is in Everyone');
    await expectProblem(buyer.client.shop.getProduct({ id: secret.id }), 404, 'not_found');
    await expectProblem(order(buyer, secret.id), 422, 'product_not_available');

    const set = await boss.client.customers.adminSetCustomerGroups({
        id: buyer.id,
        customerGroupsRequest: { groupIds: [vip.id, EVERYONE, vip.id] },
    });
    assert.deepEqual([...set.groupIds].sort(), [EVERYONE, vip.id].sort(), 'deduplicated');
    assert.ok((await ids()).includes(secret.id));
    assert.equal((await buyer.client.shop.getProduct({ id: secret.id })).name, secret.name);
    assert.deepEqual(
        (await client().shop.listProducts({ limit: 100 })).items.filter((p) => p.id === secret.id),
        [],
        'visitors see only the public groups',
    );
    assert.equal((await order(buyer, secret.id)).productId, secret.id);
    assert.deepEqual(await auditRows(buyer.id), ['customer.groups_set||super_admin']);

    // Only VIP now: the Everyone product disappears for this customer.
    const only = await boss.client.customers.adminSetCustomerGroups({
        id: buyer.id,
        customerGroupsRequest: { groupIds: [vip.id] },
    });
    assert.deepEqual(only.groupIds, [vip.id]);
    assert.ok(!(await ids()).includes(open.id));

    const err = await expectProblem(
        boss.client.customers.adminSetCustomerGroups({ id: buyer.id, customerGroupsRequest: { groupIds: [GHOST] } }),
        422,
        'validation_failed',
    );
    assert.ok(err.errors.some((e) => e.field === 'group_ids'), JSON.stringify(err.errors));
    await expectProblem(
        boss.client.customers.adminSetCustomerGroups({ id: GHOST, customerGroupsRequest: { groupIds: [] } }),
        404,
        'not_found',
    );
    const cs = await staff('customer_support');
    await expectProblem(
        cs.client.customers.adminSetCustomerGroups({ id: buyer.id, customerGroupsRequest: { groupIds: [EVERYONE] } }),
        403,
        'permission_denied',
        'CustomerSupport setting groups',
    );
});

// ---------------------------------------------------------------- package series and versions

test('adminCreatePackageSeries: 201, no current version until one is published', async () => {
    const boss = await staff('moderator');
    const name = `Series ${tag()}`;
    const raw = await boss.client.catalog.adminCreatePackageSeriesRaw({
        seriesCreateRequest: { name, description: 'monthly plans' },
    });
    assert.equal(raw.raw.status, 201);
    const series = await raw.value();
    assert.equal(series.name, name);
    assert.equal(series.description, 'monthly plans');
    assert.equal(series.archived, false);
    assert.equal(series.currentVersionId ?? null, null);
    assert.deepEqual(await auditRows(series.id), ['package_series.create||moderator']);
});

test('adminListPackageSeries: newest first, filtered by archived', async () => {
    const boss = await staff('super_admin');
    const api = boss.client.catalog;
    const kept = await api.adminCreatePackageSeries({ seriesCreateRequest: { name: `Kept ${tag()}` } });
    const gone = await api.adminCreatePackageSeries({ seriesCreateRequest: { name: `Gone ${tag()}` } });
    await api.adminUpdatePackageSeries({ id: gone.id, seriesUpdateRequest: { archived: true } });
    const cs = await staff('customer_support');
    const everything = await all((p) => cs.client.catalog.adminListPackageSeries(p));
    const ids = everything.map((s) => s.id);
    assert.ok(ids.indexOf(gone.id) >= 0 && ids.indexOf(gone.id) < ids.indexOf(kept.id), 'newest first');
    const live = await all((p) => cs.client.catalog.adminListPackageSeries(p), { archived: false });
    assert.ok(live.some((s) => s.id === kept.id) && !live.some((s) => s.id === gone.id));
    const archived = await all((p) => cs.client.catalog.adminListPackageSeries(p), { archived: true });
    assert.ok(archived.every((s) => s.archived) && archived.some((s) => s.id === gone.id));
});

/** A series with a published version 1 and an unpublished version 2 (90 days, 300 GiB). */
async function seriesWithTwoVersions() {
    const boss = await staff('super_admin');
    const { series, version } = await sellProduct(boss.client);
    const second = await boss.client.catalog.adminCreatePackageVersion({
        id: series.id,
        versionCreateRequest: { ...TERMS, durationDays: 90, trafficBytes: 300 * GiB },
    });
    return { series, first: version, second };
}

test('adminGetPackageSeries: the series with every version, published or not', async () => {
    const { series, first, second } = await seriesWithTwoVersions();
    const cs = await staff('customer_support');
    const detail = await cs.client.catalog.adminGetPackageSeries({ id: series.id });
    assert.equal(detail.id, series.id);
    assert.equal(detail.name, series.name);
    assert.equal(detail.currentVersionId, first.id, 'the unpublished version is not current');
    const byNumber = [...detail.versions].sort((a, b) => a.version - b.version);
    assert.deepEqual(byNumber.map((v) => [v.id, v.version]), [
        [first.id, 1],
        [second.id, 2],
    ]);
    assert.ok(byNumber[0].publishedAt instanceof Date);
    assert.equal(byNumber[1].publishedAt ?? null, null);
    assert.equal(byNumber[1].entitlements.durationDays, 90);
    assert.equal(byNumber[1].entitlements.trafficBytes, 300 * GiB);
    await expectProblem(cs.client.catalog.adminGetPackageSeries({ id: GHOST }), 404, 'not_found');
});

test('adminGetPackageSeries: versions are listed oldest first, as the spec says', async () => {
    const { series, first, second } = await seriesWithTwoVersions();
    const detail = await (await staff('customer_support')).client.catalog.adminGetPackageSeries({ id: series.id });
    assert.deepEqual(detail.versions.map((v) => v.id), [first.id, second.id]);
});

test('adminUpdatePackageSeries: rename, describe, archive (then no new versions: 409 series_archived)', async () => {
    const boss = await staff('super_admin');
    const api = boss.client.catalog;
    const series = await api.adminCreatePackageSeries({ seriesCreateRequest: { name: `Old ${tag()}`, description: 'd' } });
    const renamed = await api.adminUpdatePackageSeries({
        id: series.id,
        seriesUpdateRequest: { name: `${series.name} new` },
    });
    assert.equal(renamed.name, `${series.name} new`);
    assert.equal(renamed.description, 'd');
    const archived = await api.adminUpdatePackageSeries({ id: series.id, seriesUpdateRequest: { archived: true } });
    assert.equal(archived.archived, true);
    await expectProblem(
        api.adminCreatePackageVersion({ id: series.id, versionCreateRequest: TERMS }),
        409,
        'series_archived',
    );
    await expectProblem(
        api.adminUpdatePackageSeries({ id: GHOST, seriesUpdateRequest: { name: 'x' } }),
        404,
        'not_found',
    );
});

test('adminCreatePackageVersion: 201 with its entitlements, numbered, not published', async () => {
    const boss = await staff('moderator');
    const api = boss.client.catalog;
    const node = await boss.client.customers.adminCreateGroup({ groupCreateRequest: { name: `Nodes ${tag()}` } });
    const series = await api.adminCreatePackageSeries({ seriesCreateRequest: { name: `Versions ${tag()}` } });
    const raw = await api.adminCreatePackageVersionRaw({
        id: series.id,
        versionCreateRequest: {
            trafficBytes: 50 * GiB,
            durationDays: 7,
            speedLimitMbps: null,
            deviceLimit: null,
            trafficReset: 'none',
            groupIds: [node.id],
        },
    });
    assert.equal(raw.raw.status, 201);
    const v1 = await raw.value();
    assert.equal(v1.seriesId, series.id);
    assert.equal(v1.version, 1);
    assert.equal(v1.publishedAt ?? null, null);
    assert.deepEqual(v1.entitlements, {
        trafficBytes: 50 * GiB,
        durationDays: 7,
        speedLimitMbps: null,
        deviceLimit: null,
        trafficReset: 'none',
        groupIds: [node.id],
    });
    const v2 = await api.adminCreatePackageVersion({ id: series.id, versionCreateRequest: TERMS });
    assert.equal(v2.version, 2);
    const err = await expectProblem(
        api.adminCreatePackageVersion({ id: series.id, versionCreateRequest: { ...TERMS, trafficReset: 'weekly' } }),
        422,
        'validation_failed',
    );
    assert.ok(err.errors.some((e) => e.field === 'traffic_reset'), JSON.stringify(err.errors));
    await expectProblem(api.adminCreatePackageVersion({ id: GHOST, versionCreateRequest: TERMS }), 404, 'not_found');
});

test('adminPublishPackageVersion: the version becomes current; new orders get it, delivered ones keep theirs', async () => {
    const boss = await staff('super_admin');
    const api = boss.client.catalog;
    const { series, version: v1, product } = await sellProduct(boss.client, { price: 1000 });
    const buyer = await customer('versions');
    await deposit(boss.client, buyer.id, 5000);
    const first = await order(buyer, product.id);
    await buyer.client.shop.payOrderWithWallet({ id: first.id, idempotencyKey: ik() });
    await waitForOrder(buyer.client, first.id, 'delivered');

    const v2 = await api.adminCreatePackageVersion({
        id: series.id,
        versionCreateRequest: { ...TERMS, durationDays: 31, trafficBytes: 200 * GiB },
    });
    const before = await buyer.client.shop.getProduct({ id: product.id });
    assert.equal(before.entitlements.durationDays, TERMS.durationDays, 'unpublished terms are not sold');
    const published = await api.adminPublishPackageVersion({ id: series.id, versionId: v2.id });
    assert.equal(published.id, v2.id);
    assert.ok(published.publishedAt instanceof Date);
    assert.equal((await api.adminGetPackageSeries({ id: series.id })).currentVersionId, v2.id);
    const after = await buyer.client.shop.getProduct({ id: product.id });
    assert.equal(after.entitlements.durationDays, 31);
    assert.equal(after.entitlements.trafficBytes, 200 * GiB);
    assert.equal((await api.adminGetProduct({ id: product.id })).currentVersion.id, v2.id);
    // The delivered purchase keeps the version it was paid for.
    assert.equal(
        await server.sql(`SELECT package_version_id FROM shop.orders WHERE id = ${sqlString(first.id)}`),
        v1.id,
    );

    await expectProblem(api.adminPublishPackageVersion({ id: series.id, versionId: GHOST }), 404, 'not_found');
    const other = await api.adminCreatePackageSeries({ seriesCreateRequest: { name: `Other ${tag()}` } });
    await expectProblem(
        api.adminPublishPackageVersion({ id: other.id, versionId: v2.id }),
        404,
        'not_found',
        'a version of another series',
    );
    await api.adminUpdatePackageSeries({ id: series.id, seriesUpdateRequest: { archived: true } });
    await expectProblem(api.adminPublishPackageVersion({ id: series.id, versionId: v1.id }), 409, 'series_archived');
});

// ---------------------------------------------------------------- products

test('adminCreateProduct: 201 with price, groups and the current terms; sold to its groups', async () => {
    const boss = await staff('super_admin');
    const { series, version } = await sellProduct(boss.client);
    const name = `Annual ${tag()}`;
    const raw = await boss.client.catalog.adminCreateProductRaw({
        productCreateRequest: {
            name,
            description: 'a whole year',
            price: 12_000,
            packageSeriesId: series.id,
            groupIds: [EVERYONE],
            onSale: true,
            sort: 5,
            commissionEligible: true,
        },
    });
    assert.equal(raw.raw.status, 201);
    const product = await raw.value();
    assert.equal(product.name, name);
    assert.equal(product.description, 'a whole year');
    assert.deepEqual(product.price, { amount: 12_000, currency: 'CNY' });
    assert.equal(product.packageSeriesId, series.id);
    assert.deepEqual(product.groupIds, [EVERYONE]);
    assert.equal(product.onSale, true);
    assert.equal(product.archived, false);
    assert.equal(product.sort, 5);
    assert.equal(product.commissionEligible, true);
    assert.equal(product.currentVersion.id, version.id);
    const seen = await client().shop.getProduct({ id: product.id });
    assert.deepEqual(seen.price, { amount: 12_000, currency: 'CNY' });
    assert.equal(seen.description, 'a whole year');
    assert.deepEqual(await auditRows(product.id), ['product.create||super_admin']);

    const err = await expectProblem(
        boss.client.catalog.adminCreateProduct({
            productCreateRequest: { name: 'Bad', price: -100, packageSeriesId: series.id },
        }),
        422,
        'validation_failed',
    );
    assert.ok(err.errors.some((e) => e.field === 'price'), JSON.stringify(err.errors));
    const archived = await boss.client.catalog.adminCreatePackageSeries({ seriesCreateRequest: { name: `A ${tag()}` } });
    await boss.client.catalog.adminUpdatePackageSeries({ id: archived.id, seriesUpdateRequest: { archived: true } });
    await expectProblem(
        boss.client.catalog.adminCreateProduct({
            productCreateRequest: { name: 'Late', price: 100, packageSeriesId: archived.id },
        }),
        409,
        'series_archived',
    );
});

test('adminListProducts: staff see products off sale too; filters on_sale and series_id', async () => {
    const boss = await staff('super_admin');
    const { series, product: onSale } = await sellProduct(boss.client);
    const off = await boss.client.catalog.adminCreateProduct({
        productCreateRequest: { name: `Off ${tag()}`, price: 999, packageSeriesId: series.id, groupIds: [EVERYONE], onSale: false },
    });
    const cs = await staff('customer_support');
    const bySeries = await cs.client.catalog.adminListProducts({ seriesId: series.id, limit: 100 });
    assert.deepEqual(bySeries.items.map((p) => p.id).sort(), [onSale.id, off.id].sort());
    const sale = await all((p) => cs.client.catalog.adminListProducts(p), { onSale: true, seriesId: series.id });
    assert.deepEqual(sale.map((p) => p.id), [onSale.id]);
    const notSale = await all((p) => cs.client.catalog.adminListProducts(p), { onSale: false });
    assert.ok(notSale.some((p) => p.id === off.id) && notSale.every((p) => p.onSale === false));
    const shop = (await client().shop.listProducts({ limit: 100 })).items.map((p) => p.id);
    assert.ok(shop.includes(onSale.id) && !shop.includes(off.id), 'customers never see products off sale');
});

test('adminGetProduct: one product, 404 for an unknown id', async () => {
    const boss = await staff('super_admin');
    const { product, version } = await sellProduct(boss.client, { price: 2500, description: 'desc' });
    const cs = await staff('customer_support');
    const got = await cs.client.catalog.adminGetProduct({ id: product.id });
    assert.equal(got.id, product.id);
    assert.equal(got.name, product.name);
    assert.deepEqual(got.price, { amount: 2500, currency: 'CNY' });
    assert.equal(got.currentVersion.id, version.id);
    assert.deepEqual(got.currentVersion.entitlements, version.entitlements);
    await expectProblem(cs.client.catalog.adminGetProduct({ id: GHOST }), 404, 'not_found');
});

test('adminUpdateProduct: price and sale changes apply to new orders only', async () => {
    const boss = await staff('moderator');
    const { product } = await sellProduct(boss.client, { price: 1000 });
    const buyer = await customer('reprice');
    const old = await order(buyer, product.id);
    const updated = await boss.client.catalog.adminUpdateProduct({
        id: product.id,
        productUpdateRequest: { price: 1200, name: `${product.name} v2` },
    });
    assert.deepEqual(updated.price, { amount: 1200, currency: 'CNY' });
    assert.equal(updated.name, `${product.name} v2`);
    assert.equal(updated.onSale, true, 'absent fields are unchanged');
    assert.equal((await buyer.client.shop.getOrder({ id: old.id })).total.amount, 1000, 'the open order keeps its total');
    assert.equal((await order(buyer, product.id)).total.amount, 1200);

    await boss.client.catalog.adminUpdateProduct({ id: product.id, productUpdateRequest: { onSale: false } });
    await expectProblem(buyer.client.shop.getProduct({ id: product.id }), 404, 'not_found');
    await expectProblem(order(buyer, product.id), 422, 'product_not_available');
    await expectProblem(
        boss.client.catalog.adminUpdateProduct({ id: GHOST, productUpdateRequest: { price: 5 } }),
        404,
        'not_found',
    );
    const err = await expectProblem(
        boss.client.catalog.adminUpdateProduct({ id: product.id, productUpdateRequest: { price: -5 } }),
        422,
        'validation_failed',
    );
    assert.ok(err.errors.some((e) => e.field === 'price'), JSON.stringify(err.errors));
});

test('adminArchiveProduct: off sale for good, kept for staff and for its orders', async () => {
    const boss = await staff('super_admin');
    const { product } = await sellProduct(boss.client);
    const buyer = await customer('archive');
    const open = await order(buyer, product.id);
    const raw = await boss.client.catalog.adminArchiveProductRaw({ id: product.id });
    assert.equal(raw.raw.status, 204);
    const got = await boss.client.catalog.adminGetProduct({ id: product.id });
    assert.equal(got.archived, true);
    assert.equal(got.onSale, false);
    await expectProblem(client().shop.getProduct({ id: product.id }), 404, 'not_found');
    assert.ok(!(await buyer.client.shop.listProducts({ limit: 100 })).items.some((p) => p.id === product.id));
    assert.equal((await buyer.client.shop.getOrder({ id: open.id })).productId, product.id);
    await expectProblem(boss.client.catalog.adminArchiveProduct({ id: GHOST }), 404, 'not_found');
});

// ---------------------------------------------------------------- coupons

test('adminCreateCoupon: 201, percentage or fixed; a taken code is 409 coupon_code_taken', async () => {
    const boss = await staff('moderator');
    const code = `SPRING${tag()}`;
    const endsAt = new Date(Date.now() + 7 * 86_400_000);
    const raw = await boss.client.catalog.adminCreateCouponRaw({
        couponCreateRequest: { code, discountType: 'percentage', rate: '0.25', endsAt, maxUses: 10, maxUsesPerUser: 2 },
    });
    assert.equal(raw.raw.status, 201);
    const coupon = await raw.value();
    assert.equal(coupon.code, code);
    assert.equal(coupon.discountType, 'percentage');
    assert.equal(Number(coupon.rate), 0.25);
    assert.equal(coupon.maxUses, 10);
    assert.equal(coupon.maxUsesPerUser, 2);
    assert.equal(coupon.active, true, 'active by default');
    assert.equal(coupon.uses, 0);
    assert.equal(coupon.everUsed, false);
    assert.deepEqual(coupon.productIds, []);
    assert.ok(Math.abs(coupon.endsAt.getTime() - endsAt.getTime()) < 1000);
    assert.ok(coupon.startsAt <= new Date(), 'starts now by default');

    const fixed = await boss.client.catalog.adminCreateCoupon({
        couponCreateRequest: { code: `FLAT${tag()}`, discountType: 'fixed', amount: 300, endsAt, minAmount: 1000 },
    });
    assert.equal(fixed.amount, 300);
    assert.equal(fixed.minAmount, 1000);
    assert.equal(fixed.maxUsesPerUser, 1, 'once per customer by default');

    await expectProblem(
        boss.client.catalog.adminCreateCoupon({ couponCreateRequest: { code, discountType: 'fixed', amount: 1, endsAt } }),
        409,
        'coupon_code_taken',
    );
    const err = await expectProblem(
        boss.client.catalog.adminCreateCoupon({
            couponCreateRequest: { code: `BAD${tag()}`, discountType: 'percentage', rate: '1.5', endsAt },
        }),
        422,
        'validation_failed',
    );
    assert.ok(err.errors.some((e) => e.field === 'rate'), JSON.stringify(err.errors));
});

test('adminListCoupons: newest first, filtered by active and code search', async () => {
    const boss = await staff('super_admin');
    const t = tag();
    const endsAt = new Date(Date.now() + 86_400_000);
    const on = await boss.client.catalog.adminCreateCoupon({
        couponCreateRequest: { code: `LIST${t}ON`, discountType: 'fixed', amount: 10, endsAt },
    });
    const off = await boss.client.catalog.adminCreateCoupon({
        couponCreateRequest: { code: `LIST${t}OFF`, discountType: 'fixed', amount: 10, endsAt, active: false },
    });
    const cs = await staff('customer_support');
    const found = await cs.client.catalog.adminListCoupons({ q: `list${t}` });
    assert.deepEqual(found.items.map((c) => c.id), [off.id, on.id], 'case-insensitive search, newest first');
    const active = await cs.client.catalog.adminListCoupons({ q: `LIST${t}`, active: true });
    assert.deepEqual(active.items.map((c) => c.id), [on.id]);
    const inactive = await cs.client.catalog.adminListCoupons({ q: `LIST${t}`, active: false });
    assert.deepEqual(inactive.items.map((c) => c.id), [off.id]);
    const page = await cs.client.catalog.adminListCoupons({ q: `LIST${t}`, limit: 1 });
    assert.deepEqual(page.items.map((c) => c.id), [off.id]);
    const next = await cs.client.catalog.adminListCoupons({ q: `LIST${t}`, limit: 1, cursor: page.nextCursor });
    assert.deepEqual(next.items.map((c) => c.id), [on.id]);
});

test('adminGetCoupon: with its use count once an order used it', async () => {
    const boss = await staff('super_admin');
    const { product } = await sellProduct(boss.client, { price: 2000 });
    const coupon = await boss.client.catalog.adminCreateCoupon({
        couponCreateRequest: {
            code: `USE${tag()}`,
            discountType: 'fixed',
            amount: 500,
            endsAt: new Date(Date.now() + 86_400_000),
            productIds: [product.id],
        },
    });
    const buyer = await customer('coupon-use');
    const placed = await order(buyer, product.id, { couponCode: coupon.code });
    assert.equal(placed.total.amount, 1500);
    const got = await boss.client.catalog.adminGetCoupon({ id: coupon.id });
    assert.equal(got.code, coupon.code);
    assert.deepEqual(got.productIds, [product.id]);
    assert.equal(got.uses, 1);
    assert.equal(got.everUsed, true);
    await expectProblem(boss.client.catalog.adminGetCoupon({ id: GHOST }), 404, 'not_found');
});

test('adminUpdateCoupon: switch off (previews refuse it), change limits; max_uses below uses is 409', async () => {
    const boss = await staff('super_admin');
    const { product } = await sellProduct(boss.client, { price: 1000 });
    const coupon = await boss.client.catalog.adminCreateCoupon({
        couponCreateRequest: { code: `UPD${tag()}`, discountType: 'fixed', amount: 100, endsAt: new Date(Date.now() + 86_400_000) },
    });
    const buyer = await customer('coupon-upd');
    await order(buyer, product.id, { couponCode: coupon.code });
    await order(await customer('coupon-upd1'), product.id, { couponCode: coupon.code });
    const off = await boss.client.catalog.adminUpdateCoupon({ id: coupon.id, couponUpdateRequest: { active: false } });
    assert.equal(off.active, false);
    const other = await customer('coupon-upd2');
    await expectProblem(
        other.client.shop.previewCoupon({ couponPreviewRequest: { code: coupon.code, productId: product.id } }),
        422,
        'coupon_inactive',
    );
    const limited = await boss.client.catalog.adminUpdateCoupon({
        id: coupon.id,
        couponUpdateRequest: { active: true, maxUses: 5, maxUsesPerUser: 3 },
    });
    assert.equal(limited.active, true);
    assert.equal(limited.maxUses, 5);
    assert.equal(limited.maxUsesPerUser, 3);
    const unlimited = await boss.client.catalog.adminUpdateCoupon({ id: coupon.id, couponUpdateRequest: { maxUses: null } });
    assert.equal(unlimited.maxUses ?? null, null, 'null removes the overall limit');
    assert.equal(unlimited.uses, 2);
    await expectProblem(
        boss.client.catalog.adminUpdateCoupon({ id: coupon.id, couponUpdateRequest: { maxUses: 1 } }),
        409,
        'coupon_in_use',
        'a limit below the uses so far',
    );
    const err = await expectProblem(
        boss.client.catalog.adminUpdateCoupon({ id: coupon.id, couponUpdateRequest: { maxUses: 0 } }),
        422,
        'validation_failed',
    );
    assert.ok(err.errors.some((e) => e.field === 'max_uses'), JSON.stringify(err.errors));
});

test('adminDeleteCoupon: 204 for a coupon never used; a used one is 409 coupon_in_use', async () => {
    const boss = await staff('super_admin');
    const endsAt = new Date(Date.now() + 86_400_000);
    const unused = await boss.client.catalog.adminCreateCoupon({
        couponCreateRequest: { code: `DEL${tag()}`, discountType: 'fixed', amount: 100, endsAt },
    });
    const raw = await boss.client.catalog.adminDeleteCouponRaw({ id: unused.id });
    assert.equal(raw.raw.status, 204);
    await expectProblem(boss.client.catalog.adminGetCoupon({ id: unused.id }), 404, 'not_found');

    const { product } = await sellProduct(boss.client, { price: 1000 });
    const used = await boss.client.catalog.adminCreateCoupon({
        couponCreateRequest: { code: `KEEP${tag()}`, discountType: 'fixed', amount: 100, endsAt },
    });
    await order(await customer('coupon-del'), product.id, { couponCode: used.code });
    await expectProblem(boss.client.catalog.adminDeleteCoupon({ id: used.id }), 409, 'coupon_in_use');
    assert.equal((await boss.client.catalog.adminGetCoupon({ id: used.id })).uses, 1);
});

// ---------------------------------------------------------------- roles and API keys

test('adminCreateProduct: a SuperAdmin API key runs catalog operations (no TOTP for keys)', async () => {
    const api = await superKey();
    const { series, version, product } = await sellProduct(api, { price: 777 });
    assert.equal(product.currentVersion.id, version.id);
    assert.equal((await api.catalog.adminGetPackageSeries({ id: series.id })).currentVersionId, version.id);
    assert.ok((await api.catalog.adminListProducts({ seriesId: series.id })).items.some((p) => p.id === product.id));
    const coupon = await api.catalog.adminCreateCoupon({
        couponCreateRequest: { code: `KEY${tag()}`, discountType: 'fixed', amount: 7, endsAt: new Date(Date.now() + 86_400_000) },
    });
    assert.equal((await api.catalog.adminGetCoupon({ id: coupon.id })).code, coupon.code);
    const group = await api.customers.adminCreateGroup({ groupCreateRequest: { name: `Key group ${tag()}` } });
    assert.ok((await all((p) => api.customers.adminListGroups(p))).some((g) => g.id === group.id));
    const actor = await server.sql(
        `SELECT actor_type FROM staff.audit_log WHERE target_id = ${sqlString(product.id)} AND action = 'product.create'`,
    );
    assert.equal(actor, 'api_key');
});

test('catalog error path: CustomerSupport reads but gets 403 on writes; SupportBot reads nothing; 401, 404, 422', async () => {
    const boss = await staff('super_admin');
    const { series, product } = await sellProduct(boss.client);
    const cs = await staff('customer_support');
    // Reads are allowed…
    assert.equal((await cs.client.catalog.adminGetProduct({ id: product.id })).id, product.id);
    // …writes are not, whatever the target.
    await expectProblem(
        cs.client.catalog.adminCreatePackageSeries({ seriesCreateRequest: { name: 'nope' } }),
        403,
        'permission_denied',
        'CustomerSupport creating a series',
    );
    await expectProblem(
        cs.client.catalog.adminUpdateProduct({ id: product.id, productUpdateRequest: { price: 1 } }),
        403,
        'permission_denied',
    );
    await expectProblem(cs.client.catalog.adminArchiveProduct({ id: product.id }), 403, 'permission_denied');
    await expectProblem(
        cs.client.catalog.adminCreateCoupon({
            couponCreateRequest: { code: `CS${tag()}`, discountType: 'fixed', amount: 1, endsAt: new Date(Date.now() + 86_400_000) },
        }),
        403,
        'permission_denied',
    );
    await expectProblem(cs.client.customers.adminCreateGroup({ groupCreateRequest: { name: 'cs' } }), 403, 'permission_denied');
    assert.equal((await boss.client.catalog.adminGetProduct({ id: product.id })).price.amount, product.price.amount);

    const bot = await staff('support_bot');
    await expectProblem(bot.client.catalog.adminListProducts(), 403, 'permission_denied', 'SupportBot reading the catalog');
    await expectProblem(bot.client.catalog.adminListCoupons(), 403, 'permission_denied');
    await expectProblem(client().catalog.adminListProducts(), 401, 'unauthenticated');
    const buyer = await customer('not-staff');
    await expectProblem(buyer.client.catalog.adminListPackageSeries(), 401, 'unauthenticated', 'a customer token');

    await expectProblem(boss.client.catalog.adminGetPackageSeries({ id: GHOST }), 404, 'not_found');
    const missing = await expectProblem(
        boss.client.catalog.adminCreateProduct({
            productCreateRequest: { name: 'x', price: 100, packageSeriesId: GHOST },
        }),
        422,
        'validation_failed',
        'a product of an unknown series',
    );
    assert.ok(missing.errors.some((e) => e.field === 'package_series_id'), JSON.stringify(missing.errors));
    const badLimit = await expectProblem(boss.client.catalog.adminListProducts({ limit: 0 }), 422, 'validation_failed');
    assert.ok(badLimit.errors.some((e) => e.field === 'limit'), JSON.stringify(badLimit.errors));
    const badVersion = await expectProblem(
        boss.client.catalog.adminCreatePackageVersion({ id: series.id, versionCreateRequest: { ...TERMS, durationDays: 0 } }),
        422,
        'validation_failed',
    );
    assert.ok(badVersion.errors.some((e) => e.field === 'duration_days'), JSON.stringify(badVersion.errors));
    await expectProblem(
        boss.client.catalog.adminCreateCoupon({
            couponCreateRequest: {
                code: `PAST${tag()}`,
                discountType: 'fixed',
                amount: 1,
                startsAt: new Date(Date.now() + 86_400_000),
                endsAt: new Date(Date.now() + 3600_000),
            },
        }),
        422,
        'validation_failed',
        'a coupon that ends before it starts',
    );
});
