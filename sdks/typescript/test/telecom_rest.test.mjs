// The telecom REST operations (tag telecom) through the SDK, against a live server: customers'
// packages (the queue and its positions), usage with traffic pushed by a node agent, the
// subscription token and its per-app links, the nodes a package opens; staff node servers and
// clients (roles, validation, conflicts, the REALITY private key never read back), node
// status after agents' pulls and pushes, and staff package cancellation and token rotation.
//
// Node agents and proxy apps are not SDK callers: where a test needs them it uses plain fetch
// (nodeAgent, fetchDocument in telecom_kit.mjs) to see the effect of an SDK call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GHOST, client, customer, expectProblem, sqlString, staff, tag } from './shop_kit.mjs';
import {
    BACKUP_TEMPLATE,
    REALITY_PRIVATE_KEY,
    REALITY_PUBLIC_KEY,
    buyPackage,
    eventually,
    fetchDocument,
    freshNodeId,
    newClient,
    newGroup,
    newServer,
    nodeAgent,
    realityClientBody,
    ssClientBody,
    telecomPlan,
    telecomSetup,
    useTelecomServer,
} from './telecom_kit.mjs';

const server = useTelecomServer();

const GiB = 1024 ** 3;
const DAY_MS = 86_400_000;
/** The per-app formats of every endpoint, in the order listSubscriptionLinks gives them, with their flag. */
const FORMATS = [
    ['general', 'general'],
    ['clash', 'clash'],
    ['clash_meta', 'meta'],
    ['sing_box', 'sing-box'],
    ['shadowrocket', 'shadowrocket'],
    ['surge', 'surge'],
    ['surfboard', 'surfboard'],
    ['stash', 'stash'],
    ['quantumult_x', 'quantumult-x'],
    ['loon', 'loon'],
    ['sip008', 'shadowsocks'],
];

/** "action|reason|actor_role" of the audit rows about `targetId`, oldest first. */
async function auditRows(targetId) {
    const out = await server.sql(
        "SELECT action || '|' || coalesce(reason, '') || '|' || coalesce(actor_role, '') FROM staff.audit_log " +
            `WHERE target_id = ${sqlString(targetId)} ORDER BY at, id`,
    );
    return out ? out.split('\n') : [];
}

/** A fresh customer with the telecom configuration in place. */
async function buyer(label) {
    await telecomSetup();
    return customer(label);
}

/** The ids of `items` that are in `mine` (ids), in list order. */
const onlyMine = (items, mine, key = 'id') => items.map((i) => i[key]).filter((id) => mine.includes(id));

const closeTo = (actual, expected, slackMs, what) =>
    assert.ok(
        Math.abs(actual.getTime() - expected) <= slackMs,
        `${what}: ${actual.toISOString()} should be within ${slackMs} ms of ${new Date(expected).toISOString()}`,
    );

// ---------------------------------------------------------------- customers: packages and usage

test('listMyPackages: the first purchase is active at position 0, the second waits in_queue at position 1; newest first, filtered, paged', async () => {
    const plan = await telecomPlan({ trafficBytes: 50 * GiB, durationDays: 30, speedLimitMbps: 100, deviceLimit: 2 });
    const me = await buyer('packages');
    assert.deepEqual((await me.client.telecom.listMyPackages()).items, [], 'nothing bought yet');

    const first = await buyPackage(me, plan);
    const second = await buyPackage(me, plan);
    const page = await me.client.telecom.listMyPackages();
    assert.deepEqual(page.items.map((p) => p.id), [second.id, first.id], 'newest first');
    assert.equal(page.nextCursor ?? null, null);
    const [queued, active] = page.items;

    assert.equal(active.status, 'active');
    assert.equal(active.position, 0);
    assert.equal(active.userId, me.id);
    assert.equal(active.productId, plan.product.id);
    assert.equal(active.name, plan.product.name, 'named after the product');
    assert.equal(active.trafficBytes, 50 * GiB);
    assert.equal(active.durationDays, 30);
    assert.equal(active.speedLimitMbps, 100);
    assert.equal(active.deviceLimit, 2);
    assert.equal(active.trafficReset, 'monthly_on_purchase_day');
    assert.deepEqual([active.used, active.upload, active.download], [0, 0, 0]);
    assert.ok(active.activatedAt instanceof Date);
    closeTo(active.expiresAt, active.activatedAt.getTime() + 30 * DAY_MS, 1000, 'expires_at of the active package');
    assert.equal(active.endedAt ?? null, null);

    assert.equal(queued.status, 'in_queue');
    assert.equal(queued.position, 1);
    assert.equal(queued.activatedAt ?? null, null, 'a queued package has not started');
    assert.equal(queued.expiresAt ?? null, null);
    assert.notEqual(queued.orderId, active.orderId, 'one package per order');

    const onlyQueued = await me.client.telecom.listMyPackages({ status: 'in_queue' });
    assert.deepEqual(onlyQueued.items.map((p) => [p.id, p.position]), [[second.id, 1]]);
    const onlyActive = await me.client.telecom.listMyPackages({ status: 'active' });
    assert.deepEqual(onlyActive.items.map((p) => [p.id, p.position]), [[first.id, 0]]);
    assert.deepEqual((await me.client.telecom.listMyPackages({ status: 'cancelled' })).items, []);

    const one = await me.client.telecom.listMyPackages({ limit: 1 });
    assert.deepEqual(one.items.map((p) => p.id), [second.id]);
    assert.equal(typeof one.nextCursor, 'string');
    const rest = await me.client.telecom.listMyPackages({ limit: 1, cursor: one.nextCursor });
    assert.deepEqual(rest.items.map((p) => p.id), [first.id]);
    assert.equal(rest.nextCursor ?? null, null);

    const stranger = await customer('packages-other');
    assert.deepEqual((await stranger.client.telecom.listMyPackages()).items, [], "another customer's packages are not listed");
    const err = await expectProblem(me.client.telecom.listMyPackages({ status: 'paused' }), 422, 'validation_failed');
    assert.ok(err.errors.some((e) => e.field === 'status'), JSON.stringify(err.errors));
    await expectProblem(me.client.telecom.listMyPackages({ limit: 101 }), 422, 'validation_failed', 'limit 101');
    await expectProblem(
        me.client.telecom.listMyPackages({ status: 'active', cursor: one.nextCursor }),
        400,
        'invalid_cursor',
        'a cursor reused with another filter',
    );
    await expectProblem(client().telecom.listMyPackages(), 401, 'unauthenticated');
});

test("getMyPackage: my package with its queue position; another customer's package is 404 not_found", async () => {
    const plan = await telecomPlan({ trafficBytes: 10 * GiB });
    const me = await buyer('getpkg');
    const first = await buyPackage(me, plan);
    const second = await buyPackage(me, plan);

    const got = await me.client.telecom.getMyPackage({ id: first.id });
    assert.equal(got.id, first.id);
    assert.equal(got.status, 'active');
    assert.equal(got.position, 0);
    assert.equal(got.trafficBytes, 10 * GiB);
    assert.equal(got.orderId, first.orderId);
    assert.deepEqual(got.createdAt, first.createdAt);
    const next = await me.client.telecom.getMyPackage({ id: second.id });
    assert.deepEqual([next.status, next.position], ['in_queue', 1]);

    const other = await buyer('getpkg-other');
    const theirs = await buyPackage(other, plan);
    assert.equal((await other.client.telecom.getMyPackage({ id: theirs.id })).position, 0, 'their own queue');
    await expectProblem(me.client.telecom.getMyPackage({ id: theirs.id }), 404, 'not_found', "another customer's package");
    await expectProblem(other.client.telecom.getMyPackage({ id: first.id }), 404, 'not_found', "another customer's package");
    await expectProblem(me.client.telecom.getMyPackage({ id: GHOST }), 404, 'not_found');
    await expectProblem(client().telecom.getMyPackage({ id: first.id }), 401, 'unauthenticated');
});

test('getUsage: zero without a package; traffic a node pushes (× its rate) shows on the active package; used up, the next in the queue takes over', async () => {
    const me = await buyer('usage');
    const none = await me.client.telecom.getUsage();
    assert.equal(none.activePackage ?? null, null);
    assert.deepEqual([none.upload, none.download, none.remaining], [0, 0, 0]);
    assert.equal(none.expiresAt ?? null, null);
    assert.deepEqual(none.queued, []);

    // A node only this customer's packages open (its own group), on a server billing double.
    const boss = await staff('super_admin');
    const group = await newGroup('Usage');
    const sv = await newServer(boss.client, { rate: '2' });
    const node = await newClient(boss.client, sv.id, { groupIds: [group.id] });
    const plan = await telecomPlan({ trafficBytes: 10_000, groupIds: [group.id] });
    const first = await buyPackage(me, plan);
    const second = await buyPackage(me, plan);
    const third = await buyPackage(me, plan);

    const fresh = await me.client.telecom.getUsage();
    assert.equal(fresh.activePackage.id, first.id);
    assert.deepEqual([fresh.upload, fresh.download, fresh.remaining], [0, 0, 10_000]);

    // The agent sees this customer (and nobody else) and reports traffic for them.
    const users = await eventually(async () => {
        const res = await nodeAgent('user', node.nodeId);
        assert.equal(res.status, 200, res.text);
        const list = res.json().users;
        return list.length > 0 ? list : undefined;
    }, 'the customer in the node user list');
    assert.equal(users.length, 1, JSON.stringify(users));
    const uid = String(users[0].id);
    const pushed = await nodeAgent('push', node.nodeId, { body: { [uid]: [1_000, 500] } });
    assert.equal(pushed.status, 200, pushed.text);

    const usage = await me.client.telecom.getUsage();
    assert.equal(usage.activePackage.id, first.id);
    assert.equal(usage.activePackage.status, 'active');
    assert.equal(usage.activePackage.position, 0);
    assert.deepEqual([usage.upload, usage.download], [2_000, 1_000], 'billed at the server rate 2');
    assert.equal(usage.activePackage.used, 3_000);
    assert.equal(usage.remaining, 7_000);
    assert.deepEqual(usage.expiresAt, usage.activePackage.expiresAt);
    assert.deepEqual(usage.queued.map((p) => [p.id, p.status, p.position]), [
        [second.id, 'in_queue', 1],
        [third.id, 'in_queue', 2],
    ]);
    const listed = await me.client.telecom.getMyPackage({ id: first.id });
    assert.deepEqual([listed.upload, listed.download, listed.used], [2_000, 1_000, 3_000], 'the package counts it too');
    assert.equal((await nodeAgent('push', node.nodeId, { body: { [uid]: [1_000, 500] } })).status, 200);
    assert.equal((await me.client.telecom.getUsage()).remaining, 7_000, 'an agent retrying the same push is counted once');

    // Used up: the package ends at once and the next in the queue takes over.
    assert.equal((await nodeAgent('push', node.nodeId, { body: { [uid]: [2_000, 2_000] } })).status, 200);
    const next = await me.client.telecom.getUsage();
    assert.equal(next.activePackage.id, second.id);
    assert.equal(next.activePackage.position, 0);
    assert.ok(next.activePackage.activatedAt instanceof Date);
    assert.deepEqual([next.upload, next.download, next.remaining], [0, 0, 10_000]);
    assert.deepEqual(next.queued.map((p) => [p.id, p.position]), [[third.id, 1]]);
    const spent = await me.client.telecom.getMyPackage({ id: first.id });
    assert.equal(spent.status, 'consumed');
    assert.equal(spent.position ?? null, null);
    assert.equal(spent.used, 11_000);
    assert.ok(spent.endedAt instanceof Date);
    assert.equal(typeof spent.endReason, 'string');
    await expectProblem(client().telecom.getUsage(), 401, 'unauthenticated');
});

// ---------------------------------------------------------------- customers: subscription

test('getSubscription: a token made on first use, stable, in one link per configured endpoint; the link serves the document', async () => {
    const { primaryTemplate } = await telecomSetup();
    const me = await buyer('sub');
    const sub = await me.client.telecom.getSubscription();
    assert.equal(typeof sub.token, 'string');
    assert.match(sub.token, /^[A-Za-z0-9_-]{40,128}$/, 'a URL-safe token of at least 40 characters');
    assert.deepEqual(sub.links, [
        { endpointName: 'primary', url: primaryTemplate.replace('{SUBSCRIBE_TOKEN}', sub.token) },
        { endpointName: 'backup', url: BACKUP_TEMPLATE.replace('{SUBSCRIBE_TOKEN}', sub.token) },
    ]);
    assert.ok(sub.createdAt instanceof Date);
    assert.equal(sub.rotatedAt ?? null, null, 'never rotated');
    const again = await me.client.telecom.getSubscription();
    assert.equal(again.token, sub.token, 'stable until rotated');
    assert.deepEqual(again.createdAt, sub.createdAt);

    const other = await customer('sub-other');
    assert.notEqual((await other.client.telecom.getSubscription()).token, sub.token, 'one token per customer');

    // The primary link is this server: a proxy app gets a document for it.
    const res = await fetch(sub.links[0].url, { headers: { 'User-Agent': 'sing-box 1.12.0' } });
    assert.equal(res.status, 200, await res.clone().text());
    await res.arrayBuffer();
    await expectProblem(client().telecom.getSubscription(), 401, 'unauthenticated');
});

test('rotateSubscriptionToken: a new token and links; the old token is 404 at once, the new one serves', async () => {
    const me = await buyer('rotate');
    const before = await me.client.telecom.getSubscription();
    assert.equal((await fetchDocument(before.token)).status, 200);

    const rotated = await me.client.telecom.rotateSubscriptionToken();
    assert.notEqual(rotated.token, before.token);
    assert.match(rotated.token, /^[A-Za-z0-9_-]{40,128}$/);
    assert.ok(rotated.links.length === 2 && rotated.links.every((l) => l.url.includes(rotated.token)), JSON.stringify(rotated.links));
    assert.ok(rotated.links.every((l) => !l.url.includes(before.token)));
    assert.ok(rotated.rotatedAt instanceof Date, 'rotated_at is set');
    assert.ok(rotated.rotatedAt.getTime() > Date.now() - 60_000);

    const old = await fetchDocument(before.token);
    assert.equal(old.status, 404);
    assert.match(old.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(JSON.parse(old.text).code, 'subscription_not_found');
    assert.equal((await fetchDocument(rotated.token)).status, 200);
    const now = await me.client.telecom.getSubscription();
    assert.equal(now.token, rotated.token, 'getSubscription answers the new token');
    assert.deepEqual(now.rotatedAt, rotated.rotatedAt);

    const twice = await me.client.telecom.rotateSubscriptionToken();
    assert.ok(![before.token, rotated.token].includes(twice.token));
    assert.equal((await fetchDocument(rotated.token)).status, 404, 'each rotation kills the previous token');
    await expectProblem(client().telecom.rotateSubscriptionToken(), 401, 'unauthenticated');
});

test('listSubscriptionLinks: every format per endpoint, each selecting its document by flag, with one-tap import links', async () => {
    const me = await buyer('links');
    const { token, links } = await me.client.telecom.getSubscription();
    const { items } = await me.client.telecom.listSubscriptionLinks();
    assert.equal(items.length, FORMATS.length * links.length);
    for (const link of links) {
        const mine = items.filter((i) => i.endpointName === link.endpointName);
        assert.deepEqual(mine.map((i) => i.format), FORMATS.map(([format]) => format), link.endpointName);
        const sep = link.url.includes('?') ? '&' : '?';
        for (const [format, flag] of FORMATS) {
            const item = mine.find((i) => i.format === format);
            assert.equal(item.url, `${link.url}${sep}flag=${flag}`, `${link.endpointName} ${format}`);
            assert.ok(item.url.includes(token));
        }
    }

    const meta = items.find((i) => i.endpointName === 'primary' && i.format === 'clash_meta');
    assert.ok(meta.url.endsWith('flag=meta'), meta.url);
    assert.equal(meta.importUrl, `clash://install-config?url=${encodeURIComponent(meta.url)}&name=primary`);
    const backupMeta = items.find((i) => i.endpointName === 'backup' && i.format === 'clash_meta');
    assert.ok(backupMeta.url.endsWith('?via=cdn&flag=meta'), `the template's own query is kept: ${backupMeta.url}`);
    const singBox = items.find((i) => i.endpointName === 'primary' && i.format === 'sing_box');
    assert.equal(singBox.importUrl, `sing-box://import-remote-profile?url=${encodeURIComponent(singBox.url)}#primary`);
    for (const format of ['general', 'sip008']) {
        const plain = items.find((i) => i.endpointName === 'primary' && i.format === format);
        assert.equal(plain.importUrl ?? null, null, `${format} has no app URL scheme`);
    }

    // The links select their document: Clash.Meta YAML, sing-box JSON.
    const yaml = await fetch(meta.url);
    assert.equal(yaml.status, 200);
    const yamlText = await yaml.text();
    assert.match(yamlText, /^proxies:/m, yamlText.slice(0, 200));
    const json = await fetch(singBox.url);
    assert.equal(json.status, 200);
    assert.ok(Array.isArray((await json.json()).outbounds), 'a sing-box document has outbounds');

    const backupOnly = await me.client.telecom.listSubscriptionLinks({ endpointName: 'backup' });
    assert.equal(backupOnly.items.length, FORMATS.length);
    assert.ok(backupOnly.items.every((i) => i.endpointName === 'backup' && i.url.startsWith('https://backup.example.test/')));
    assert.deepEqual((await me.client.telecom.listSubscriptionLinks({ endpointName: 'nope' })).items, []);

    const rotated = await me.client.telecom.rotateSubscriptionToken();
    const after = await me.client.telecom.listSubscriptionLinks({ endpointName: 'primary' });
    assert.ok(after.items.every((i) => i.url.includes(rotated.token) && !i.url.includes(token)), 'links follow the token');
    await expectProblem(client().telecom.listSubscriptionLinks(), 401, 'unauthenticated');
});

test('listMyNodes: empty without a package; after a purchase the nodes of its groups, in subscription order, online once pulled', async () => {
    const boss = await staff('super_admin');
    const group = await newGroup('Mine');
    const foreign = await newGroup('Foreign');
    const sv = await newServer(boss.client, { region: 'JP', rate: '2' });
    const tokyo = await newClient(boss.client, sv.id, { name: `Tokyo ${tag()}`, groupIds: [group.id], sort: 2 });
    const cheap = await newClient(boss.client, sv.id, { name: `Cheap ${tag()}`, groupIds: [group.id], sort: 1, rate: '0.5' });
    const hidden = await newClient(boss.client, sv.id, { groupIds: [group.id], show: false });
    const other = await newClient(boss.client, sv.id, { groupIds: [foreign.id] });
    const mine = [tokyo.id, cheap.id, hidden.id, other.id];

    const me = await buyer('nodes');
    assert.deepEqual((await me.client.telecom.listMyNodes()).items, [], 'no package, no nodes');
    const plan = await telecomPlan({ groupIds: [group.id] });
    await buyPackage(me, plan);

    const { items } = await me.client.telecom.listMyNodes();
    assert.deepEqual(onlyMine(items, mine), [cheap.id, tokyo.id], 'by sort; hidden and other groups left out');
    const byId = Object.fromEntries(items.map((n) => [n.id, n]));
    assert.deepEqual(byId[tokyo.id], {
        id: tokyo.id,
        name: tokyo.name,
        region: 'JP',
        protocol: 'shadowsocks',
        rate: '2',
        online: false,
    });
    assert.equal(byId[cheap.id].rate, '0.5', "the client's own rate overrides the server's");

    // The agent of the Tokyo node pulls: it shows online (recorded in the background).
    assert.equal((await nodeAgent('config', tokyo.nodeId)).status, 200);
    await eventually(async () => {
        const nodes = (await me.client.telecom.listMyNodes()).items;
        return nodes.find((n) => n.id === tokyo.id)?.online ? nodes : undefined;
    }, 'the Tokyo node online');
    const now = Object.fromEntries((await me.client.telecom.listMyNodes()).items.map((n) => [n.id, n]));
    assert.equal(now[cheap.id].online, false, 'the other agent never pulled');

    const stranger = await buyer('nodes-other');
    await buyPackage(stranger, await telecomPlan({ groupIds: [foreign.id] }));
    assert.deepEqual(onlyMine((await stranger.client.telecom.listMyNodes()).items, mine), [other.id]);
    await expectProblem(client().telecom.listMyNodes(), 401, 'unauthenticated');
});

// ---------------------------------------------------------------- staff: node servers

test('adminCreateNodeServer: 201 with defaults; bad input 422 naming the field; audited; Customer Support 403', async () => {
    const boss = await staff('super_admin');
    const mod = await staff('moderator');
    const raw = await boss.client.telecom.adminCreateNodeServerRaw({
        nodeServerCreateRequest: { name: 'Osaka 1', address: 'osaka1.nodes.example', region: 'JP', rate: '1.5', tags: ['premium', 'iplc'] },
    });
    assert.equal(raw.raw.status, 201);
    const created = await raw.value();
    assert.match(created.id, /^[0-9a-f-]{36}$/);
    assert.equal(created.name, 'Osaka 1');
    assert.equal(created.address, 'osaka1.nodes.example');
    assert.equal(created.region, 'JP');
    assert.equal(created.rate, '1.5');
    assert.deepEqual(created.tags, ['premium', 'iplc']);
    assert.equal(created.maintenance, false);
    assert.equal(created.maintenanceMessage ?? null, null);
    assert.ok(created.createdAt instanceof Date && created.updatedAt instanceof Date);
    assert.deepEqual(await auditRows(created.id), ['node_server.create||super_admin']);

    const minimal = await mod.client.telecom.adminCreateNodeServer({
        nodeServerCreateRequest: { name: 'Bare', address: '203.0.113.7' },
    });
    assert.equal(minimal.rate, '1', 'rate defaults to 1');
    assert.equal(minimal.region ?? null, null);
    assert.deepEqual(minimal.tags, []);
    assert.deepEqual(await auditRows(minimal.id), ['node_server.create||moderator']);

    const badAddress = await expectProblem(
        boss.client.telecom.adminCreateNodeServer({ nodeServerCreateRequest: { name: 'x', address: 'bad host!' } }),
        422,
        'validation_failed',
    );
    assert.ok(badAddress.errors.some((e) => e.field === 'address'), JSON.stringify(badAddress.errors));
    const badRate = await expectProblem(
        boss.client.telecom.adminCreateNodeServer({ nodeServerCreateRequest: { name: 'x', address: 'ok.example', rate: 'fast' } }),
        422,
        'validation_failed',
    );
    assert.ok(badRate.errors.some((e) => e.field === 'rate'), JSON.stringify(badRate.errors));
    const badName = await expectProblem(
        boss.client.telecom.adminCreateNodeServer({ nodeServerCreateRequest: { name: 'a\u0000b', address: 'ok.example' } }),
        422,
        'validation_failed',
    );
    assert.ok(badName.errors.some((e) => e.field === 'name'), JSON.stringify(badName.errors));

    const cs = await staff('customer_support');
    await expectProblem(
        cs.client.telecom.adminCreateNodeServer({ nodeServerCreateRequest: { name: 'n', address: 'n.example' } }),
        403,
        'permission_denied',
        'Customer Support writing',
    );
    await expectProblem(
        client().telecom.adminCreateNodeServer({ nodeServerCreateRequest: { name: 'n', address: 'n.example' } }),
        401,
        'unauthenticated',
    );
});

test('adminListNodeServers: newest first, filtered by region and maintenance, paged; Customer Support reads', async () => {
    const boss = await staff('super_admin');
    const region = `R-${tag()}`;
    const a = await newServer(boss.client, { region });
    const b = await newServer(boss.client, { region });
    const c = await newServer(boss.client, { region });
    await boss.client.telecom.adminSetNodeMaintenance({ id: b.id, maintenanceRequest: { enabled: true } });
    const cs = await staff('customer_support');
    const api = cs.client.telecom;

    const all = await api.adminListNodeServers({ region });
    assert.deepEqual(all.items.map((s) => s.id), [c.id, b.id, a.id]);
    assert.deepEqual(all.items.map((s) => s.maintenance), [false, true, false]);
    assert.deepEqual((await api.adminListNodeServers({ region, maintenance: 'true' })).items.map((s) => s.id), [b.id]);
    assert.deepEqual((await api.adminListNodeServers({ region, maintenance: 'false' })).items.map((s) => s.id), [c.id, a.id]);
    assert.deepEqual((await api.adminListNodeServers({ region: `R-${tag()}` })).items, []);
    const everyone = await api.adminListNodeServers({ limit: 100 });
    assert.ok([a, b, c].every((s) => everyone.items.some((i) => i.id === s.id)));

    const page = await api.adminListNodeServers({ region, limit: 2 });
    assert.deepEqual(page.items.map((s) => s.id), [c.id, b.id]);
    const rest = await api.adminListNodeServers({ region, limit: 2, cursor: page.nextCursor });
    assert.deepEqual(rest.items.map((s) => s.id), [a.id]);
    assert.equal(rest.nextCursor ?? null, null);

    const err = await expectProblem(api.adminListNodeServers({ maintenance: 'maybe' }), 422, 'validation_failed');
    assert.ok(err.errors.some((e) => e.field === 'maintenance'), JSON.stringify(err.errors));
    const bot = await staff('support_bot');
    await expectProblem(bot.client.telecom.adminListNodeServers(), 403, 'permission_denied', 'a support bot (no nodes.read)');
});

test('adminGetNodeServer: the server with its clients; unknown servers are 404', async () => {
    const boss = await staff('super_admin');
    const sv = await newServer(boss.client, { region: 'SG', tags: ['edge'] });
    const empty = await boss.client.telecom.adminGetNodeServer({ id: sv.id });
    assert.equal(empty.id, sv.id);
    assert.equal(empty.name, sv.name);
    assert.deepEqual(empty.tags, ['edge']);
    assert.deepEqual(empty.clients, []);

    const ss = await newClient(boss.client, sv.id);
    const vless = await boss.client.telecom.adminCreateNodeClient({ nodeClientCreateRequest: realityClientBody(sv.id) });
    const otherServer = await newServer(boss.client);
    await newClient(boss.client, otherServer.id);
    const cs = await staff('customer_support');
    const detailRaw = await cs.client.telecom.adminGetNodeServerRaw({ id: sv.id });
    assert.ok(!(await detailRaw.raw.clone().text()).includes(REALITY_PRIVATE_KEY), 'no private key in the detail');
    const detail = await detailRaw.value();
    assert.deepEqual(detail.clients.map((c) => c.id).sort(), [ss.id, vless.id].sort(), "only this server's clients");
    const shown = detail.clients.find((c) => c.id === vless.id);
    assert.equal(shown.protocol, 'vless');
    assert.equal(shown.settings.security.private_key, '');
    assert.equal(shown.settings.security.public_key, REALITY_PUBLIC_KEY);
    await expectProblem(cs.client.telecom.adminGetNodeServer({ id: GHOST }), 404, 'not_found');
});

test('adminUpdateNodeServer: absent fields unchanged, region null clears, rates re-bill; 422 naming the field; CS 403; 404', async () => {
    const boss = await staff('super_admin');
    const sv = await newServer(boss.client, { region: 'HK', rate: '1', tags: ['a'] });
    const renamed = await boss.client.telecom.adminUpdateNodeServer({
        id: sv.id,
        nodeServerUpdateRequest: { name: 'Hong Kong 2' },
    });
    assert.equal(renamed.name, 'Hong Kong 2');
    assert.deepEqual([renamed.address, renamed.region, renamed.rate, renamed.tags], [sv.address, 'HK', '1', ['a']]);
    assert.ok(renamed.updatedAt >= sv.updatedAt);
    assert.deepEqual(renamed.createdAt, sv.createdAt);

    const changed = await boss.client.telecom.adminUpdateNodeServer({
        id: sv.id,
        nodeServerUpdateRequest: { region: null, rate: '0.5', tags: [], address: 'hk2.nodes.example' },
    });
    assert.equal(changed.region ?? null, null, 'region null clears it');
    assert.equal(changed.rate, '0.5');
    assert.deepEqual(changed.tags, []);
    assert.equal(changed.address, 'hk2.nodes.example');
    assert.equal(changed.name, 'Hong Kong 2');
    const read = await boss.client.telecom.adminGetNodeServer({ id: sv.id });
    assert.deepEqual([read.name, read.region ?? null, read.rate, read.address], ['Hong Kong 2', null, '0.5', 'hk2.nodes.example']);

    // The new rate is what a customer's node list shows for the server's clients.
    const group = await newGroup('Rate');
    const node = await newClient(boss.client, sv.id, { groupIds: [group.id] });
    const me = await buyer('rate');
    await buyPackage(me, await telecomPlan({ groupIds: [group.id] }));
    const mine = (await me.client.telecom.listMyNodes()).items.find((n) => n.id === node.id);
    assert.equal(mine.rate, '0.5');
    assert.equal(mine.region ?? null, null);

    const bad = await expectProblem(
        boss.client.telecom.adminUpdateNodeServer({ id: sv.id, nodeServerUpdateRequest: { address: 'not a host' } }),
        422,
        'validation_failed',
    );
    assert.ok(bad.errors.some((e) => e.field === 'address'), JSON.stringify(bad.errors));
    const badRate = await expectProblem(
        boss.client.telecom.adminUpdateNodeServer({ id: sv.id, nodeServerUpdateRequest: { rate: '1000' } }),
        422,
        'validation_failed',
    );
    assert.ok(badRate.errors.some((e) => e.field === 'rate'), JSON.stringify(badRate.errors));
    assert.equal((await boss.client.telecom.adminGetNodeServer({ id: sv.id })).address, 'hk2.nodes.example', 'nothing written');
    const cs = await staff('customer_support');
    await expectProblem(
        cs.client.telecom.adminUpdateNodeServer({ id: sv.id, nodeServerUpdateRequest: { name: 'x' } }),
        403,
        'permission_denied',
    );
    await expectProblem(
        boss.client.telecom.adminUpdateNodeServer({ id: GHOST, nodeServerUpdateRequest: { name: 'x' } }),
        404,
        'not_found',
    );
    assert.deepEqual(await auditRows(sv.id), [
        'node_server.create||super_admin',
        'node_server.update||super_admin',
        'node_server.update||super_admin',
    ]);
});

test('adminDeleteNodeServer: 409 server_has_clients while it has clients; 204 once empty, then 404', async () => {
    const boss = await staff('super_admin');
    const mod = await staff('moderator');
    const sv = await newServer(boss.client);
    const node = await newClient(boss.client, sv.id);
    await expectProblem(mod.client.telecom.adminDeleteNodeServer({ id: sv.id }), 409, 'server_has_clients');
    assert.equal((await boss.client.telecom.adminGetNodeServer({ id: sv.id })).clients.length, 1, 'still there');
    const cs = await staff('customer_support');
    await expectProblem(cs.client.telecom.adminDeleteNodeServer({ id: sv.id }), 403, 'permission_denied');

    await boss.client.telecom.adminDeleteNodeClient({ id: node.id });
    const raw = await mod.client.telecom.adminDeleteNodeServerRaw({ id: sv.id });
    assert.equal(raw.raw.status, 204);
    await expectProblem(boss.client.telecom.adminGetNodeServer({ id: sv.id }), 404, 'not_found');
    await expectProblem(mod.client.telecom.adminDeleteNodeServer({ id: sv.id }), 404, 'not_found', 'twice');
    const listed = await boss.client.telecom.adminListNodeServers({ limit: 100 });
    assert.ok(!listed.items.some((s) => s.id === sv.id));
    assert.deepEqual((await auditRows(sv.id)).at(-1), 'node_server.delete||moderator');
});

test("adminSetNodeMaintenance: hides the server's nodes from node lists and subscription documents until it ends", async () => {
    const boss = await staff('super_admin');
    const mod = await staff('moderator');
    const group = await newGroup('Maint');
    const sv = await newServer(boss.client);
    const node = await newClient(boss.client, sv.id, { name: `Maint ${tag()}`, groupIds: [group.id] });
    const me = await buyer('maint');
    await buyPackage(me, await telecomPlan({ groupIds: [group.id] }));
    const { token } = await me.client.telecom.getSubscription();
    const listed = async () => (await me.client.telecom.listMyNodes()).items.some((n) => n.id === node.id);
    assert.equal(await listed(), true);
    assert.ok((await fetchDocument(token)).text.includes(node.name), 'the node is in the document');

    const until = new Date(Math.ceil((Date.now() + 2 * 3600_000) / 1000) * 1000);
    const on = await mod.client.telecom.adminSetNodeMaintenance({
        id: sv.id,
        maintenanceRequest: { enabled: true, message: 'kernel upgrade', until },
    });
    assert.equal(on.id, sv.id);
    assert.equal(on.maintenance, true);
    assert.equal(on.maintenanceMessage, 'kernel upgrade');
    assert.deepEqual(on.maintenanceUntil, until);
    assert.equal(await listed(), false, 'left out of the node list');
    const doc = await fetchDocument(token);
    assert.equal(doc.status, 200);
    assert.ok(!doc.text.includes(node.name), 'left out of the subscription document');
    const inMaintenance = await boss.client.telecom.adminListNodeServers({ maintenance: 'true', limit: 100 });
    assert.ok(inMaintenance.items.some((s) => s.id === sv.id));
    assert.equal((await nodeAgent('config', node.nodeId)).status, 200, 'its agent still gets its config');

    const off = await mod.client.telecom.adminSetNodeMaintenance({ id: sv.id, maintenanceRequest: { enabled: false } });
    assert.equal(off.maintenance, false);
    assert.equal(await listed(), true, 'back after maintenance');
    assert.ok((await fetchDocument(token)).text.includes(node.name));

    const long = await expectProblem(
        mod.client.telecom.adminSetNodeMaintenance({ id: sv.id, maintenanceRequest: { enabled: true, message: 'x'.repeat(501) } }),
        422,
        'validation_failed',
    );
    assert.ok(long.errors.some((e) => e.field === 'message'), JSON.stringify(long.errors));
    assert.equal((await boss.client.telecom.adminGetNodeServer({ id: sv.id })).maintenance, false, 'nothing written');
    const cs = await staff('customer_support');
    await expectProblem(
        cs.client.telecom.adminSetNodeMaintenance({ id: sv.id, maintenanceRequest: { enabled: true } }),
        403,
        'permission_denied',
    );
    await expectProblem(
        mod.client.telecom.adminSetNodeMaintenance({ id: GHOST, maintenanceRequest: { enabled: true } }),
        404,
        'not_found',
    );
    assert.deepEqual((await auditRows(sv.id)).filter((r) => r.startsWith('node_server.maintenance')), [
        'node_server.maintenance||moderator',
        'node_server.maintenance||moderator',
    ]);
});

// ---------------------------------------------------------------- staff: node clients

test('adminCreateNodeClient: 201 with defaults, served to its agent; REALITY private key reads back ""; 409 node_id_taken; 422 naming the field; CS 403', async () => {
    const boss = await staff('super_admin');
    const sv = await newServer(boss.client);
    const body = ssClientBody(sv.id);
    const raw = await boss.client.telecom.adminCreateNodeClientRaw({ nodeClientCreateRequest: body });
    assert.equal(raw.raw.status, 201);
    const ss = await raw.value();
    assert.equal(ss.serverId, sv.id);
    assert.equal(ss.nodeId, body.nodeId);
    assert.equal(ss.name, body.name);
    assert.equal(ss.protocol, 'shadowsocks');
    assert.equal(ss.port, 8388);
    assert.equal(ss.settings.protocol, 'shadowsocks');
    assert.equal(ss.settings.cipher, 'aes-128-gcm');
    assert.deepEqual([ss.groupIds, ss.tags, ss.routes], [[], [], []]);
    assert.deepEqual([ss.show, ss.sort, ss.rate ?? null, ss.alivelistShape], [true, 0, null, 'count']);
    assert.equal(ss.hopPorts ?? null, null);
    assert.equal(ss.online, false);
    assert.equal(ss.lastPullAt ?? null, null);
    assert.deepEqual(await auditRows(ss.id), ['node_client.create||super_admin']);
    const config = await nodeAgent('config', ss.nodeId);
    assert.equal(config.status, 200, config.text);
    assert.equal(config.json().server_port, 8388);
    assert.equal(config.json().cipher, 'aes-128-gcm');

    // REALITY: the private key goes to the agent, never back to staff.
    const rawVless = await boss.client.telecom.adminCreateNodeClientRaw({
        nodeClientCreateRequest: realityClientBody(sv.id, { nodeId: ss.nodeId, rate: '1.5', groupIds: [], tags: ['fast'] }),
    });
    assert.equal(rawVless.raw.status, 201, 'the same node_id with another protocol is another node');
    assert.ok(!(await rawVless.raw.clone().text()).includes(REALITY_PRIVATE_KEY), 'the private key is not echoed');
    const vless = await rawVless.value();
    assert.equal(vless.protocol, 'vless');
    assert.equal(vless.settings.security.private_key, '');
    assert.equal(vless.settings.security.public_key, REALITY_PUBLIC_KEY);
    assert.equal(vless.settings.security.short_id, '6ba85179e30d4fc2');
    assert.equal(vless.rate, '1.5');
    assert.deepEqual(vless.tags, ['fast']);
    const agentConfig = await nodeAgent('config', ss.nodeId, { nodeType: 'vless' });
    assert.equal(agentConfig.status, 200, agentConfig.text);
    assert.ok(agentConfig.text.includes(REALITY_PRIVATE_KEY), 'the agent needs the key');
    const audit = await server.sql(`SELECT count(*) FROM staff.audit_log WHERE row_to_json(audit_log)::text LIKE ${sqlString(`%${REALITY_PRIVATE_KEY}%`)}`);
    assert.equal(audit, '0', 'no audit row carries the private key');

    await expectProblem(
        boss.client.telecom.adminCreateNodeClient({ nodeClientCreateRequest: ssClientBody(sv.id, { nodeId: ss.nodeId }) }),
        409,
        'node_id_taken',
        'the same node_id and protocol',
    );
    const otherServer = await newServer(boss.client);
    await expectProblem(
        boss.client.telecom.adminCreateNodeClient({ nodeClientCreateRequest: ssClientBody(otherServer.id, { nodeId: ss.nodeId }) }),
        409,
        'node_id_taken',
        'node ids are global, not per server',
    );

    const invalid = async (fields, field) => {
        const err = await expectProblem(
            boss.client.telecom.adminCreateNodeClient({ nodeClientCreateRequest: ssClientBody(sv.id, fields) }),
            422,
            'validation_failed',
            JSON.stringify(fields),
        );
        assert.ok(err.errors.some((e) => e.field === field), `${field}: ${JSON.stringify(err.errors)}`);
    };
    await invalid({ port: 0 }, 'port');
    await invalid({ nodeId: 0 }, 'node_id');
    await invalid({ settings: { protocol: 'carrier-pigeon' } }, 'settings');
    await invalid({ settings: { protocol: 'shadowsocks', cipher: 'rot13' } }, 'settings');
    await invalid({ hopPorts: { start: 20000, end: 30000 } }, 'hop_ports');
    await invalid({ rate: 'free' }, 'rate');
    await invalid({ serverId: GHOST }, 'server_id');
    const badKey = realityClientBody(sv.id);
    badKey.settings.security.private_key = 'not-a-key';
    const keyErr = await expectProblem(
        boss.client.telecom.adminCreateNodeClient({ nodeClientCreateRequest: badKey }),
        422,
        'validation_failed',
        'a malformed REALITY key',
    );
    assert.ok(keyErr.errors.some((e) => e.field.startsWith('settings')), JSON.stringify(keyErr.errors));

    const cs = await staff('customer_support');
    await expectProblem(
        cs.client.telecom.adminCreateNodeClient({ nodeClientCreateRequest: ssClientBody(sv.id) }),
        403,
        'permission_denied',
    );
    assert.equal((await boss.client.telecom.adminGetNodeServer({ id: sv.id })).clients.length, 2, 'only the two valid clients');
});

test('adminListNodeClients: newest first, filtered by server, protocol and group, paged', async () => {
    const boss = await staff('super_admin');
    const group = await newGroup('List');
    const sv = await newServer(boss.client);
    const a = await newClient(boss.client, sv.id, { groupIds: [group.id] });
    const b = await boss.client.telecom.adminCreateNodeClient({ nodeClientCreateRequest: realityClientBody(sv.id) });
    const c = await newClient(boss.client, sv.id);
    const elsewhere = await newClient(boss.client, (await newServer(boss.client)).id, { groupIds: [group.id] });
    const cs = await staff('customer_support');
    const api = cs.client.telecom;

    const page = await api.adminListNodeClients({ serverId: sv.id });
    assert.deepEqual(page.items.map((i) => i.id), [c.id, b.id, a.id]);
    assert.ok(page.items.every((i) => i.serverId === sv.id));
    assert.equal(page.items.find((i) => i.id === b.id).settings.security.private_key, '', 'lists hide the key too');
    assert.deepEqual((await api.adminListNodeClients({ serverId: sv.id, protocol: 'vless' })).items.map((i) => i.id), [b.id]);
    assert.deepEqual(
        (await api.adminListNodeClients({ serverId: sv.id, protocol: 'shadowsocks' })).items.map((i) => i.id),
        [c.id, a.id],
    );
    assert.deepEqual((await api.adminListNodeClients({ groupId: group.id })).items.map((i) => i.id), [elsewhere.id, a.id]);
    assert.deepEqual((await api.adminListNodeClients({ serverId: sv.id, protocol: 'trojan' })).items, []);

    const first = await api.adminListNodeClients({ serverId: sv.id, limit: 2 });
    assert.deepEqual(first.items.map((i) => i.id), [c.id, b.id]);
    const rest = await api.adminListNodeClients({ serverId: sv.id, limit: 2, cursor: first.nextCursor });
    assert.deepEqual(rest.items.map((i) => i.id), [a.id]);
    assert.equal(rest.nextCursor ?? null, null);

    const badProtocol = await expectProblem(api.adminListNodeClients({ protocol: 'pigeon' }), 422, 'validation_failed');
    assert.ok(badProtocol.errors.some((e) => e.field === 'protocol'), JSON.stringify(badProtocol.errors));
    const badServer = await expectProblem(api.adminListNodeClients({ serverId: 'nope' }), 422, 'validation_failed');
    assert.ok(badServer.errors.some((e) => e.field === 'server_id'), JSON.stringify(badServer.errors));
    await expectProblem(api.adminListNodeClients({ serverId: sv.id, cursor: 'garbage' }), 400, 'invalid_cursor');
});

test('adminGetNodeClient: the client as stored, secrets blanked; unknown clients are 404', async () => {
    const boss = await staff('super_admin');
    const group = await newGroup('Get');
    const sv = await newServer(boss.client);
    const routes = [{ id: 1, match: ['regexp:(.+\\.)?example\\.org$'], action: 'block' }];
    const made = await boss.client.telecom.adminCreateNodeClient({
        nodeClientCreateRequest: realityClientBody(sv.id, {
            groupIds: [group.id],
            show: false,
            sort: 7,
            alivelistShape: 'ips',
            routes,
        }),
    });
    const cs = await staff('customer_support');
    const raw = await cs.client.telecom.adminGetNodeClientRaw({ id: made.id });
    assert.ok(!(await raw.raw.clone().text()).includes(REALITY_PRIVATE_KEY));
    const got = await raw.value();
    assert.equal(got.id, made.id);
    assert.equal(got.serverId, sv.id);
    assert.equal(got.nodeId, made.nodeId);
    assert.equal(got.protocol, 'vless');
    assert.equal(got.port, 443);
    assert.deepEqual(got.groupIds, [group.id]);
    assert.deepEqual([got.show, got.sort, got.alivelistShape], [false, 7, 'ips']);
    assert.equal(got.routes.length, 1);
    assert.equal(got.routes[0].action, 'block');
    assert.deepEqual(got.settings, made.settings);
    assert.equal(got.settings.security.private_key, '');
    assert.equal(got.settings.flow, 'xtls-rprx-vision');
    assert.deepEqual(got.createdAt, made.createdAt);
    await expectProblem(cs.client.telecom.adminGetNodeClient({ id: GHOST }), 404, 'not_found');
});

test('adminUpdateNodeClient: partial edits; a blank REALITY key keeps the stored one; 409 node_id_taken; rate null falls back', async () => {
    const boss = await staff('super_admin');
    const mod = await staff('moderator');
    const sv = await newServer(boss.client, { rate: '3' });
    const vless = await boss.client.telecom.adminCreateNodeClient({ nodeClientCreateRequest: realityClientBody(sv.id, { rate: '1.5' }) });
    const taken = await boss.client.telecom.adminCreateNodeClient({ nodeClientCreateRequest: realityClientBody(sv.id) });

    // Edit the settings as read back (private_key ""): the stored key stays.
    const settings = structuredClone(vless.settings);
    settings.security.short_id = 'ab';
    const edited = await mod.client.telecom.adminUpdateNodeClient({
        id: vless.id,
        nodeClientUpdateRequest: { name: 'Osaka VLESS 2', port: 8443, settings },
    });
    assert.equal(edited.name, 'Osaka VLESS 2');
    assert.equal(edited.port, 8443);
    assert.equal(edited.settings.security.short_id, 'ab');
    assert.equal(edited.settings.security.private_key, '');
    assert.equal(edited.nodeId, vless.nodeId, 'absent fields are unchanged');
    assert.equal(edited.rate, '1.5');
    assert.ok(edited.updatedAt >= vless.updatedAt);
    const config = await nodeAgent('config', vless.nodeId, { nodeType: 'vless' });
    assert.equal(config.status, 200, config.text);
    assert.ok(config.text.includes(REALITY_PRIVATE_KEY), 'the blank key kept the stored one');
    assert.equal(config.json().server_port, 8443);

    const fallback = await mod.client.telecom.adminUpdateNodeClient({ id: vless.id, nodeClientUpdateRequest: { rate: null } });
    assert.equal(fallback.rate ?? null, null, "rate null: the server's rate applies");

    await expectProblem(
        mod.client.telecom.adminUpdateNodeClient({ id: vless.id, nodeClientUpdateRequest: { nodeId: taken.nodeId } }),
        409,
        'node_id_taken',
    );
    const moved = freshNodeId();
    const renumbered = await mod.client.telecom.adminUpdateNodeClient({ id: vless.id, nodeClientUpdateRequest: { nodeId: moved } });
    assert.equal(renumbered.nodeId, moved);
    assert.equal((await nodeAgent('config', moved, { nodeType: 'vless' })).status, 200, 'the agent of the new node_id is served');
    const gone = await nodeAgent('config', vless.nodeId, { nodeType: 'vless' });
    assert.equal(gone.status, 404, 'the old node_id is unknown now');
    assert.equal(JSON.parse(gone.text).code, 'node_not_found');

    // Turning a shadowsocks client into VLESS on the node_id of a VLESS client collides too.
    const ss = await newClient(boss.client, sv.id, { nodeId: taken.nodeId });
    const asVless = realityClientBody(sv.id).settings;
    await expectProblem(
        mod.client.telecom.adminUpdateNodeClient({ id: ss.id, nodeClientUpdateRequest: { settings: asVless } }),
        409,
        'node_id_taken',
        'a protocol change onto a taken node_id',
    );
    assert.equal((await boss.client.telecom.adminGetNodeClient({ id: ss.id })).protocol, 'shadowsocks');
    await boss.client.telecom.adminDeleteNodeClient({ id: ss.id });

    const otherServer = await newServer(boss.client);
    const rehomed = await mod.client.telecom.adminUpdateNodeClient({ id: vless.id, nodeClientUpdateRequest: { serverId: otherServer.id } });
    assert.equal(rehomed.serverId, otherServer.id);
    assert.deepEqual((await boss.client.telecom.adminGetNodeServer({ id: sv.id })).clients.map((c) => c.id), [taken.id]);

    const bad = await expectProblem(
        mod.client.telecom.adminUpdateNodeClient({ id: vless.id, nodeClientUpdateRequest: { port: 0 } }),
        422,
        'validation_failed',
    );
    assert.ok(bad.errors.some((e) => e.field === 'port'), JSON.stringify(bad.errors));
    const badServer = await expectProblem(
        mod.client.telecom.adminUpdateNodeClient({ id: vless.id, nodeClientUpdateRequest: { serverId: GHOST } }),
        422,
        'validation_failed',
    );
    assert.ok(badServer.errors.some((e) => e.field === 'server_id'), JSON.stringify(badServer.errors));
    assert.equal((await boss.client.telecom.adminGetNodeClient({ id: vless.id })).port, 8443, 'nothing written');
    const cs = await staff('customer_support');
    await expectProblem(
        cs.client.telecom.adminUpdateNodeClient({ id: vless.id, nodeClientUpdateRequest: { name: 'x' } }),
        403,
        'permission_denied',
    );
    await expectProblem(
        mod.client.telecom.adminUpdateNodeClient({ id: GHOST, nodeClientUpdateRequest: { name: 'x' } }),
        404,
        'not_found',
    );
    const stored = await server.sql(`SELECT settings->'security'->>'private_key' FROM telecom.node_clients WHERE id = ${sqlString(vless.id)}`);
    assert.equal(stored, REALITY_PRIVATE_KEY);
});

test('adminDeleteNodeClient: 204; its agent gets 404 node_not_found and customers lose the node', async () => {
    const boss = await staff('super_admin');
    const group = await newGroup('Delete');
    const sv = await newServer(boss.client);
    const node = await newClient(boss.client, sv.id, { groupIds: [group.id] });
    const keep = await newClient(boss.client, sv.id, { groupIds: [group.id] });
    const me = await buyer('delete-node');
    await buyPackage(me, await telecomPlan({ groupIds: [group.id] }));
    assert.deepEqual(onlyMine((await me.client.telecom.listMyNodes()).items, [node.id, keep.id]).sort(), [node.id, keep.id].sort());
    assert.equal((await nodeAgent('config', node.nodeId)).status, 200);

    const cs = await staff('customer_support');
    await expectProblem(cs.client.telecom.adminDeleteNodeClient({ id: node.id }), 403, 'permission_denied');
    const raw = await boss.client.telecom.adminDeleteNodeClientRaw({ id: node.id });
    assert.equal(raw.raw.status, 204);
    const agent = await nodeAgent('config', node.nodeId);
    assert.equal(agent.status, 404);
    assert.equal(JSON.parse(agent.text).code, 'node_not_found');
    assert.deepEqual(onlyMine((await me.client.telecom.listMyNodes()).items, [node.id, keep.id]), [keep.id]);
    await expectProblem(boss.client.telecom.adminGetNodeClient({ id: node.id }), 404, 'not_found');
    await expectProblem(boss.client.telecom.adminDeleteNodeClient({ id: node.id }), 404, 'not_found', 'twice');
    assert.deepEqual((await boss.client.telecom.adminGetNodeServer({ id: sv.id })).clients.map((c) => c.id), [keep.id]);
    assert.deepEqual((await auditRows(node.id)).at(-1), 'node_client.delete||super_admin');

    // Its node_id is free again.
    const again = await newClient(boss.client, sv.id, { nodeId: node.nodeId });
    assert.equal(again.nodeId, node.nodeId);
});

// ---------------------------------------------------------------- staff: node status

test("adminListNodeStatus: online after an agent's pull (last_pull_at), offline before; users online and load from its reports", async () => {
    const boss = await staff('super_admin');
    const sv = await newServer(boss.client);
    const pulled = await newClient(boss.client, sv.id);
    const silent = await newClient(boss.client, sv.id);
    const cs = await staff('customer_support');
    const api = cs.client.telecom;

    const before = await api.adminListNodeStatus({ serverId: sv.id });
    assert.deepEqual(before.items.map((s) => [s.clientId, s.online]), [
        [silent.id, false],
        [pulled.id, false],
    ]);
    assert.equal(before.items[0].lastPullAt ?? null, null);

    const start = Date.now();
    assert.equal((await nodeAgent('user', pulled.nodeId)).status, 200);
    const online = await eventually(async () => {
        const page = await api.adminListNodeStatus({ serverId: sv.id, online: 'true' });
        return page.items.length > 0 ? page.items : undefined;
    }, 'the pulled node online');
    assert.equal(online.length, 1);
    const [status] = online;
    assert.equal(status.clientId, pulled.id);
    assert.equal(status.serverId, sv.id);
    assert.equal(status.name, pulled.name);
    assert.equal(status.protocol, 'shadowsocks');
    assert.equal(status.online, true);
    assert.ok(status.lastPullAt instanceof Date);
    closeTo(status.lastPullAt, start, 30_000, 'last_pull_at');
    assert.equal(status.lastPushAt ?? null, null, 'no push yet');
    assert.equal(status.onlineUsers ?? null, null, 'no alive report kept');
    assert.equal(status.load ?? null, null, 'no status report yet');

    const offline = await api.adminListNodeStatus({ serverId: sv.id, online: 'false' });
    assert.deepEqual(offline.items.map((s) => [s.clientId, s.online, s.lastPullAt ?? null]), [[silent.id, false, null]]);
    const everywhere = await api.adminListNodeStatus({ online: 'false', limit: 100 });
    assert.ok(everywhere.items.every((s) => s.online === false));

    // The agent reports users online and its load.
    assert.equal((await nodeAgent('alive', pulled.nodeId, { body: { 900001: ['203.0.113.5'], 900002: ['203.0.113.6'] } })).status, 200);
    const load = { cpu: 12.5, mem: { total: 100, used: 40 }, swap: { total: 0, used: 0 }, disk: { total: 100, used: 10 } };
    assert.equal((await nodeAgent('status', pulled.nodeId, { body: load })).status, 200);
    assert.equal((await nodeAgent('push', pulled.nodeId, { body: {} })).status, 200);
    const reported = await eventually(async () => {
        const [s] = (await api.adminListNodeStatus({ serverId: sv.id, online: 'true' })).items;
        return s?.lastPushAt ? s : undefined;
    }, 'the push recorded');
    assert.equal(reported.onlineUsers, 2);
    assert.equal(reported.load.cpu, 12.5);
    assert.deepEqual(reported.load.mem, { total: 100, used: 40 });
    closeTo(reported.lastPushAt, Date.now(), 30_000, 'last_push_at');

    // The same health shows on the client itself.
    const shown = await api.adminGetNodeClient({ id: pulled.id });
    assert.equal(shown.online, true);
    assert.deepEqual(shown.lastPullAt, status.lastPullAt);

    const page = await api.adminListNodeStatus({ serverId: sv.id, limit: 1 });
    assert.deepEqual(page.items.map((s) => s.clientId), [silent.id]);
    const rest = await api.adminListNodeStatus({ serverId: sv.id, limit: 1, cursor: page.nextCursor });
    assert.deepEqual(rest.items.map((s) => s.clientId), [pulled.id]);
    const bad = await expectProblem(api.adminListNodeStatus({ online: 'maybe' }), 422, 'validation_failed');
    assert.ok(bad.errors.some((e) => e.field === 'online'), JSON.stringify(bad.errors));
    const bot = await staff('support_bot');
    await expectProblem(bot.client.telecom.adminListNodeStatus(), 403, 'permission_denied');
});

// ---------------------------------------------------------------- staff: packages and tokens

test("adminListPackages: every customer's packages, newest first, filtered by customer and status, with positions", async () => {
    const plan = await telecomPlan({ trafficBytes: 5 * GiB });
    const alice = await buyer('staff-pkgs-a');
    const bob = await buyer('staff-pkgs-b');
    const a1 = await buyPackage(alice, plan);
    const b1 = await buyPackage(bob, plan);
    const a2 = await buyPackage(alice, plan);
    const bot = await staff('support_bot');
    const api = bot.client.telecom;

    const alices = await api.adminListPackages({ userId: alice.id });
    assert.deepEqual(alices.items.map((p) => [p.id, p.status, p.position]), [
        [a2.id, 'in_queue', 1],
        [a1.id, 'active', 0],
    ]);
    assert.ok(alices.items.every((p) => p.userId === alice.id));
    assert.deepEqual((await api.adminListPackages({ userId: bob.id })).items.map((p) => p.id), [b1.id]);
    assert.deepEqual((await api.adminListPackages({ userId: alice.id, status: 'in_queue' })).items.map((p) => p.id), [a2.id]);
    const active = await api.adminListPackages({ status: 'active', limit: 100 });
    assert.ok([a1.id, b1.id].every((id) => active.items.some((p) => p.id === id)));
    assert.ok(active.items.every((p) => p.status === 'active' && p.position === 0));
    const newest = await api.adminListPackages({ limit: 3 });
    assert.deepEqual(newest.items.map((p) => p.id), [a2.id, b1.id, a1.id], 'newest first across customers');
    const page = await api.adminListPackages({ userId: alice.id, limit: 1 });
    assert.deepEqual(page.items.map((p) => p.id), [a2.id]);
    const rest = await api.adminListPackages({ userId: alice.id, limit: 1, cursor: page.nextCursor });
    assert.deepEqual(rest.items.map((p) => p.id), [a1.id]);
    assert.equal(rest.nextCursor ?? null, null);

    const badUser = await expectProblem(api.adminListPackages({ userId: 'nope' }), 422, 'validation_failed');
    assert.ok(badUser.errors.some((e) => e.field === 'user_id'), JSON.stringify(badUser.errors));
    const badStatus = await expectProblem(api.adminListPackages({ status: 'paused' }), 422, 'validation_failed');
    assert.ok(badStatus.errors.some((e) => e.field === 'status'), JSON.stringify(badStatus.errors));
    await expectProblem(client().telecom.adminListPackages(), 401, 'unauthenticated');
});

test('adminCancelPackage: 200 cancelled (audited); the queue moves up; 409 invalid_state on repeat; SA and Moderator only', async () => {
    const plan = await telecomPlan({ trafficBytes: 7 * GiB });
    const me = await buyer('cancel-pkg');
    const first = await buyPackage(me, plan);
    const second = await buyPackage(me, plan);
    const third = await buyPackage(me, plan);
    const mod = await staff('moderator');
    const boss = await staff('super_admin');
    const cs = await staff('customer_support');

    await expectProblem(
        cs.client.telecom.adminCancelPackage({ id: first.id, reasonRequest: { reason: 'abuse' } }),
        403,
        'permission_denied',
        'Customer Support cancelling',
    );
    const noReason = await expectProblem(
        mod.client.telecom.adminCancelPackage({ id: first.id, reasonRequest: { reason: ' ' } }),
        422,
        'validation_failed',
    );
    assert.ok(noReason.errors.some((e) => e.field === 'reason'), JSON.stringify(noReason.errors));

    // A queued package: the ones behind it move up.
    const queued = await mod.client.telecom.adminCancelPackage({ id: second.id, reasonRequest: { reason: 'bought twice' } });
    assert.equal(queued.status, 'cancelled');
    assert.equal(queued.position ?? null, null, 'an ended package has no position');
    assert.equal(queued.endReason, 'bought twice');
    assert.ok(queued.endedAt instanceof Date);
    assert.deepEqual((await me.client.telecom.getMyPackage({ id: third.id })).position, 1);

    // The active package: the next queued one activates.
    const cancelled = await boss.client.telecom.adminCancelPackage({ id: first.id, reasonRequest: { reason: 'chargeback' } });
    assert.equal(cancelled.id, first.id);
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.endReason, 'chargeback');
    const usage = await me.client.telecom.getUsage();
    assert.equal(usage.activePackage.id, third.id);
    assert.equal(usage.activePackage.status, 'active');
    assert.ok(usage.activePackage.activatedAt instanceof Date);
    assert.deepEqual(usage.queued, []);
    const mine = await me.client.telecom.listMyPackages();
    assert.deepEqual(mine.items.map((p) => [p.id, p.status, p.position ?? null]), [
        [third.id, 'active', 0],
        [second.id, 'cancelled', null],
        [first.id, 'cancelled', null],
    ]);
    assert.deepEqual(await auditRows(first.id), ['package.cancel|chargeback|super_admin']);
    assert.deepEqual(await auditRows(second.id), ['package.cancel|bought twice|moderator']);

    await expectProblem(
        mod.client.telecom.adminCancelPackage({ id: first.id, reasonRequest: { reason: 'again' } }),
        409,
        'invalid_state',
        'an ended package',
    );
    assert.deepEqual(await auditRows(first.id), ['package.cancel|chargeback|super_admin'], 'the refusal wrote nothing');
    await expectProblem(
        mod.client.telecom.adminCancelPackage({ id: GHOST, reasonRequest: { reason: 'x' } }),
        404,
        'not_found',
    );
});

test('adminRotateCustomerSubscription: 204; the old token dies and the customer reads the new one; Support Bot 403; 404', async () => {
    const me = await buyer('staff-rotate');
    const before = await me.client.telecom.getSubscription();
    assert.equal((await fetchDocument(before.token)).status, 200);
    const bot = await staff('support_bot');
    await expectProblem(
        bot.client.telecom.adminRotateCustomerSubscription({ id: me.id, reasonRequest: { reason: 'leak' } }),
        403,
        'permission_denied',
    );
    assert.equal((await fetchDocument(before.token)).status, 200, 'the refused rotation changed nothing');

    const cs = await staff('customer_support');
    const raw = await cs.client.telecom.adminRotateCustomerSubscriptionRaw({
        id: me.id,
        reasonRequest: { reason: 'link posted in a forum' },
    });
    assert.equal(raw.raw.status, 204);
    assert.equal(await raw.raw.text(), '', 'the new token is not shown to staff');
    const old = await fetchDocument(before.token);
    assert.equal(old.status, 404);
    assert.equal(JSON.parse(old.text).code, 'subscription_not_found');
    const after = await me.client.telecom.getSubscription();
    assert.notEqual(after.token, before.token);
    assert.ok(after.rotatedAt instanceof Date);
    assert.equal((await fetchDocument(after.token)).status, 200);
    assert.deepEqual(await auditRows(me.id), ['subscription.rotate|link posted in a forum|customer_support']);

    const mod = await staff('moderator');
    await mod.client.telecom.adminRotateCustomerSubscription({ id: me.id, reasonRequest: { reason: 'second leak' } });
    assert.equal((await fetchDocument(after.token)).status, 404);
    const noReason = await expectProblem(
        cs.client.telecom.adminRotateCustomerSubscription({ id: me.id, reasonRequest: { reason: '' } }),
        422,
        'validation_failed',
    );
    assert.ok(noReason.errors.some((e) => e.field === 'reason'), JSON.stringify(noReason.errors));
    await expectProblem(
        cs.client.telecom.adminRotateCustomerSubscription({ id: GHOST, reasonRequest: { reason: 'x' } }),
        404,
        'not_found',
    );
});

test('telecom error path: customer operations refuse staff tokens and staff operations customer tokens', async () => {
    const me = await buyer('cross');
    const boss = await staff('super_admin');
    await expectProblem(me.client.telecom.adminListNodeServers(), 401, 'unauthenticated', 'a customer token on a staff route');
    await expectProblem(me.client.telecom.adminListPackages({ userId: me.id }), 401, 'unauthenticated');
    await expectProblem(boss.client.telecom.listMyPackages(), 401, 'unauthenticated', 'a staff token on a customer route');
    await expectProblem(boss.client.telecom.getSubscription(), 401, 'unauthenticated');
});
