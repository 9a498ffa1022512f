// Live tests for TOTP multi-factor authentication (tag `auth`) against a real helium server
// (see harness.mjs; shared helpers in auth_kit.mjs): setupTotp, enableTotp, and the MFA
// challenge that login / verifyEmailCode answer once TOTP is on. loginMfa is tested in
// auth_mfa_login.test.mjs, disableTotp and regenerateRecoveryCodes in auth_mfa_manage.test.mjs.
// Naming rule (enforced by coverage.test.mjs): every operationId needs a test named
// "<operationId>: ...". Every test uses its own e-mail addresses.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthApi } from '../dist/index.js';
import {
    anon,
    assertChallenge,
    assertChallengeBody,
    assertChallengeLifetime,
    assertRecoveryCodes,
    assertTokenPair,
    Authenticator,
    base32Decode,
    bearer,
    challenge,
    expectProblem,
    expectRefreshDead,
    mailCount,
    PASSWORD,
    signInCode,
    signUp,
    signUpWithMfa,
    useAuthServer,
} from './auth_kit.mjs';

useAuthServer();

// ---------------------------------------------------------------- setupTotp

test('setupTotp: returns a base32 secret and a matching otpauth:// URI; TOTP stays off until enabled', async () => {
    const { email, password, tokens } = await signUp('setup');
    const me = bearer(tokens.accessToken);
    assert.ok(me.auth instanceof AuthApi);

    const raw = await me.auth.setupTotpRaw();
    assert.equal(raw.raw.status, 200);
    assert.match(raw.raw.headers.get('content-type') ?? '', /^application\/json/);
    const body = await raw.raw.clone().json();
    assert.deepEqual(Object.keys(body).sort(), ['otpauth_uri', 'secret']);

    const { secret, otpauthUri } = await raw.value();
    assert.equal(secret, body.secret);
    assert.match(secret, /^[A-Z2-7]+=*$/, `secret should be RFC 4648 base32, got ${secret}`);
    assert.ok(base32Decode(secret).length >= 16, 'the seed should be at least 128 bits (RFC 4226)');

    const uri = new URL(otpauthUri);
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(uri.searchParams.get('secret')?.replace(/=+$/, ''), secret.replace(/=+$/, ''), 'the URI carries the secret');
    assert.ok(decodeURIComponent(uri.pathname).includes(email), `the URI label should name the account: ${otpauthUri}`);
    for (const [param, expected] of [
        ['algorithm', 'SHA1'],
        ['digits', '6'],
        ['period', '30'],
    ]) {
        const value = uri.searchParams.get(param);
        if (value !== null) assert.equal(value.toUpperCase(), expected, `otpauth ${param}`);
    }

    // Setting up alone does not turn MFA on.
    assert.equal((await me.auth.getMe()).mfaEnabled, false);
    const login = await anon().auth.login({ loginRequest: { email, password } });
    assert.equal(login.mfaRequired, false);
    assertTokenPair(login);
});

test('setupTotp: once TOTP is on, setupTotp (409) and enableTotp (409) are mfa_already_enabled', async () => {
    const { tokens, totp } = await signUpWithMfa('setup-again');
    const me = bearer(tokens.accessToken);
    await expectProblem(me.auth.setupTotp(), 409, 'mfa_already_enabled', 'setupTotp with TOTP on');
    await expectProblem(
        me.auth.enableTotp({ totpCodeRequest: { code: await totp.next() } }),
        409,
        'mfa_already_enabled',
        'enableTotp with TOTP on',
    );
    assert.equal((await me.auth.getMe()).mfaEnabled, true);
});

// ---------------------------------------------------------------- enableTotp

test('enableTotp: a current code turns TOTP on and returns ten one-time recovery codes', async () => {
    const { email, account, tokens } = await signUp('enable');
    const me = bearer(tokens.accessToken);
    const { secret } = await me.auth.setupTotp();
    const totp = new Authenticator(secret);

    const raw = await me.auth.enableTotpRaw({ totpCodeRequest: { code: await totp.next() } });
    assert.equal(raw.raw.status, 200);
    const body = await raw.raw.clone().json();
    assert.deepEqual(Object.keys(body), ['recovery_codes']);
    const { recoveryCodes } = await raw.value();
    assertRecoveryCodes(recoveryCodes);
    assert.deepEqual(recoveryCodes, body.recovery_codes);

    const profile = await me.auth.getMe();
    assert.equal(profile.id, account.id);
    assert.equal(profile.mfaEnabled, true, 'GET /me shows mfa_enabled: true');
    const rawMe = await (await me.auth.getMeRaw()).raw.json();
    assert.equal(rawMe.mfa_enabled, true);

    assert.equal(await mailCount(email, 'security_mfa_changed'), 1, 'one security e-mail');
});

test('enableTotp: the other sessions end at once; the current one keeps working', async () => {
    const { email, password, account, tokens: other } = await signUp('enable-sessions');
    const current = await anon().auth.login({ loginRequest: { email, password } });
    for (const tokens of [other, current]) {
        await bearer(tokens.accessToken).auth.getMe(); // warm any session cache
    }
    const me = bearer(current.accessToken);
    const { secret } = await me.auth.setupTotp();
    await me.auth.enableTotp({ totpCodeRequest: { code: await new Authenticator(secret).next() } });

    await expectProblem(bearer(other.accessToken).auth.getMe(), 401, 'unauthenticated', 'getMe (other session) after enabling');
    await expectRefreshDead(other.refreshToken, 'refresh (other session) after enabling');

    assert.equal((await me.auth.getMe()).id, account.id);
    const { items } = await me.auth.listSessions();
    assert.equal(items.length, 1, 'only the current session is left');
    assert.equal(items[0].current, true);
    const rotated = await anon().auth.refreshToken({ refreshRequest: { refreshToken: current.refreshToken } });
    assert.equal((await bearer(rotated.accessToken).auth.getMe()).mfaEnabled, true);
});

test('enableTotp: a wrong code is 403 reauth_failed and TOTP stays off', async () => {
    const { email, password, tokens } = await signUp('enable-wrong');
    const me = bearer(tokens.accessToken);
    const { secret } = await me.auth.setupTotp();
    const totp = new Authenticator(secret);
    await expectProblem(
        me.auth.enableTotp({ totpCodeRequest: { code: totp.wrongCode() } }),
        403,
        'reauth_failed',
        'enableTotp with a wrong code',
    );
    assert.equal((await me.auth.getMe()).mfaEnabled, false);
    const login = await anon().auth.login({ loginRequest: { email, password } });
    assert.equal(login.mfaRequired, false);
    assertTokenPair(login);

    // The pending secret is still usable.
    assertRecoveryCodes((await me.auth.enableTotp({ totpCodeRequest: { code: await totp.next() } })).recoveryCodes);
});

test('enableTotp: without setupTotp first is 409 mfa_setup_required', async () => {
    const { tokens } = await signUp('enable-nosetup');
    const me = bearer(tokens.accessToken);
    await expectProblem(
        me.auth.enableTotp({ totpCodeRequest: { code: '123456' } }),
        409,
        'mfa_setup_required',
        'enableTotp without setup',
    );
    assert.equal((await me.auth.getMe()).mfaEnabled, false);
});

// ---------------------------------------------------------------- login / verifyEmailCode challenge

test('login: returns an MFA challenge when TOTP is on', async () => {
    const { email, password, tokens, recoveryCodes } = await signUpWithMfa('login-mfa');

    const raw = await anon().auth.loginRaw({ loginRequest: { email, password } });
    assert.equal(raw.raw.status, 200);
    assertChallengeBody(await raw.raw.clone().json());
    const result = await raw.value();
    assertChallenge(result);
    assertChallengeLifetime(result.mfaToken);

    const { items } = await bearer(tokens.accessToken).auth.listSessions();
    assert.equal(items.length, 1, 'the challenge opened no session');

    // A wrong password still fails the first step (no challenge).
    await expectProblem(
        anon().auth.login({ loginRequest: { email, password: `${password}-wrong` } }),
        401,
        'invalid_credentials',
        'login with a wrong password and TOTP on',
    );

    assertTokenPair(await anon().auth.loginMfa({ loginMfaRequest: { mfaToken: result.mfaToken, recoveryCode: recoveryCodes[0] } }));
});

test('verifyEmailCode: returns an MFA challenge when TOTP is on', async () => {
    const { email, account, tokens, totp } = await signUpWithMfa('verify-mfa');
    await anon().auth.requestEmailCode({ emailRequest: { email } });
    const code = await signInCode(email);

    const raw = await anon().auth.verifyEmailCodeRaw({ verifyEmailCodeRequest: { email, code } });
    assert.equal(raw.raw.status, 200);
    assertChallengeBody(await raw.raw.clone().json());
    const result = await raw.value();
    assertChallenge(result);

    const { items } = await bearer(tokens.accessToken).auth.listSessions();
    assert.equal(items.length, 1, 'the challenge opened no session');

    const pair = await anon().auth.loginMfa({ loginMfaRequest: { mfaToken: result.mfaToken, code: await totp.next() } });
    assertTokenPair(pair);
    assert.equal((await bearer(pair.accessToken).auth.getMe()).id, account.id);
});

// ---------------------------------------------------------------- error paths

test('auth error path: MFA operations without a bearer token are 401 unauthenticated', async () => {
    const helium = anon();
    const calls = {
        setupTotp: () => helium.auth.setupTotp(),
        enableTotp: () => helium.auth.enableTotp({ totpCodeRequest: { code: '123456' } }),
        disableTotp: () => helium.auth.disableTotp({ disableTotpRequest: { code: '123456', password: PASSWORD } }),
        regenerateRecoveryCodes: () => helium.auth.regenerateRecoveryCodes({ totpCodeRequest: { code: '123456' } }),
    };
    for (const [name, call] of Object.entries(calls)) {
        await expectProblem(call(), 401, 'unauthenticated', `${name} without a token`);
    }
});
