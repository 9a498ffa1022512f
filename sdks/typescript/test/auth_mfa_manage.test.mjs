// Live tests for disableTotp and regenerateRecoveryCodes (TOTP multi-factor authentication,
// tag `auth`) against a real helium server (see harness.mjs; shared helpers in
// auth_kit.mjs). Naming rule (enforced by coverage.test.mjs): every operationId needs a
// test named "<operationId>: ...". Every test uses its own e-mail addresses.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    anon,
    assertChallenge,
    assertRecoveryCodes,
    assertTokenPair,
    Authenticator,
    bearer,
    challenge,
    expectProblem,
    expectRefreshDead,
    expectStatus,
    mailCount,
    signUp,
    signUpWithMfa,
    TOKEN_PAIR_KEYS,
    useAuthServer,
} from './auth_kit.mjs';

useAuthServer();

// ---------------------------------------------------------------- disableTotp

test('disableTotp: password and TOTP code turn TOTP off (204); login then returns tokens directly', async () => {
    const { email, password, account, tokens, totp } = await signUpWithMfa('disable');
    const me = bearer(tokens.accessToken);

    const raw = await me.auth.disableTotpRaw({ disableTotpRequest: { code: await totp.next(), password } });
    assert.equal(raw.raw.status, 204);
    assert.equal(await raw.value(), undefined);

    assert.equal((await me.auth.getMe()).mfaEnabled, false);
    const loginRaw = await anon().auth.loginRaw({ loginRequest: { email, password } });
    const body = await loginRaw.raw.clone().json();
    assert.deepEqual(Object.keys(body).sort(), ['mfa_required', ...TOKEN_PAIR_KEYS].sort());
    assert.equal(body.mfa_required, false);
    const login = await loginRaw.value();
    assert.equal(login.mfaRequired, false);
    assert.equal(login.mfaToken ?? null, null);
    assertTokenPair(login);
    assert.equal((await bearer(login.accessToken).auth.getMe()).id, account.id);

    assert.equal(await mailCount(email, 'security_mfa_changed'), 2, 'security e-mails for enabling and disabling');
    // TOTP can be set up again from scratch.
    const { secret } = await me.auth.setupTotp();
    assertRecoveryCodes((await me.auth.enableTotp({ totpCodeRequest: { code: await new Authenticator(secret).next() } })).recoveryCodes);
});

test('disableTotp: a recovery code works too; the other sessions end at once', async () => {
    const { email, password, account, tokens, recoveryCodes } = await signUpWithMfa('disable-recovery');
    const other = await anon().auth.loginMfa({
        loginMfaRequest: { mfaToken: await challenge(email), recoveryCode: recoveryCodes[0] },
    });
    await bearer(other.accessToken).auth.getMe(); // warm any session cache

    const me = bearer(tokens.accessToken);
    await me.auth.disableTotp({ disableTotpRequest: { recoveryCode: recoveryCodes[1], password } });

    await expectProblem(bearer(other.accessToken).auth.getMe(), 401, 'unauthenticated', 'getMe (other session) after disabling');
    await expectRefreshDead(other.refreshToken, 'refresh (other session) after disabling');
    assert.equal((await me.auth.getMe()).id, account.id, 'the current session keeps working');
    assert.equal((await me.auth.getMe()).mfaEnabled, false);
    assertTokenPair(await anon().auth.login({ loginRequest: { email, password } }));
});

test('disableTotp: a wrong password is 403 reauth_failed and TOTP stays on', async () => {
    const { email, password, tokens, totp } = await signUpWithMfa('disable-wrongpw');
    const me = bearer(tokens.accessToken);
    await expectProblem(
        me.auth.disableTotp({ disableTotpRequest: { code: await totp.next(), password: `${password}-wrong` } }),
        403,
        'reauth_failed',
        'disableTotp with a wrong password',
    );
    assert.equal((await me.auth.getMe()).mfaEnabled, true);
    assertChallenge(await anon().auth.login({ loginRequest: { email, password } }));
});

test('disableTotp: a wrong TOTP or recovery code is 403 reauth_failed and TOTP stays on', async () => {
    const { password, tokens, totp } = await signUpWithMfa('disable-wrongcode');
    const me = bearer(tokens.accessToken);
    await expectProblem(
        me.auth.disableTotp({ disableTotpRequest: { code: totp.wrongCode(), password } }),
        403,
        'reauth_failed',
        'disableTotp with a wrong code',
    );
    await expectProblem(
        me.auth.disableTotp({ disableTotpRequest: { recoveryCode: 'aaaa-bbbb-cccc-dddd', password } }),
        403,
        'reauth_failed',
        'disableTotp with a wrong recovery code',
    );
    assert.equal((await me.auth.getMe()).mfaEnabled, true);
});

test('disableTotp: without TOTP on is 409 mfa_not_enabled', async () => {
    const { password, tokens } = await signUp('disable-off');
    await expectProblem(
        bearer(tokens.accessToken).auth.disableTotp({ disableTotpRequest: { code: '123456', password } }),
        409,
        'mfa_not_enabled',
        'disableTotp without TOTP',
    );
});

// ---------------------------------------------------------------- regenerateRecoveryCodes

test('regenerateRecoveryCodes: ten new codes; the old ones stop working, the new ones work', async () => {
    const { email, tokens, totp, recoveryCodes: old } = await signUpWithMfa('regen');
    const me = bearer(tokens.accessToken);

    const raw = await me.auth.regenerateRecoveryCodesRaw({ totpCodeRequest: { code: await totp.next() } });
    assert.equal(raw.raw.status, 200);
    assert.deepEqual(Object.keys(await raw.raw.clone().json()), ['recovery_codes']);
    const { recoveryCodes: fresh } = await raw.value();
    assertRecoveryCodes(fresh);
    assert.equal(fresh.filter((c) => old.includes(c)).length, 0, 'the new codes should all differ from the old ones');

    const err = await expectStatus(
        anon().auth.loginMfa({ loginMfaRequest: { mfaToken: await challenge(email), recoveryCode: old[0] } }),
        401,
        'an old recovery code after regenerating',
    );
    assert.equal(err.code, 'invalid_code');

    assertTokenPair(await anon().auth.loginMfa({ loginMfaRequest: { mfaToken: await challenge(email), recoveryCode: fresh[0] } }));
    assert.equal((await me.auth.getMe()).mfaEnabled, true);
});

test('regenerateRecoveryCodes: a wrong code is 403 reauth_failed (the old codes keep working); without TOTP 409 mfa_not_enabled', async () => {
    const { email, tokens, totp, recoveryCodes } = await signUpWithMfa('regen-wrong');
    await expectProblem(
        bearer(tokens.accessToken).auth.regenerateRecoveryCodes({ totpCodeRequest: { code: totp.wrongCode() } }),
        403,
        'reauth_failed',
        'regenerateRecoveryCodes with a wrong code',
    );
    assertTokenPair(
        await anon().auth.loginMfa({ loginMfaRequest: { mfaToken: await challenge(email), recoveryCode: recoveryCodes[0] } }),
    );

    const plain = await signUp('regen-off');
    await expectProblem(
        bearer(plain.tokens.accessToken).auth.regenerateRecoveryCodes({ totpCodeRequest: { code: '123456' } }),
        409,
        'mfa_not_enabled',
        'regenerateRecoveryCodes without TOTP',
    );
});

// ---------------------------------------------------------------- second-factor throttling

test('regenerateRecoveryCodes: wrong codes at loginMfa, disableTotp and regenerateRecoveryCodes share one limit of five per account (then 429 too_many_attempts)', async () => {
    const { email, password, tokens, totp } = await signUpWithMfa('throttle-shared');
    const me = bearer(tokens.accessToken);
    const mfaToken = await challenge(email);
    for (let i = 1; i <= 2; i++) {
        await expectProblem(
            anon().auth.loginMfa({ loginMfaRequest: { mfaToken, code: totp.wrongCode() } }),
            401,
            'invalid_code',
            `loginMfa wrong code #${i}`,
        );
    }
    for (let i = 1; i <= 2; i++) {
        await expectProblem(
            me.auth.regenerateRecoveryCodes({ totpCodeRequest: { code: totp.wrongCode() } }),
            403,
            'reauth_failed',
            `regenerateRecoveryCodes wrong code #${i}`,
        );
    }
    await expectProblem(
        me.auth.disableTotp({ disableTotpRequest: { code: totp.wrongCode(), password } }),
        403,
        'reauth_failed',
        'disableTotp wrong code (fifth failure)',
    );

    const code = await totp.next();
    for (const [what, call] of [
        ['regenerateRecoveryCodes', () => me.auth.regenerateRecoveryCodes({ totpCodeRequest: { code } })],
        ['disableTotp', () => me.auth.disableTotp({ disableTotpRequest: { code, password } })],
        ['loginMfa', () => anon().auth.loginMfa({ loginMfaRequest: { mfaToken, code } })],
    ]) {
        const err = await expectProblem(call(), 429, 'too_many_attempts', `${what} with the right code (5 failures)`);
        assert.ok(err.retryAfter >= 1 && err.retryAfter <= 900, `${what}: Retry-After 1..900 s, got ${err.retryAfter}`);
    }
    assert.equal((await me.auth.getMe()).mfaEnabled, true, 'TOTP stays on');
});
