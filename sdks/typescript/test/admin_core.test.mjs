// Staff sign-in and self-service basics: setup link, login (15-minute access tokens with a
// rotating refresh token), refresh, logout, profile, role table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    ADMIN_PASSWORD,
    adminAnon,
    adminApi,
    adminChallenge,
    adminSession,
    bootstrapAdmin,
    bootstrapAdminWithMfa,
    expectProblem,
    expectStatus,
    runCli,
    uniqueAdminEmail,
    useAdminServer,
} from './admin_kit.mjs';

/** Staff access tokens live 15 minutes. */
const STAFF_ACCESS_SECS = 900;

/** Seconds between `iat` and `exp` of a JWT. */
function lifetime(jwt) {
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
    return claims.exp - claims.iat;
}

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
    assert.equal(ok.expiresIn, STAFF_ACCESS_SECS, 'a staff access token lasts 15 minutes');
    assert.equal(ok.accessToken.split('.').length, 3);
    assert.equal(lifetime(ok.accessToken), STAFF_ACCESS_SECS);
    assert.match(ok.refreshToken ?? '', /^[A-Za-z0-9_-]{43,}$/, 'an opaque refresh token of at least 256 bits');
    assert.equal(ok.mfaToken ?? null, null);
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

test('adminRefreshToken: rotates the refresh token for a new 15-minute access token; a replayed one ends the session', async () => {
    const admin = await bootstrapAdmin(server, { role: 'customer_support' });
    const anon = adminAnon(server);
    const next = await anon.adminRefreshToken({ adminRefreshRequest: { refreshToken: admin.refreshToken } });
    assert.equal(next.mfaRequired, false);
    assert.equal(next.tokenType, 'Bearer');
    assert.equal(next.expiresIn, STAFF_ACCESS_SECS);
    assert.equal(lifetime(next.accessToken), STAFF_ACCESS_SECS);
    assert.notEqual(next.accessToken, admin.accessToken);
    assert.equal(typeof next.refreshToken, 'string');
    assert.notEqual(next.refreshToken, admin.refreshToken, 'the refresh token rotates');
    assert.equal((await adminApi(server, next.accessToken).adminGetMe()).id, admin.id);
    assert.equal((await adminApi(server, admin.accessToken).adminGetMe()).id, admin.id, 'the same session');

    // Replaying the rotated token revokes the session: every token of it stops at once.
    await expectProblem(
        anon.adminRefreshToken({ adminRefreshRequest: { refreshToken: admin.refreshToken } }),
        401,
        'refresh_token_reused',
        'a rotated refresh token presented again',
    );
    await expectProblem(adminApi(server, next.accessToken).adminGetMe(), 401, 'unauthenticated', 'the newest access token');
    await expectProblem(adminApi(server, admin.accessToken).adminGetMe(), 401, 'unauthenticated', 'the first access token');
    await expectStatus(
        anon.adminRefreshToken({ adminRefreshRequest: { refreshToken: next.refreshToken } }),
        401,
        'the newest refresh token of the revoked session',
    );

    // Other sessions of the account are not touched; unknown tokens are refused.
    const other = await adminSession(server, admin.email);
    assert.equal((await adminApi(server, other.accessToken).adminGetMe()).id, admin.id);
    await expectProblem(
        anon.adminRefreshToken({ adminRefreshRequest: { refreshToken: 'not-a-refresh-token' } }),
        401,
        'refresh_token_invalid',
    );
    // An empty refresh token is a validation error, not a lookup.
    await expectProblem(anon.adminRefreshToken({ adminRefreshRequest: { refreshToken: '' } }), 422, 'validation_failed');
});

test('adminRefreshToken: the MFA sign-in has a refresh token too; a signed-out session cannot refresh', async () => {
    const admin = await bootstrapAdminWithMfa(server, { role: 'moderator' });
    const signedIn = await adminAnon(server).adminLoginMfa({
        loginMfaRequest: { mfaToken: await adminChallenge(server, admin.email), recoveryCode: admin.recoveryCodes[0] },
    });
    assert.equal(signedIn.expiresIn, STAFF_ACCESS_SECS);
    assert.equal(typeof signedIn.refreshToken, 'string');
    const rotated = await adminAnon(server).adminRefreshToken({
        adminRefreshRequest: { refreshToken: signedIn.refreshToken },
    });
    assert.equal((await adminApi(server, rotated.accessToken).adminGetMe()).id, admin.id);
    await adminApi(server, rotated.accessToken).adminLogout();
    await expectStatus(
        adminAnon(server).adminRefreshToken({ adminRefreshRequest: { refreshToken: rotated.refreshToken } }),
        401,
        'refresh after adminLogout',
    );
});

test('adminLogout: the token stops working at once', async () => {
    const admin = await bootstrapAdmin(server, { role: 'moderator' });
    const api = adminApi(server, admin.accessToken);
    await api.adminLogout();
    await expectProblem(api.adminGetMe(), 401, 'unauthenticated', 'a signed-out token');
    await expectStatus(
        adminAnon(server).adminRefreshToken({ adminRefreshRequest: { refreshToken: admin.refreshToken } }),
        401,
        'its refresh token',
    );
});

test('admin error path: no credentials, a customer-shaped token and a forged one are 401 problems', async () => {
    await expectProblem(adminAnon(server).adminGetMe(), 401, 'unauthenticated');
    await expectProblem(adminApi(server, 'not-a-token').adminListRoles(), 401, 'unauthenticated');
    const admin = await bootstrapAdmin(server, { role: 'super_admin' });
    const [h, p] = admin.accessToken.split('.');
    await expectProblem(adminApi(server, `${h}.${p}.forged`).adminGetMe(), 401, 'unauthenticated');
});
