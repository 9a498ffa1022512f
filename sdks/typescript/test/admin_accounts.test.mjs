// Staff account management and API keys through the generated SDK: list, get, update and
// delete staff accounts; create, list and revoke API keys; and the error paths.
// Staff writes need TOTP (every role), so the acting admin turns it on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    adminAnon,
    adminApi,
    adminSignIn,
    bootstrapAdmin,
    bootstrapAdminWithMfa,
    expectProblem,
    useAdminServer,
} from './admin_kit.mjs';

const server = useAdminServer();

let rootPromise;
/** One SuperAdmin with TOTP on, shared by the file's tests. */
function root() {
    rootPromise ??= bootstrapAdminWithMfa(server, { role: 'super_admin', name: 'Accounts Root' });
    return rootPromise;
}

test('adminListAdmins: newest first, filtered, keyset pages, limit 1–100', async () => {
    const api = adminApi(server, (await root()).accessToken);
    const a = await bootstrapAdmin(server, { role: 'support_bot', name: 'Bot A' });
    const b = await bootstrapAdmin(server, { role: 'support_bot', name: 'Bot B' });
    const first = await api.adminListAdmins({ role: 'support_bot', limit: 1 });
    assert.equal(first.items.length, 1);
    assert.equal(first.items[0].id, b.id, 'newest first');
    assert.equal(first.items[0].role, 'support_bot');
    assert.equal(typeof first.nextCursor, 'string');
    const second = await api.adminListAdmins({ role: 'support_bot', limit: 1, cursor: first.nextCursor });
    assert.equal(second.items[0].id, a.id);
    assert.equal(second.nextCursor ?? null, null);
    await expectProblem(
        api.adminListAdmins({ role: 'moderator', limit: 1, cursor: first.nextCursor }),
        400,
        'invalid_cursor',
        'a cursor reused with other filters',
    );
    const err = await expectProblem(api.adminListAdmins({ limit: 101 }), 422, 'validation_failed', 'limit 101');
    assert.equal(err.errors[0]?.field, 'limit');
    const all = await api.adminListAdmins();
    assert.ok(all.items.length >= 3);
    assert.ok(all.items.every((x) => !('passwordHash' in x) && !('password_hash' in x)));
});

test('adminGetAdmin: one account; an unknown id is 404', async () => {
    const api = adminApi(server, (await root()).accessToken);
    const target = await bootstrapAdmin(server, { role: 'customer_support', name: 'Support One' });
    const got = await api.adminGetAdmin({ id: target.id });
    assert.equal(got.id, target.id);
    assert.equal(got.email, target.email);
    assert.equal(got.role, 'customer_support');
    assert.equal(got.status, 'active');
    assert.equal(got.passwordSet, true);
    await expectProblem(api.adminGetAdmin({ id: '01890000-0000-7000-8000-000000000000' }), 404, 'not_found');
});

test('adminUpdateAdmin: a role change ends the target session at once; no self role change', async () => {
    const me = await root();
    const api = adminApi(server, me.accessToken);
    const target = await bootstrapAdmin(server, { role: 'moderator', name: 'Mod Target' });
    await adminApi(server, target.accessToken).adminGetMe();
    const renamed = await api.adminUpdateAdmin({ id: target.id, adminUpdateRequest: { name: 'Renamed Mod' } });
    assert.equal(renamed.name, 'Renamed Mod');
    await adminApi(server, target.accessToken).adminGetMe();

    const updated = await api.adminUpdateAdmin({ id: target.id, adminUpdateRequest: { role: 'customer_support' } });
    assert.equal(updated.role, 'customer_support');
    await expectProblem(
        adminApi(server, target.accessToken).adminGetMe(),
        401,
        'unauthenticated',
        'the demoted admin’s old token',
    );
    const again = await adminSignIn(server, target.email);
    assert.equal((await adminApi(server, again).adminGetMe()).role, 'customer_support');

    const disabled = await api.adminUpdateAdmin({ id: target.id, adminUpdateRequest: { disabled: true } });
    assert.equal(disabled.status, 'disabled');
    await expectProblem(
        adminAnon(server).adminLogin({ adminLoginRequest: { email: target.email, password: target.password } }),
        403,
        'account_disabled',
    );

    await expectProblem(
        api.adminUpdateAdmin({ id: me.id, adminUpdateRequest: { role: 'moderator' } }),
        403,
        'role_not_grantable',
        'changing one’s own role',
    );
    await expectProblem(
        api.adminUpdateAdmin({ id: target.id, adminUpdateRequest: { role: 'root' } }),
        422,
        'validation_failed',
    );
});

test('adminDeleteAdmin: the account and its sessions go', async () => {
    const api = adminApi(server, (await root()).accessToken);
    const target = await bootstrapAdmin(server, { role: 'support_bot', name: 'Doomed Bot' });
    const res = await api.adminDeleteAdminRaw({ id: target.id });
    assert.equal(res.raw.status, 204);
    await expectProblem(api.adminGetAdmin({ id: target.id }), 404, 'not_found');
    await expectProblem(adminApi(server, target.accessToken).adminGetMe(), 401, 'unauthenticated');
    await expectProblem(api.adminDeleteAdmin({ id: target.id }), 404, 'not_found');
});

test('adminCreateApiKey: the key is shown once, narrowed, never human-only', async () => {
    const api = adminApi(server, (await root()).accessToken);
    const expiresAt = new Date(Date.now() + 3600_000);
    const created = await api.adminCreateApiKey({
        apiKeyCreateRequest: { name: 'ticket reader', role: 'support_bot', permissions: ['tickets.read'], expiresAt },
    });
    assert.match(created.key, /^hel_key_[A-Za-z0-9_-]{43}$/);
    assert.equal(created.prefix, created.key.slice(0, 16));
    assert.equal(created.role, 'support_bot');
    assert.deepEqual(created.permissions, ['tickets.read']);
    assert.ok(Math.abs(created.expiresAt.getTime() - expiresAt.getTime()) < 1000);

    const human = await expectProblem(
        api.adminCreateApiKey({
            apiKeyCreateRequest: { name: 'too much', role: 'super_admin', permissions: ['orders.read', 'config.manage'] },
        }),
        422,
        'validation_failed',
        'a human-only permission',
    );
    assert.equal(human.errors[0]?.field, 'permissions[1]');
    await expectProblem(
        api.adminCreateApiKey({
            apiKeyCreateRequest: { name: 'late', role: 'support_bot', expiresAt: new Date(Date.now() - 60_000) },
        }),
        422,
        'validation_failed',
        'an expiry in the past',
    );
});

test('adminListApiKeys: every key, newest first, without secrets', async () => {
    const api = adminApi(server, (await root()).accessToken);
    const one = await api.adminCreateApiKey({ apiKeyCreateRequest: { name: 'list one', role: 'moderator' } });
    const two = await api.adminCreateApiKey({ apiKeyCreateRequest: { name: 'list two', role: 'customer_support' } });
    const page = await api.adminListApiKeys({ limit: 2 });
    assert.deepEqual(page.items.map((k) => k.id), [two.id, one.id]);
    assert.equal(page.items[0].prefix, two.prefix);
    assert.equal(page.items[0].revokedAt ?? null, null);
    assert.ok(page.items.every((k) => !('key' in k)));
    const raw = await api.adminListApiKeysRaw({ limit: 100 });
    const text = JSON.stringify(await raw.raw.json());
    assert.ok(!text.includes(one.key) && !text.includes(two.key), 'a list leaked a key');
});

test('adminRevokeApiKey: the key stops at once', async () => {
    const api = adminApi(server, (await root()).accessToken);
    const created = await api.adminCreateApiKey({ apiKeyCreateRequest: { name: 'revoke me', role: 'super_admin' } });
    const asKey = adminApi(server, created.key);
    // Authenticated but refused: API keys never hold api_keys.manage.
    await expectProblem(asKey.adminListApiKeys(), 403, 'permission_denied', 'a live key on a human-only route');
    const res = await api.adminRevokeApiKeyRaw({ id: created.id });
    assert.equal(res.raw.status, 204);
    await expectProblem(asKey.adminListApiKeys(), 401, 'unauthenticated', 'a revoked key');
    const listed = (await api.adminListApiKeys({ limit: 100 })).items.find((k) => k.id === created.id);
    assert.ok(listed?.revokedAt instanceof Date);
    await expectProblem(api.adminRevokeApiKey({ id: '01890000-0000-7000-8000-000000000000' }), 404, 'not_found');
});

test('admin error path: 401 without credentials, 403 permission_denied for other roles', async () => {
    const anon = adminApi(server, undefined);
    await expectProblem(anon.adminListAdmins(), 401, 'unauthenticated', 'no credentials');
    await expectProblem(adminAnon(server).adminListApiKeys(), 401, 'unauthenticated', 'no credentials');
    const moderator = await bootstrapAdmin(server, { role: 'moderator' });
    const asMod = adminApi(server, moderator.accessToken);
    await expectProblem(asMod.adminListAdmins(), 403, 'permission_denied', 'a moderator listing staff');
    await expectProblem(
        asMod.adminCreateApiKey({ apiKeyCreateRequest: { name: 'x', role: 'moderator' } }),
        403,
        'permission_denied',
        'a moderator creating a key',
    );
    await expectProblem(
        adminApi(server, 'hel_key_not-a-real-key').adminGetAdmin({ id: moderator.id }),
        401,
        'unauthenticated',
        'an unknown API key',
    );
});
