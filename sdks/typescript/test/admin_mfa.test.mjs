// Staff TOTP MFA and self-service writes through the generated AdminApi against a real server:
// setup/enable/disable, the second sign-in step with TOTP and recovery codes (each once),
// recovery-code regeneration, password change and profile edits.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
    ADMIN_PASSWORD,
    Authenticator,
    assertRecoveryCodes,
    adminAnon,
    adminApi,
    adminChallenge,
    adminSignIn,
    bootstrapAdmin,
    bootstrapAdminWithMfa,
    expectProblem,
    useAdminServer,
} from './admin_kit.mjs';

const server = useAdminServer();

function assertStaffToken(result) {
    assert.equal(result.mfaRequired, false);
    assert.equal(typeof result.accessToken, 'string');
    assert.equal(result.tokenType, 'Bearer');
    assert.equal(result.expiresIn, 900, 'a staff access token lasts 15 minutes');
    assert.equal(typeof result.refreshToken, 'string', 'with the session refresh token');
    assert.equal(result.mfaToken ?? null, null);
}

test('adminSetupTotp: a base32 secret and otpauth URI; writes need TOTP until it is on', async () => {
    const admin = await bootstrapAdmin(server, { role: 'super_admin' });
    const api = adminApi(server, admin.accessToken);
    if (typeof api.adminUpdateAdmin === 'function') {
        await expectProblem(
            api.adminUpdateAdmin({ id: admin.id, adminUpdateRequest: { name: 'Renamed' } }),
            403,
            'mfa_required',
            'a SuperAdmin write before TOTP',
        );
    }
    const setup = await api.adminSetupTotp();
    assert.match(setup.secret, /^[A-Z2-7]{32}$/);
    assert.ok(setup.otpauthUri.startsWith('otpauth://totp/'), setup.otpauthUri);
    assert.ok(setup.otpauthUri.includes(`secret=${setup.secret}`), setup.otpauthUri);
    const again = await api.adminSetupTotp();
    assert.notEqual(again.secret, setup.secret, 'a new setup replaces the pending seed');
    assert.equal((await api.adminGetMe()).mfaEnabled, false, 'setup alone does not turn MFA on');
    const stored = await server.sql(`SELECT secret FROM staff.totp WHERE admin_id = '${admin.id}'`);
    assert.ok(stored.startsWith('v1.') && !stored.includes(again.secret), 'the seed is sealed at rest');
    await expectProblem(adminAnon(server).adminSetupTotp(), 401, 'unauthenticated', 'setup without a token');
});

test('adminEnableTotp: a first code turns TOTP on, returns ten recovery codes, ends other sessions', async () => {
    const admin = await bootstrapAdmin(server, { role: 'moderator' });
    const other = await adminSignIn(server, admin.email);
    const api = adminApi(server, admin.accessToken);
    await expectProblem(
        api.adminEnableTotp({ totpCodeRequest: { code: '123456' } }),
        409,
        'mfa_setup_required',
        'enable before setup',
    );
    const { secret } = await api.adminSetupTotp();
    const totp = new Authenticator(secret);
    await expectProblem(
        api.adminEnableTotp({ totpCodeRequest: { code: totp.wrongCode() } }),
        403,
        'reauth_failed',
        'enable with a wrong code',
    );
    const { recoveryCodes } = await api.adminEnableTotp({ totpCodeRequest: { code: await totp.next() } });
    assertRecoveryCodes(recoveryCodes);
    const me = await api.adminGetMe();
    assert.equal(me.mfaEnabled, true);
    await expectProblem(adminApi(server, other).adminGetMe(), 401, 'unauthenticated', 'the other session');
    await expectProblem(
        api.adminEnableTotp({ totpCodeRequest: { code: await totp.next() } }),
        409,
        'mfa_already_enabled',
        'enable twice',
    );
    const audit = await server.sql(
        `SELECT count(*) FROM staff.audit_log WHERE action = 'admin.mfa_enable' AND target_id = '${admin.id}'`,
    );
    assert.equal(audit, '1', 'one audit row');
});

test('adminLoginMfa: TOTP and recovery codes complete the sign-in, each only once', async () => {
    const admin = await bootstrapAdminWithMfa(server, { role: 'customer_support' });
    const code = await admin.totp.next({ earliest: 'current' });
    const signedIn = await adminAnon(server).adminLoginMfa({
        loginMfaRequest: { mfaToken: await adminChallenge(server, admin.email), code },
    });
    assertStaffToken(signedIn);
    assert.equal((await adminApi(server, signedIn.accessToken).adminGetMe()).id, admin.id);
    await expectProblem(
        adminAnon(server).adminLoginMfa({ loginMfaRequest: { mfaToken: await adminChallenge(server, admin.email), code } }),
        401,
        'code_already_used',
        'a replayed code',
    );
    const recoveryCode = admin.recoveryCodes[0];
    const byRecovery = await adminAnon(server).adminLoginMfa({
        loginMfaRequest: { mfaToken: await adminChallenge(server, admin.email), recoveryCode: recoveryCode.toUpperCase() },
    });
    assertStaffToken(byRecovery);
    await expectProblem(
        adminAnon(server).adminLoginMfa({
            loginMfaRequest: { mfaToken: await adminChallenge(server, admin.email), recoveryCode },
        }),
        401,
        'invalid_code',
        'a spent recovery code',
    );
    await expectProblem(
        adminAnon(server).adminLoginMfa({ loginMfaRequest: { mfaToken: signedIn.accessToken, code: '123456' } }),
        401,
        'mfa_token_invalid',
        'a staff token as mfa_token',
    );
    await expectProblem(
        adminAnon(server).adminLoginMfa({ loginMfaRequest: { mfaToken: await adminChallenge(server, admin.email) } }),
        422,
        'validation_failed',
        'neither code nor recovery_code',
    );
});

test('adminRegenerateRecoveryCodes: new codes after a TOTP code; the old ones stop working', async () => {
    const admin = await bootstrapAdminWithMfa(server, { role: 'super_admin' });
    const api = adminApi(server, admin.accessToken);
    await expectProblem(
        api.adminRegenerateRecoveryCodes({ totpCodeRequest: { code: admin.totp.wrongCode() } }),
        403,
        'reauth_failed',
        'regenerate with a wrong code',
    );
    const { recoveryCodes } = await api.adminRegenerateRecoveryCodes({
        totpCodeRequest: { code: await admin.totp.next() },
    });
    assertRecoveryCodes(recoveryCodes);
    assert.equal(recoveryCodes.filter((c) => admin.recoveryCodes.includes(c)).length, 0);
    await expectProblem(
        adminAnon(server).adminLoginMfa({
            loginMfaRequest: { mfaToken: await adminChallenge(server, admin.email), recoveryCode: admin.recoveryCodes[1] },
        }),
        401,
        'invalid_code',
        'an old recovery code',
    );
    assertStaffToken(
        await adminAnon(server).adminLoginMfa({
            loginMfaRequest: { mfaToken: await adminChallenge(server, admin.email), recoveryCode: recoveryCodes[0] },
        }),
    );
});

test('adminDisableTotp: password plus a code turns TOTP off; sign-in is one step again', async () => {
    const admin = await bootstrapAdminWithMfa(server, { role: 'moderator' });
    const api = adminApi(server, admin.accessToken);
    await expectProblem(
        api.adminDisableTotp({ disableTotpRequest: { recoveryCode: admin.recoveryCodes[0], password: 'wrong-password' } }),
        403,
        'reauth_failed',
        'disable with a wrong password',
    );
    await api.adminDisableTotp({ disableTotpRequest: { recoveryCode: admin.recoveryCodes[1], password: ADMIN_PASSWORD } });
    assert.equal((await api.adminGetMe()).mfaEnabled, false);
    await adminSignIn(server, admin.email);
    await expectProblem(
        api.adminDisableTotp({ disableTotpRequest: { code: '123456', password: ADMIN_PASSWORD } }),
        409,
        'mfa_not_enabled',
        'disable twice',
    );
    assert.equal(await server.sql(`SELECT count(*) FROM staff.recovery_codes WHERE admin_id = '${admin.id}'`), '0');
});

test('adminChangePassword: the current password is required; other sessions end', async () => {
    const admin = await bootstrapAdmin(server, { role: 'customer_support' });
    const other = await adminSignIn(server, admin.email);
    const api = adminApi(server, admin.accessToken);
    const newPassword = 'Another-Staff-Passphrase-77';
    await expectProblem(
        api.adminChangePassword({ changePasswordRequest: { currentPassword: 'not-it', newPassword } }),
        403,
        'reauth_failed',
        'a wrong current password',
    );
    await expectProblem(
        api.adminChangePassword({ changePasswordRequest: { currentPassword: ADMIN_PASSWORD, newPassword: 'short' } }),
        422,
        'validation_failed',
        'a weak new password',
    );
    await api.adminChangePassword({ changePasswordRequest: { currentPassword: ADMIN_PASSWORD, newPassword } });
    await expectProblem(adminApi(server, other).adminGetMe(), 401, 'unauthenticated', 'the other session');
    assert.equal((await api.adminGetMe()).id, admin.id, 'this session survives');
    await expectProblem(
        adminAnon(server).adminLogin({ adminLoginRequest: { email: admin.email, password: ADMIN_PASSWORD } }),
        401,
        'invalid_credentials',
        'the old password',
    );
    await adminSignIn(server, admin.email, newPassword);
});

test('adminUpdateMe: name and avatar change (null clears the avatar); nothing else can', async () => {
    const admin = await bootstrapAdmin(server, { role: 'support_bot' });
    const api = adminApi(server, admin.accessToken);
    const avatar = 'https://cdn.example.test/avatars/a.png';
    const me = await api.adminUpdateMe({ adminUpdateMeRequest: { name: '  Grace  ', avatarUrl: avatar } });
    assert.equal(me.id, admin.id);
    assert.equal(me.name, 'Grace');
    assert.equal(me.avatarUrl, avatar);
    assert.equal(me.role, 'support_bot');
    assert.ok(Array.isArray(me.permissions) && me.permissions.includes('self'));
    const cleared = await api.adminUpdateMe({ adminUpdateMeRequest: { avatarUrl: null } });
    assert.equal(cleared.avatarUrl ?? null, null);
    assert.equal(cleared.name, 'Grace');
    await expectProblem(
        api.adminUpdateMe({ adminUpdateMeRequest: { avatarUrl: 'javascript:alert(1)' } }),
        422,
        'validation_failed',
        'a non-http avatar',
    );
    await expectProblem(
        api.adminUpdateMe({ adminUpdateMeRequest: { name: ' ' } }),
        422,
        'validation_failed',
        'a blank name',
    );
    const res = await fetch(`${server.url}/api/v1/admin/me`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${admin.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'super_admin' }),
    });
    assert.equal(res.status, 422, 'role is not a field of adminUpdateMe');
    assert.equal((await res.json()).code, 'validation_failed');
    assert.equal((await api.adminGetMe()).role, 'support_bot');
    const audit = await server.sql(
        `SELECT count(*) FROM staff.audit_log WHERE action = 'admin.update_me' AND target_id = '${admin.id}'`,
    );
    assert.equal(audit, '2', 'one audit row per change');
});
