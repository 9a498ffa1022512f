// Live tests for loginMfa, the second sign-in step of TOTP multi-factor authentication
// (tag `auth`), against a real helium server (see harness.mjs; shared helpers in
// auth_kit.mjs). Naming rule (enforced by coverage.test.mjs): every operationId needs a
// test named "<operationId>: ...". Every test uses its own e-mail addresses.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
    anon,
    assertChallengeLifetime,
    assertTokenPair,
    bearer,
    challenge,
    expectProblem,
    expectStatus,
    signUpWithMfa,
    TOKEN_PAIR_KEYS,
    useAuthServer,
} from './auth_kit.mjs';

useAuthServer();

// ---------------------------------------------------------------- loginMfa

test('loginMfa: the mfa_token and a TOTP code complete the sign-in (200 TokenPair, new session)', async () => {
    const { email, password, account, tokens, totp } = await signUpWithMfa('loginmfa');
    const mfaToken = await challenge(email, password);

    const raw = await anon().auth.loginMfaRaw({ loginMfaRequest: { mfaToken, code: await totp.next() } });
    assert.equal(raw.raw.status, 200);
    const body = await raw.raw.clone().json();
    assert.deepEqual(Object.keys(body).sort(), TOKEN_PAIR_KEYS);
    const pair = await raw.value();
    assertTokenPair(pair);

    const me = bearer(pair.accessToken);
    assert.equal((await me.auth.getMe()).id, account.id);
    const { items } = await me.auth.listSessions();
    assert.equal(items.length, 2, 'the enabling session and the MFA sign-in');
    assert.equal((await bearer(tokens.accessToken).auth.getMe()).id, account.id, 'the enabling session is untouched');
    const rotated = await anon().auth.refreshToken({ refreshRequest: { refreshToken: pair.refreshToken } });
    assertTokenPair(rotated);
});

test('loginMfa: a recovery code completes the sign-in once; its second use is 401', async () => {
    const { email, account, recoveryCodes } = await signUpWithMfa('loginmfa-recovery');
    const [code] = recoveryCodes;

    const pair = await anon().auth.loginMfa({ loginMfaRequest: { mfaToken: await challenge(email), recoveryCode: code } });
    assertTokenPair(pair);
    assert.equal((await bearer(pair.accessToken).auth.getMe()).id, account.id);

    const err = await expectStatus(
        anon().auth.loginMfa({ loginMfaRequest: { mfaToken: await challenge(email), recoveryCode: code } }),
        401,
        'second use of a recovery code',
    );
    assert.ok(
        ['invalid_code', 'code_already_used'].includes(err.code),
        `a spent recovery code: expected invalid_code or code_already_used, got ${err.code}`,
    );

    // Another of the codes still works.
    assertTokenPair(
        await anon().auth.loginMfa({ loginMfaRequest: { mfaToken: await challenge(email), recoveryCode: recoveryCodes[1] } }),
    );
});

test('loginMfa: a replayed TOTP code is 401 code_already_used (also the code used to enable)', async () => {
    // Codes of the current step or later (not the previous one), so that each stays inside the
    // accepted window for at least 30 s after its use: a replay outside the window would be a
    // plain invalid_code.
    const { email, totp } = await signUpWithMfa('loginmfa-replay', { earliest: 'current' });
    const enableCode = totp.lastCode;
    await expectProblem(
        anon().auth.loginMfa({ loginMfaRequest: { mfaToken: await challenge(email), code: enableCode } }),
        401,
        'code_already_used',
        'loginMfa with the code that enabled TOTP',
    );

    const mfaToken = await challenge(email);
    const code = await totp.next({ earliest: 'current' });
    assertTokenPair(await anon().auth.loginMfa({ loginMfaRequest: { mfaToken, code } }));
    await expectProblem(
        anon().auth.loginMfa({ loginMfaRequest: { mfaToken: await challenge(email), code } }),
        401,
        'code_already_used',
        'loginMfa replaying a TOTP code',
    );
});

test('loginMfa: a wrong TOTP code is 401 invalid_code; the mfa_token still works after it', async () => {
    const { email, totp } = await signUpWithMfa('loginmfa-wrong');
    const mfaToken = await challenge(email);
    await expectProblem(
        anon().auth.loginMfa({ loginMfaRequest: { mfaToken, code: totp.wrongCode() } }),
        401,
        'invalid_code',
        'loginMfa with a wrong code',
    );
    await expectProblem(
        anon().auth.loginMfa({ loginMfaRequest: { mfaToken, recoveryCode: 'aaaa-bbbb-cccc-dddd' } }),
        401,
        'invalid_code',
        'loginMfa with a wrong recovery code',
    );
    assertTokenPair(await anon().auth.loginMfa({ loginMfaRequest: { mfaToken, code: await totp.next() } }));
});

test('loginMfa: an invalid mfa_token is 401 mfa_token_invalid', async () => {
    const { tokens, totp } = await signUpWithMfa('loginmfa-badtoken');
    const code = await totp.next();
    for (const [why, mfaToken] of Object.entries({
        garbage: randomBytes(24).toString('base64url'),
        'a malformed JWT': 'not.a.jwt',
        'an access token': tokens.accessToken,
        'a refresh token': tokens.refreshToken,
    })) {
        await expectProblem(
            anon().auth.loginMfa({ loginMfaRequest: { mfaToken, code } }),
            401,
            'mfa_token_invalid',
            `loginMfa with ${why} as mfa_token`,
        );
    }
});

test('loginMfa: the mfa_token is refused as a bearer token (401); no session exists before the second step', async () => {
    const { email, tokens } = await signUpWithMfa('loginmfa-bearer');
    const mfaToken = await challenge(email);
    assertChallengeLifetime(mfaToken);
    const asChallenge = bearer(mfaToken);
    await expectProblem(asChallenge.auth.getMe(), 401, 'unauthenticated', 'getMe with an mfa_token');
    await expectProblem(asChallenge.auth.listSessions(), 401, 'unauthenticated', 'listSessions with an mfa_token');
    await expectProblem(asChallenge.auth.setupTotp(), 401, 'unauthenticated', 'setupTotp with an mfa_token');
    const { items } = await bearer(tokens.accessToken).auth.listSessions();
    assert.equal(items.length, 1, 'the challenge opened no session');
});

test('loginMfa: exactly one of code and recovery_code is required (422 validation_failed)', async () => {
    const { email, totp, recoveryCodes } = await signUpWithMfa('loginmfa-422');
    const mfaToken = await challenge(email);
    await expectProblem(
        anon().auth.loginMfa({ loginMfaRequest: { mfaToken } }),
        422,
        'validation_failed',
        'loginMfa with neither code nor recovery_code',
    );
    await expectProblem(
        anon().auth.loginMfa({ loginMfaRequest: { mfaToken, code: await totp.next(), recoveryCode: recoveryCodes[0] } }),
        422,
        'validation_failed',
        'loginMfa with both code and recovery_code',
    );
});

// ---------------------------------------------------------------- loginMfa: failure throttling

/** loginMfa with `factor` ({code} or {recoveryCode}) for a fresh challenge of `email`. */
async function loginMfaWith(email, factor) {
    return anon().auth.loginMfa({ loginMfaRequest: { mfaToken: await challenge(email), ...factor } });
}

test('loginMfa: after five wrong codes within 15 min the next check is 429 too_many_attempts with Retry-After, even with the right code', async () => {
    const { email, totp, recoveryCodes } = await signUpWithMfa('loginmfa-throttle');
    const mfaToken = await challenge(email);
    for (let i = 1; i <= 5; i++) {
        await expectProblem(
            anon().auth.loginMfa({ loginMfaRequest: { mfaToken, code: totp.wrongCode() } }),
            401,
            'invalid_code',
            `wrong code #${i}`,
        );
    }
    // The right, unused code: throttled checks do not get to verify (or spend) it.
    const right = await totp.next();
    const err = await expectProblem(
        anon().auth.loginMfa({ loginMfaRequest: { mfaToken, code: right } }),
        429,
        'too_many_attempts',
        'the right code after five wrong ones',
    );
    assert.equal(typeof err.retryAfter, 'number', 'a Retry-After header should be sent');
    assert.ok(err.retryAfter >= 1 && err.retryAfter <= 900, `Retry-After should be 1..900 s, got ${err.retryAfter}`);
    // The limit is per account: a new challenge and a recovery code are throttled as well.
    await expectProblem(loginMfaWith(email, { code: right }), 429, 'too_many_attempts', 'a fresh challenge');
    await expectProblem(
        loginMfaWith(email, { recoveryCode: recoveryCodes[0] }),
        429,
        'too_many_attempts',
        'a recovery code while throttled',
    );
});

test('loginMfa: a successful second step resets the failure count', async () => {
    const { email, totp } = await signUpWithMfa('loginmfa-throttle-reset');
    const wrong = (mfaToken, i) =>
        expectProblem(
            anon().auth.loginMfa({ loginMfaRequest: { mfaToken, code: totp.wrongCode() } }),
            401,
            'invalid_code',
            `wrong code #${i}`,
        );
    const first = await challenge(email);
    for (let i = 1; i <= 4; i++) await wrong(first, i);
    assertTokenPair(await anon().auth.loginMfa({ loginMfaRequest: { mfaToken: first, code: await totp.next() } }));
    // Five more wrong codes are each checked (401), only the sixth check is throttled.
    const second = await challenge(email);
    for (let i = 1; i <= 5; i++) await wrong(second, `${i} after the success`);
    await expectProblem(
        anon().auth.loginMfa({ loginMfaRequest: { mfaToken: second, code: totp.wrongCode() } }),
        429,
        'too_many_attempts',
        'sixth wrong code after the success',
    );
});
