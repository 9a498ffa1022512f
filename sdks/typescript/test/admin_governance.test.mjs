// Staff governance: the append-only audit log and the module configuration documents
// (secrets masked, ETag / If-Match, validation, one audit row per change).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHeliumClient } from '../dist/index.js';
import { bootstrapAdmin, bootstrapAdminWithMfa, expectProblem, useAdminServer } from './admin_kit.mjs';

const server = useAdminServer();
const MASK = '********';

/** `{ audit, config }` of a client signed in with `accessToken`. */
function governance(accessToken) {
    const client = createHeliumClient({ baseUrl: server.url, accessToken });
    return { audit: client.audit, config: client.config };
}

/** The stored (unmasked) document, read straight from PostgreSQL. */
async function storedValue(key) {
    const out = await server.sql(`SELECT value::text FROM application__config WHERE key = '${key}'`);
    return JSON.parse(out.trim());
}

/** A SuperAdmin with TOTP on (staff writes need it): its staff token. */
let writerToken;
async function writer() {
    writerToken ??= (await bootstrapAdminWithMfa(server, { role: 'super_admin' })).accessToken;
    return writerToken;
}

test('adminListAuditEvents: filtered, newest first, cursor-paginated', async () => {
    const admin = await bootstrapAdmin(server, { role: 'super_admin' });
    const { audit } = governance(admin.accessToken);
    const filter = { targetType: 'admin', targetId: admin.id };

    const all = await audit.adminListAuditEvents(filter);
    assert.deepEqual(all.items.map((e) => e.action), ['admin.setup', 'admin.create']);
    assert.equal(all.nextCursor ?? null, null);
    const [setup, create] = all.items;
    assert.ok(setup.at instanceof Date && setup.at >= create.at);
    assert.deepEqual(setup.actor, { type: 'admin', id: admin.id, role: 'super_admin' });
    assert.equal(create.actor.type, 'cli');
    assert.deepEqual(create.target, { type: 'admin', id: admin.id });
    assert.equal(create.after.email, admin.email);
    assert.equal(setup.after.password, MASK);

    const first = await audit.adminListAuditEvents({ ...filter, limit: 1 });
    assert.deepEqual(first.items.map((e) => e.id), [setup.id]);
    assert.equal(typeof first.nextCursor, 'string');
    const second = await audit.adminListAuditEvents({ ...filter, limit: 1, cursor: first.nextCursor });
    assert.deepEqual(second.items.map((e) => e.id), [create.id]);
    assert.equal(second.nextCursor ?? null, null);

    const byActor = await audit.adminListAuditEvents({ actorId: admin.id, action: 'admin.setup' });
    assert.deepEqual(byActor.items.map((e) => e.id), [setup.id]);
    const future = await audit.adminListAuditEvents({ from: new Date(Date.now() + 3_600_000) });
    assert.equal(future.items.length, 0);
});

test('adminListConfig: every document with its version', async () => {
    const admin = await bootstrapAdmin(server, { role: 'super_admin' });
    const list = await governance(admin.accessToken).config.adminListConfig();
    assert.deepEqual(list.items.map((i) => i.key), ['admin-jwt', 'affiliate', 'auth', 'mailer', 'shop', 'telecom']);
    for (const item of list.items) {
        assert.ok(Number.isInteger(item.version) && item.version >= 1, JSON.stringify(item));
        assert.ok(item.updatedAt instanceof Date);
    }
});

test('adminGetConfig: secrets masked, ETag carries the version', async () => {
    const admin = await bootstrapAdmin(server, { role: 'super_admin' });
    const { config } = governance(admin.accessToken);
    for (const [key, secretOf] of [
        ['auth', (v) => v.jwt.secret],
        ['admin-jwt', (v) => v.secret],
        ['telecom', (v) => v.vpn_server_token],
    ]) {
        const raw = await config.adminGetConfigRaw({ key });
        const doc = await raw.value();
        assert.equal(doc.key, key);
        assert.equal(raw.raw.headers.get('etag'), `"${doc.version}"`);
        assert.equal(secretOf(doc.value), MASK, key);
        const secret = secretOf(await storedValue(key));
        assert.ok(secret.length >= 32 && secret !== MASK);
        assert.ok(!JSON.stringify(doc).includes(secret), `${key}: the secret leaked`);
    }
    const market = await config.adminGetConfig({ key: 'market' });
    assert.equal(market.key, 'affiliate');
});

test('adminPutConfig: a masked secret keeps its value, the change is audited', async () => {
    const token = await writer();
    const { config, audit } = governance(token);
    const raw = await config.adminGetConfigRaw({ key: 'telecom' });
    const current = await raw.value();
    const storedBefore = await storedValue('telecom');
    const value = structuredClone(current.value);
    value.node_health_check.offline_timeout = '900';

    const put = await config.adminPutConfigRaw({
        key: 'telecom',
        ifMatch: raw.raw.headers.get('etag'),
        putConfigRequest: { value },
    });
    const updated = await put.value();
    assert.equal(updated.version, current.version + 1);
    assert.equal(put.raw.headers.get('etag'), `"${updated.version}"`);
    assert.equal(updated.value.vpn_server_token, MASK);
    assert.equal(updated.value.node_health_check.offline_timeout, '900');
    const storedAfter = await storedValue('telecom');
    assert.equal(storedAfter.vpn_server_token, storedBefore.vpn_server_token, 'the masked secret was kept');
    assert.equal(storedAfter.node_health_check.offline_timeout, '900');
    assert.equal((await config.adminGetConfig({ key: 'telecom' })).version, updated.version);

    const events = await audit.adminListAuditEvents({ action: 'config.update', targetType: 'config', targetId: 'telecom' });
    assert.equal(events.items.length, 1);
    const [event] = events.items;
    assert.equal(event.actor.type, 'admin');
    assert.equal(event.actor.role, 'super_admin');
    assert.deepEqual(event.before, { node_health_check: storedBefore.node_health_check });
    assert.deepEqual(event.after, { node_health_check: { offline_timeout: '900' } });
    assert.ok(!JSON.stringify(event).includes(storedBefore.vpn_server_token));
});

test('audit error path: foreign cursors, bad limits and non-SuperAdmins are refused', async () => {
    const admin = await bootstrapAdmin(server, { role: 'super_admin' });
    const { audit } = governance(admin.accessToken);
    const page = await audit.adminListAuditEvents({ action: 'admin.create', limit: 1 });
    assert.equal(typeof page.nextCursor, 'string', 'several admins exist by now');
    await expectProblem(
        audit.adminListAuditEvents({ action: 'admin.setup', limit: 1, cursor: page.nextCursor }),
        400,
        'invalid_cursor',
        'a cursor reused with other filters',
    );
    await expectProblem(audit.adminListAuditEvents({ cursor: 'garbage' }), 400, 'invalid_cursor');
    for (const limit of [0, 101]) {
        const err = await expectProblem(audit.adminListAuditEvents({ limit }), 422, 'validation_failed', `limit ${limit}`);
        assert.equal(err.errors[0].field, 'limit');
    }
    const moderator = await bootstrapAdmin(server, { role: 'moderator' });
    await expectProblem(
        governance(moderator.accessToken).audit.adminListAuditEvents(),
        403,
        'permission_denied',
        'a Moderator reading the audit log',
    );
    await expectProblem(governance(undefined).audit.adminListAuditEvents(), 401, 'unauthenticated');
});

test('config error path: stale If-Match, invalid documents, unknown keys, roles and MFA', async () => {
    const token = await writer();
    const { config } = governance(token);
    const current = await config.adminGetConfig({ key: 'shop' });
    const value = structuredClone(current.value);
    value.max_unpaid_orders = 7;
    await expectProblem(
        config.adminPutConfig({ key: 'shop', ifMatch: `"${current.version - 1}"`, putConfigRequest: { value } }),
        412,
        'precondition_failed',
        'a stale If-Match',
    );

    const telecom = (await config.adminGetConfig({ key: 'telecom' })).value;
    const badType = structuredClone(telecom);
    badType.node_health_check.offline_timeout = 900;
    let err = await expectProblem(
        config.adminPutConfig({ key: 'telecom', putConfigRequest: { value: badType } }),
        422,
        'validation_failed',
    );
    assert.equal(err.errors[0].field, 'value.node_health_check.offline_timeout');
    const placeholder = structuredClone(telecom);
    placeholder.vpn_server_token = 'secure-random-token-for-vpn-servers';
    err = await expectProblem(
        config.adminPutConfig({ key: 'telecom', putConfigRequest: { value: placeholder } }),
        422,
        'validation_failed',
        'a placeholder secret',
    );
    assert.equal(err.errors[0].field, 'value.vpn_server_token');
    await expectProblem(config.adminGetConfig({ key: 'nope' }), 404, 'not_found');
    await expectProblem(config.adminPutConfig({ key: 'nope', putConfigRequest: { value } }), 404, 'not_found');
    assert.equal((await config.adminGetConfig({ key: 'shop' })).version, current.version, 'nothing was written');

    const moderator = await bootstrapAdmin(server, { role: 'moderator' });
    const modConfig = governance(moderator.accessToken).config;
    await expectProblem(modConfig.adminListConfig(), 403, 'permission_denied');
    await expectProblem(modConfig.adminGetConfig({ key: 'shop' }), 403, 'permission_denied');
    await expectProblem(modConfig.adminPutConfig({ key: 'shop', putConfigRequest: { value } }), 403, 'permission_denied');
    const noTotp = await bootstrapAdmin(server, { role: 'super_admin' });
    await expectProblem(
        governance(noTotp.accessToken).config.adminPutConfig({ key: 'shop', putConfigRequest: { value } }),
        403,
        'mfa_required',
        'a SuperAdmin without TOTP',
    );
});
