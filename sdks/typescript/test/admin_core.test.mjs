// Staff sign-in and self-service basics: setup link, login, logout, profile, role table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    ADMIN_PASSWORD,
    adminAnon,
    adminApi,
    bootstrapAdmin,
    expectProblem,
    runCli,
    uniqueAdminEmail,
    useAdminServer,
} from './admin_kit.mjs';

const server = useAdminServer();

test('adminCompleteSetup: the CLI setup link sets the password once', async () => {
    const email = uniqueAdminEmail('setup');
    const out = await runCli(server, ['admin', 'create', '--name', 'Setup Test', '--role', 'moderator', '--email', email]);
    const token = out.match(/[?&]token=([^\s&]+)/)?.[1];
    assert.ok(token, out);
    const anon = adminAnon(server);
    await expectProblem(
        anon.adminCompleteSetup({ adminSetupRequest: { token, password: 'short' } }),
        422,
        'validation_failed',
        'a too-short password',
    );
    await anon.adminCompleteSetup({ adminSetupRequest: { token, password: ADMIN_PASSWORD } });
    await expectProblem(
        anon.adminCompleteSetup({ adminSetupRequest: { token, password: ADMIN_PASSWORD } }),
        410,
        'link_invalid',
        'a used link',
    );
    const result = await anon.adminLogin({ adminLoginRequest: { email, password: ADMIN_PASSWORD } });
    assert.equal(result.mfaRequired, false);
});

test('adminLogin: a staff token for the right password, invalid_credentials otherwise', async () => {
    const admin = await bootstrapAdmin(server, { role: 'customer_support' });
    const anon = adminAnon(server);
    const ok = await anon.adminLogin({ adminLoginRequest: { email: admin.email, password: ADMIN_PASSWORD } });
    assert.equal(ok.tokenType, 'Bearer');
    assert.ok(ok.expiresIn > 0);
    assert.equal(ok.accessToken.split('.').length, 3);
    await expectProblem(
        anon.adminLogin({ adminLoginRequest: { email: admin.email, password: 'wrong password here' } }),
        401,
        'invalid_credentials',
    );
    await expectProblem(
        anon.adminLogin({ adminLoginRequest: { email: uniqueAdminEmail('nobody'), password: ADMIN_PASSWORD } }),
        401,
        'invalid_credentials',
    );
});

test('adminGetMe: profile with the role and its permissions, never a hash', async () => {
    const admin = await bootstrapAdmin(server, { role: 'support_bot', name: 'Helpful Bot' });
    const me = await adminApi(server, admin.accessToken).adminGetMe();
    assert.equal(me.id, admin.id);
    assert.equal(me.email, admin.email);
    assert.equal(me.name, 'Helpful Bot');
    assert.equal(me.role, 'support_bot');
    assert.equal(me.mfaEnabled, false);
    assert.equal(me.passwordSet, true);
    assert.ok(me.permissions.includes('customers.read'));
    assert.ok(!me.permissions.includes('customers.ban'));
    assert.ok(!JSON.stringify(me).includes('argon2'));
});

test('adminListRoles: the role table the server enforces', async () => {
    const admin = await bootstrapAdmin(server, { role: 'moderator' });
    const matrix = await adminApi(server, admin.accessToken).adminListRoles();
    const byRole = Object.fromEntries(matrix.roles.map((r) => [r.role, new Set(r.permissions)]));
    assert.deepEqual(Object.keys(byRole).sort(), ['customer_support', 'moderator', 'super_admin', 'support_bot']);
    assert.ok(byRole.super_admin.has('admins.manage'));
    assert.ok(!byRole.moderator.has('admins.manage'));
    assert.ok(byRole.customer_support.has('customers.ban'));
    assert.ok(!byRole.support_bot.has('customers.ban'));
    for (const p of matrix.humanOnly) assert.ok(byRole.super_admin.has(p), p);
});

test('adminLogout: the token stops working at once', async () => {
    const admin = await bootstrapAdmin(server, { role: 'moderator' });
    const api = adminApi(server, admin.accessToken);
    await api.adminLogout();
    await expectProblem(api.adminGetMe(), 401, 'unauthenticated', 'a signed-out token');
});

test('admin error path: no credentials, a customer-shaped token and a forged one are 401 problems', async () => {
    await expectProblem(adminAnon(server).adminGetMe(), 401, 'unauthenticated');
    await expectProblem(adminApi(server, 'not-a-token').adminListRoles(), 401, 'unauthenticated');
    const admin = await bootstrapAdmin(server, { role: 'super_admin' });
    const [h, p] = admin.accessToken.split('.');
    await expectProblem(adminApi(server, `${h}.${p}.forged`).adminGetMe(), 401, 'unauthenticated');
});
