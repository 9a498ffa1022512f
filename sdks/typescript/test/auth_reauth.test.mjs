// Live tests for re-authentication ("sudo mode", tag `auth`): reauthenticate and
// sendReauthCode against a real helium server (see harness.mjs; shared helpers in
// auth_kit.mjs). A proof is a short-lived token for one session, sent as X-Reauth-Token with
// the sign-in method changes (setPassword, removeLoginMethod, linkOauthMethod; those are
// tested in auth_oauth.test.mjs). Removing the e-mail code method is the change used here.
// Naming rule (enforced by coverage.test.mjs): every operationId needs a test named
// "<operationId>: ...". Every test uses its own e-mail addresses.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    anon,
    bearer,
    expectProblem,
    mailCount,
    PASSWORD,
    signInCode,
    signUp,
    signUpWithMfa,
    useAuthServer,
} from './auth_kit.mjs';
import { randomClientAddress } from './harness.mjs';

useAuthServer();

/** A proof must be a short-lived token: if it is a JWT, it lives the documented 300 s. */
function assertProofLifetime(proof) {
    const parts = proof.split('.');
    if (parts.length !== 3) return;
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    assert.equal(claims.exp - claims.iat, 300, 'a proof lives 300 s');
}

/** removeLoginMethod('email_code') with `xReauthToken`, the change these tests guard with. */
function removeEmailCode(accessToken, xReauthToken) {
    return bearer(accessToken).auth.removeLoginMethod({ id: 'email_code', xReauthToken });
}

async function methodIds(accessToken) {
    return (await bearer(accessToken).auth.listLoginMethods()).items.map((m) => m.id);
}

// ---------------------------------------------------------------- reauthenticate

test('reauthenticate: the current password gives a 5-minute proof for this session (200 {reauth_token, expires_in}) that a sensitive change accepts', async () => {
    const { tokens } = await signUp('reauth-pw');
    const me = bearer(tokens.accessToken);
    await expectProblem(
        removeEmailCode(tokens.accessToken, ''),
        403,
        'reauth_required',
        'a sensitive change without a proof',
    );

    const raw = await me.auth.reauthenticateRaw({ reauthRequest: { password: PASSWORD } });
    assert.equal(raw.raw.status, 200);
    const body = await raw.raw.clone().json();
    assert.deepEqual(Object.keys(body).sort(), ['expires_in', 'reauth_token']);
    assert.equal(body.expires_in, 300);
    const { reauthToken, expiresIn } = await raw.value();
    assert.equal(expiresIn, 300);
    assert.equal(reauthToken, body.reauth_token);
    assert.notEqual(reauthToken, tokens.accessToken);
    assertProofLifetime(reauthToken);
    await expectProblem(bearer(reauthToken).auth.getMe(), 401, 'unauthenticated', 'a proof used as an access token');

    const removed = await bearer(tokens.accessToken).auth.removeLoginMethodRaw({ id: 'email_code', xReauthToken: reauthToken });
    assert.equal(removed.raw.status, 204);
    assert.deepEqual(await methodIds(tokens.accessToken), ['password']);
});

test('reauthenticate: a wrong password is 403 reauth_failed; a proof works only in its own session, and signing in is no proof (403 reauth_required)', async () => {
    const { email, tokens } = await signUp('reauth-session');
    const other = await anon().auth.login({ loginRequest: { email, password: PASSWORD } });
    await expectProblem(
        bearer(tokens.accessToken).auth.reauthenticate({ reauthRequest: { password: `${PASSWORD}-wrong` } }),
        403,
        'reauth_failed',
        'reauthenticate with a wrong password',
    );
    const { reauthToken } = await bearer(tokens.accessToken).auth.reauthenticate({ reauthRequest: { password: PASSWORD } });
    for (const [why, proof] of Object.entries({
        "the first session's proof": reauthToken,
        'the access token of the fresh sign-in': other.accessToken,
        "the first session's access token": tokens.accessToken,
    })) {
        await expectProblem(removeEmailCode(other.accessToken, proof), 403, 'reauth_required', `second session with ${why}`);
    }
    assert.deepEqual(await methodIds(tokens.accessToken), ['password', 'email_code'], 'nothing removed');
});

test('reauthenticate: wrong passwords count like failed sign-ins (10 per account and address, then 429 too_many_attempts)', async () => {
    const { tokens } = await signUp('reauth-limit');
    const me = bearer(tokens.accessToken, { address: randomClientAddress() });
    for (let i = 1; i <= 10; i++) {
        await expectProblem(
            me.auth.reauthenticate({ reauthRequest: { password: `${PASSWORD}-wrong-${i}` } }),
            403,
            'reauth_failed',
            `wrong password #${i}`,
        );
    }
    const err = await expectProblem(
        me.auth.reauthenticate({ reauthRequest: { password: PASSWORD } }),
        429,
        'too_many_attempts',
        'the right password from the same address after ten wrong ones',
    );
    assert.ok(err.retryAfter >= 1 && err.retryAfter <= 900, `Retry-After should be 1..900 s, got ${err.retryAfter}`);
    // The owner elsewhere is not locked out.
    const { reauthToken } = await bearer(tokens.accessToken).auth.reauthenticate({ reauthRequest: { password: PASSWORD } });
    assert.equal(typeof reauthToken, 'string');
});

test('reauthenticate: a TOTP code is a proof for accounts with MFA, once (replay 401 code_already_used, wrong 403 reauth_failed); without MFA 409 mfa_not_enabled', async () => {
    const { tokens, totp } = await signUpWithMfa('reauth-totp', { earliest: 'current' });
    const me = bearer(tokens.accessToken);
    await expectProblem(
        me.auth.reauthenticate({ reauthRequest: { code: totp.wrongCode() } }),
        403,
        'reauth_failed',
        'reauthenticate with a wrong TOTP code',
    );
    const code = await totp.next({ earliest: 'current' });
    const { reauthToken } = await me.auth.reauthenticate({ reauthRequest: { code } });
    await expectProblem(
        me.auth.reauthenticate({ reauthRequest: { code } }),
        401,
        'code_already_used',
        'the same TOTP code again',
    );
    await removeEmailCode(tokens.accessToken, reauthToken);
    assert.deepEqual(await methodIds(tokens.accessToken), ['password']);

    const plain = await signUp('reauth-totp-off');
    await expectProblem(
        bearer(plain.tokens.accessToken).auth.reauthenticate({ reauthRequest: { code: '123456' } }),
        409,
        'mfa_not_enabled',
        'a TOTP code for an account without MFA',
    );
});

test('reauthenticate: exactly one proof is required (422 validation_failed); without a bearer token 401 unauthenticated', async () => {
    const { tokens } = await signUp('reauth-422');
    const me = bearer(tokens.accessToken);
    for (const [why, reauthRequest] of Object.entries({
        'no proof': {},
        'a password and a code': { password: PASSWORD, code: '123456' },
        'a code and an e-mailed code': { code: '123456', emailCode: '654321' },
        'an empty password': { password: '' },
    })) {
        await expectProblem(me.auth.reauthenticate({ reauthRequest }), 422, 'validation_failed', `reauthenticate with ${why}`);
    }
    await expectProblem(
        anon().auth.reauthenticate({ reauthRequest: { password: PASSWORD } }),
        401,
        'unauthenticated',
        'reauthenticate without a bearer token',
    );
});

// ---------------------------------------------------------------- sendReauthCode

test('sendReauthCode: e-mails a six-digit code to the account (202); reauthenticate takes it once; it is no sign-in code', async () => {
    const { email, tokens } = await signUp('reauth-mail');
    const me = bearer(tokens.accessToken);
    const raw = await me.auth.sendReauthCodeRaw();
    assert.equal(raw.raw.status, 202);
    assert.equal(await mailCount(email, 'sign_in_code'), 1, 'one code e-mail, to the account itself');
    const code = await signInCode(email); // opened from the sealed outbox event

    await expectProblem(
        anon().auth.verifyEmailCode({ verifyEmailCodeRequest: { email, code } }),
        401,
        'invalid_code',
        'the re-authentication code used to sign in',
    );
    const { reauthToken } = await me.auth.reauthenticate({ reauthRequest: { emailCode: code } });
    await expectProblem(
        me.auth.reauthenticate({ reauthRequest: { emailCode: code } }),
        403,
        'reauth_failed',
        'the e-mailed code a second time',
    );
    await removeEmailCode(tokens.accessToken, reauthToken);
    assert.deepEqual(await methodIds(tokens.accessToken), ['password']);
});

test('sendReauthCode: a wrong code burns the e-mailed one (403 reauth_failed for both)', async () => {
    const { email, tokens } = await signUp('reauth-burn');
    const me = bearer(tokens.accessToken);
    await me.auth.sendReauthCode();
    const code = await signInCode(email);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    await expectProblem(me.auth.reauthenticate({ reauthRequest: { emailCode: wrong } }), 403, 'reauth_failed', 'a wrong code');
    await expectProblem(
        me.auth.reauthenticate({ reauthRequest: { emailCode: code } }),
        403,
        'reauth_failed',
        'the right code after a wrong one',
    );
});

test('sendReauthCode: a second request within 30 s is 429 resend_too_soon with Retry-After; without a bearer token 401', async () => {
    const { email, tokens } = await signUp('reauth-resend');
    const me = bearer(tokens.accessToken);
    await me.auth.sendReauthCode();
    const err = await expectProblem(me.auth.sendReauthCode(), 429, 'resend_too_soon', 'a second code within 30 s');
    assert.ok(err.retryAfter >= 1 && err.retryAfter <= 30, `Retry-After should be 1..30 s, got ${err.retryAfter}`);
    assert.equal(await mailCount(email, 'sign_in_code'), 1, 'the throttled request sends nothing');
    await expectProblem(anon().auth.sendReauthCode(), 401, 'unauthenticated', 'sendReauthCode without a bearer token');
});
