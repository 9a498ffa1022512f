// Live tests for password reset/change and e-mail code sign-in (tag `auth`) against a real
// helium server (see harness.mjs). Naming rule (enforced by coverage.test.mjs): every
// operationId needs a test named "<operationId>: ...".
//
// E-mails are not readable through the API (by design): reset links and sign-in codes are
// read from the `email.requested` events in the server's outbox table, where they are sealed
// (auth_kit.mjs: mail, mailedLink, signInCode).
//
// Every test uses its own e-mail addresses. Auth routes are rate-limited per IP, so the
// server runs with a generous RATE_LIMIT_AUTH, and each client has an address of its own.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AuthApi } from '../dist/index.js';
import { randomClientAddress } from './harness.mjs';
import {
    PASSWORD,
    anon,
    assertTokenPair,
    bearer,
    expectProblem,
    expectRefreshDead,
    mail,
    mailCount,
    mailedLink,
    signInCode,
    signUp,
    sqlString,
    uniqueEmail,
    useAuthServer,
} from './auth_kit.mjs';

const server = useAuthServer();

const NEW_PASSWORD = 'Staple-Battery-9-Horse';

/** The token of the newest password reset link e-mailed to `email`. */
async function resetToken(email) {
    const link = await mailedLink(email, 'password_reset');
    assert.match(link.pathname, /\/password\/reset$/, `reset link should point at /password/reset, got ${link}`);
    const token = link.searchParams.get('token');
    assert.ok(token, `the e-mailed link should end with ?token=<token>, got ${link}`);
    return token;
}

/** A six-digit code that is not `code`. */
function otherCode(code, offset = 1) {
    return String((Number(code) + offset) % 1_000_000).padStart(6, '0');
}

async function ban(email) {
    await server.sql(`UPDATE auth.users SET status = 'banned' WHERE email = ${sqlString(email)}`);
}

/** Number of `user.password_changed` events for the user. */
async function passwordChangedEvents(userId) {
    return Number(
        await server.sql(
            "SELECT count(*) FROM outbox WHERE event_type = 'user.password_changed' " +
                `AND aggregate_id = ${sqlString(userId)} AND payload->>'user_id' = ${sqlString(userId)}`,
        ),
    );
}

/** Password policy violations for an account with `email`. */
function badPasswords(email) {
    return {
        'too short (7 chars)': 'Ab3$xyz',
        'too long (129 chars)': 'Ab3$'.repeat(32) + 'x',
        'equal to the e-mail address': email,
        'a very common password': 'password123',
    };
}

// ---------------------------------------------------------------- forgotPassword

test('forgotPassword: answers 202 {status: "accepted"} and e-mails a password_reset link', async () => {
    const helium = anon();
    assert.ok(helium.auth instanceof AuthApi);
    const { email } = await signUp('forgot');
    const raw = await helium.auth.forgotPasswordRaw({ emailRequest: { email } });
    assert.equal(raw.raw.status, 202);
    assert.match(raw.raw.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await raw.raw.clone().json(), { status: 'accepted' });
    assert.deepEqual(await raw.value(), { status: 'accepted' });

    assert.equal(await mailCount(email, 'password_reset'), 1);
    const token = await resetToken(email);
    assert.ok(token.length >= 16, `reset token should be long enough to be unguessable, got ${token.length} chars`);
});

test('forgotPassword: the same answer for known, unknown and banned addresses; only the active account gets an e-mail', async () => {
    const { email: active } = await signUp('forgot-active');
    const { email: banned } = await signUp('forgot-banned');
    await ban(banned);
    const unknown = uniqueEmail('forgot-nobody');

    const bodies = {};
    for (const [name, email] of Object.entries({ active, unknown, banned })) {
        const raw = await anon().auth.forgotPasswordRaw({ emailRequest: { email } });
        assert.equal(raw.raw.status, 202, `${name}: status`);
        bodies[name] = await raw.raw.clone().text();
    }
    assert.equal(bodies.unknown, bodies.active, 'an unknown address must look like an existing one');
    assert.equal(bodies.banned, bodies.active, 'a banned address must look like an active one');

    assert.equal(await mailCount(active, 'password_reset'), 1, 'the active account gets a reset e-mail');
    assert.equal(await mailCount(unknown, 'password_reset'), 0, 'an unknown address gets no e-mail');
    assert.equal(await mailCount(banned, 'password_reset'), 0, 'a banned account gets no reset e-mail');
});

test('forgotPassword: a second request within 30 s is 429 resend_too_soon with Retry-After, for known and unknown addresses alike', async () => {
    const { email: known } = await signUp('forgot-twice');
    const unknown = uniqueEmail('forgot-twice-nobody');
    const problems = {};
    for (const [name, email] of Object.entries({ known, unknown })) {
        await anon().auth.forgotPassword({ emailRequest: { email } });
        const err = await expectProblem(
            anon().auth.forgotPassword({ emailRequest: { email } }),
            429,
            'resend_too_soon',
            `second forgotPassword (${name}) within 30 s`,
        );
        assert.equal(typeof err.retryAfter, 'number', `${name}: a Retry-After header should be sent`);
        assert.ok(err.retryAfter >= 1 && err.retryAfter <= 30, `${name}: Retry-After should be 1..30 s, got ${err.retryAfter}`);
        problems[name] = err;
    }
    assert.equal(problems.unknown.title, problems.known.title, 'the 429 must not reveal whether the address exists');
    assert.equal(problems.unknown.detail, problems.known.detail, 'the 429 must not reveal whether the address exists');
    assert.equal(await mailCount(known, 'password_reset'), 1, 'the throttled request sends nothing');
});

// ---------------------------------------------------------------- resetPassword

test('resetPassword: sets the new password (204), e-mails a security notice and emits user.password_changed', async () => {
    const { email, account } = await signUp('reset');
    const helium = anon();
    await helium.auth.forgotPassword({ emailRequest: { email } });
    const token = await resetToken(email);

    const raw = await helium.auth.resetPasswordRaw({ resetPasswordRequest: { token, newPassword: NEW_PASSWORD } });
    assert.equal(raw.raw.status, 204);
    assert.equal(await raw.value(), undefined);

    await expectProblem(
        helium.auth.login({ loginRequest: { email, password: PASSWORD } }),
        401,
        'invalid_credentials',
        'login with the old password',
    );
    const tokens = await helium.auth.login({ loginRequest: { email, password: NEW_PASSWORD } });
    assertTokenPair(tokens);
    assert.equal((await bearer(tokens.accessToken).auth.getMe()).id, account.id);

    assert.equal(await mailCount(email, 'security_password_changed'), 1, 'one security notice');
    const notice = await mail(email, 'security_password_changed');
    assert.ok(!JSON.stringify(notice).includes(NEW_PASSWORD), 'the notice must not carry the password');
    assert.equal(await passwordChangedEvents(account.id), 1, 'one user.password_changed event');
});

test('resetPassword: ends every session of the account at once (access and refresh tokens 401)', async () => {
    const { email, password, tokens: first } = await signUp('reset-sessions');
    const second = await anon().auth.login({ loginRequest: { email, password } });
    const third = await anon().auth.login({ loginRequest: { email, password } });
    const sessions = { first, second, third };
    for (const [name, tokens] of Object.entries(sessions)) {
        await bearer(tokens.accessToken).auth.getMe(); // warm any session cache
        assert.ok(tokens.accessToken, name);
    }

    await anon().auth.forgotPassword({ emailRequest: { email } });
    const token = await resetToken(email);
    await anon().auth.resetPassword({ resetPasswordRequest: { token, newPassword: NEW_PASSWORD } });

    for (const [name, tokens] of Object.entries(sessions)) {
        await expectProblem(
            bearer(tokens.accessToken).auth.getMe(),
            401,
            'unauthenticated',
            `getMe (${name} session) right after the reset`,
        );
        await expectRefreshDead(tokens.refreshToken, `refresh (${name} session) after the reset`);
    }

    const again = await anon().auth.login({ loginRequest: { email, password: NEW_PASSWORD } });
    const { items } = await bearer(again.accessToken).auth.listSessions();
    assert.equal(items.length, 1, 'only the new sign-in is live');
});

test('resetPassword: the link works only once (410 link_invalid on reuse)', async () => {
    const { email } = await signUp('reset-once');
    await anon().auth.forgotPassword({ emailRequest: { email } });
    const token = await resetToken(email);
    await anon().auth.resetPassword({ resetPasswordRequest: { token, newPassword: NEW_PASSWORD } });
    await expectProblem(
        anon().auth.resetPassword({ resetPasswordRequest: { token, newPassword: `${NEW_PASSWORD}-2` } }),
        410,
        'link_invalid',
        'reusing a reset link',
    );
    // The second attempt changed nothing.
    await anon().auth.login({ loginRequest: { email, password: NEW_PASSWORD } });
});

test('resetPassword: an expired link is 410 link_expired and the password is unchanged', async () => {
    const { email, password } = await signUp('reset-expired');
    await anon().auth.forgotPassword({ emailRequest: { email } });
    const token = await resetToken(email);
    await server.sql(
        "UPDATE auth.one_time_tokens SET expires_at = now() - interval '1 minute' " +
            `WHERE email = ${sqlString(email)} AND purpose = 'password_reset'`,
    );
    await expectProblem(
        anon().auth.resetPassword({ resetPasswordRequest: { token, newPassword: NEW_PASSWORD } }),
        410,
        'link_expired',
        'resetting with an expired link',
    );
    await anon().auth.login({ loginRequest: { email, password } });
    await expectProblem(
        anon().auth.login({ loginRequest: { email, password: NEW_PASSWORD } }),
        401,
        'invalid_credentials',
        'login with the password of the expired link',
    );
});

test('resetPassword: an unknown token is 410 link_invalid', async () => {
    await expectProblem(
        anon().auth.resetPassword({
            resetPasswordRequest: { token: randomBytes(24).toString('base64url'), newPassword: NEW_PASSWORD },
        }),
        410,
        'link_invalid',
        'resetting with an unknown token',
    );
});

test('resetPassword: password policy violations are 422 validation_failed on new_password; the link stays usable', async () => {
    const { email } = await signUp('reset-policy');
    await anon().auth.forgotPassword({ emailRequest: { email } });
    const token = await resetToken(email);

    for (const [why, newPassword] of Object.entries(badPasswords(email))) {
        const err = await expectProblem(
            anon().auth.resetPassword({ resetPasswordRequest: { token, newPassword } }),
            422,
            'validation_failed',
            `new_password ${why}`,
        );
        assert.ok(
            err.errors.some((e) => e.field === 'new_password'),
            `new_password ${why}: errors should name the new_password field: ${JSON.stringify(err.errors)}`,
        );
    }

    await anon().auth.resetPassword({ resetPasswordRequest: { token, newPassword: NEW_PASSWORD } });
    await anon().auth.login({ loginRequest: { email, password: NEW_PASSWORD } });
});

// ---------------------------------------------------------------- changePassword

test('changePassword: 204; the current session keeps working, the other sessions end at once', async () => {
    const { email, password, account, tokens: first } = await signUp('change');
    const second = await anon().auth.login({ loginRequest: { email, password } });
    const current = await anon().auth.login({ loginRequest: { email, password } });
    for (const tokens of [first, second, current]) {
        await bearer(tokens.accessToken).auth.getMe(); // warm any session cache
    }

    const raw = await bearer(current.accessToken).auth.changePasswordRaw({
        changePasswordRequest: { currentPassword: password, newPassword: NEW_PASSWORD },
    });
    assert.equal(raw.raw.status, 204);
    assert.equal(await raw.value(), undefined);

    // The current session: access token and refresh token still work.
    assert.equal((await bearer(current.accessToken).auth.getMe()).id, account.id);
    const { items } = await bearer(current.accessToken).auth.listSessions();
    assert.equal(items.length, 1, 'only the current session is left');
    assert.equal(items[0].current, true);
    const rotated = await anon().auth.refreshToken({ refreshRequest: { refreshToken: current.refreshToken } });
    assert.equal((await bearer(rotated.accessToken).auth.getMe()).id, account.id);

    // The other sessions are gone.
    for (const [name, tokens] of Object.entries({ first, second })) {
        await expectProblem(
            bearer(tokens.accessToken).auth.getMe(),
            401,
            'unauthenticated',
            `getMe (${name} session) right after the change`,
        );
        await expectRefreshDead(tokens.refreshToken, `refresh (${name} session) after the change`);
    }

    await expectProblem(
        anon().auth.login({ loginRequest: { email, password } }),
        401,
        'invalid_credentials',
        'login with the old password',
    );
    assertTokenPair(await anon().auth.login({ loginRequest: { email, password: NEW_PASSWORD } }));

    assert.equal(await mailCount(email, 'security_password_changed'), 1, 'one security notice');
    assert.equal(await passwordChangedEvents(account.id), 1, 'one user.password_changed event');
});

test('changePassword: a wrong current password is 403 reauth_failed and changes nothing', async () => {
    const { email, password, account, tokens } = await signUp('change-wrong');
    const other = await anon().auth.login({ loginRequest: { email, password } });
    await expectProblem(
        bearer(tokens.accessToken).auth.changePassword({
            changePasswordRequest: { currentPassword: `${password}-wrong`, newPassword: NEW_PASSWORD },
        }),
        403,
        'reauth_failed',
        'changePassword with a wrong current password',
    );
    await anon().auth.login({ loginRequest: { email, password } });
    await expectProblem(
        anon().auth.login({ loginRequest: { email, password: NEW_PASSWORD } }),
        401,
        'invalid_credentials',
        'login with the rejected new password',
    );
    assert.equal((await bearer(other.accessToken).auth.getMe()).id, account.id, 'other sessions survive');
    assert.equal(await mailCount(email, 'security_password_changed'), 0);
    assert.equal(await passwordChangedEvents(account.id), 0);
});

test('changePassword: password policy violations are 422 validation_failed on new_password', async () => {
    const { email, password, tokens } = await signUp('change-policy');
    for (const [why, newPassword] of Object.entries(badPasswords(email))) {
        const err = await expectProblem(
            bearer(tokens.accessToken).auth.changePassword({
                changePasswordRequest: { currentPassword: password, newPassword },
            }),
            422,
            'validation_failed',
            `new_password ${why}`,
        );
        assert.ok(
            err.errors.some((e) => e.field === 'new_password'),
            `new_password ${why}: errors should name the new_password field: ${JSON.stringify(err.errors)}`,
        );
    }
    await anon().auth.login({ loginRequest: { email, password } });
});

test('changePassword: without a bearer token is 401 unauthenticated', async () => {
    await expectProblem(
        anon().auth.changePassword({
            changePasswordRequest: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
        }),
        401,
        'unauthenticated',
        'changePassword without a token',
    );
});

// ---------------------------------------------------------------- requestEmailCode

test('requestEmailCode: answers 202 {status: "accepted"} and e-mails a six-digit sign_in_code', async () => {
    const { email } = await signUp('code');
    const raw = await anon().auth.requestEmailCodeRaw({ emailRequest: { email } });
    assert.equal(raw.raw.status, 202);
    assert.match(raw.raw.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await raw.raw.clone().json(), { status: 'accepted' });
    assert.deepEqual(await raw.value(), { status: 'accepted' });
    assert.equal(await mailCount(email, 'sign_in_code'), 1);
    await signInCode(email);
});

test('requestEmailCode: the same answer for known, unknown and banned addresses; only the active account gets a code', async () => {
    const { email: active } = await signUp('code-active');
    const { email: banned } = await signUp('code-banned');
    await ban(banned);
    const unknown = uniqueEmail('code-nobody');

    const bodies = {};
    for (const [name, email] of Object.entries({ active, unknown, banned })) {
        const raw = await anon().auth.requestEmailCodeRaw({ emailRequest: { email } });
        assert.equal(raw.raw.status, 202, `${name}: status`);
        bodies[name] = await raw.raw.clone().text();
    }
    assert.equal(bodies.unknown, bodies.active, 'an unknown address must look like an existing one');
    assert.equal(bodies.banned, bodies.active, 'a banned address must look like an active one');

    assert.equal(await mailCount(active, 'sign_in_code'), 1, 'the active account gets a code');
    assert.equal(await mailCount(unknown, 'sign_in_code'), 0, 'an unknown address gets no e-mail');
    assert.equal(await mailCount(banned, 'sign_in_code'), 0, 'a banned account gets no code');
});

test('requestEmailCode: a second request within 30 s is 429 resend_too_soon with Retry-After', async () => {
    const { email } = await signUp('code-twice');
    await anon().auth.requestEmailCode({ emailRequest: { email } });
    const err = await expectProblem(
        anon().auth.requestEmailCode({ emailRequest: { email } }),
        429,
        'resend_too_soon',
        'second requestEmailCode within 30 s',
    );
    assert.equal(typeof err.retryAfter, 'number', 'a Retry-After header should be sent');
    assert.ok(err.retryAfter >= 1 && err.retryAfter <= 30, `Retry-After should be 1..30 s, got ${err.retryAfter}`);
    assert.equal(await mailCount(email, 'sign_in_code'), 1, 'the throttled request sends nothing');
});

// ---------------------------------------------------------------- verifyEmailCode

test('verifyEmailCode: the right code signs in (200 LoginResult with tokens, mfa_required false) with a new session', async () => {
    const { email, account } = await signUp('verify');
    await anon().auth.requestEmailCode({ emailRequest: { email } });
    const code = await signInCode(email);

    const raw = await anon().auth.verifyEmailCodeRaw({ verifyEmailCodeRequest: { email, code } });
    assert.equal(raw.raw.status, 200);
    const body = await raw.raw.clone().json();
    assert.deepEqual(Object.keys(body).sort(), [
        'access_token',
        'expires_in',
        'mfa_required',
        'refresh_expires_at',
        'refresh_token',
        'token_type',
    ]);
    assert.equal(body.mfa_required, false);
    const tokens = await raw.value();
    assert.equal(tokens.mfaRequired, false);
    assert.equal(tokens.mfaToken ?? null, null, 'no mfa_token without MFA');
    assertTokenPair(tokens);
    assert.equal((await bearer(tokens.accessToken).auth.getMe()).id, account.id);
    const { items } = await bearer(tokens.accessToken).auth.listSessions();
    assert.equal(items.length, 2, 'sign-up and code sign-in should be two sessions');
});

test('verifyEmailCode: a wrong code is 401 invalid_code; the right one still works after it', async () => {
    const { email } = await signUp('verify-wrong');
    await anon().auth.requestEmailCode({ emailRequest: { email } });
    const code = await signInCode(email);
    await expectProblem(
        anon().auth.verifyEmailCode({ verifyEmailCodeRequest: { email, code: otherCode(code) } }),
        401,
        'invalid_code',
        'verifying a wrong code',
    );
    assertTokenPair(await anon().auth.verifyEmailCode({ verifyEmailCodeRequest: { email, code } }));
});

test('verifyEmailCode: a code works only once (second use 401 invalid_code)', async () => {
    const { email } = await signUp('verify-once');
    await anon().auth.requestEmailCode({ emailRequest: { email } });
    const code = await signInCode(email);
    await anon().auth.verifyEmailCode({ verifyEmailCodeRequest: { email, code } });
    await expectProblem(
        anon().auth.verifyEmailCode({ verifyEmailCodeRequest: { email, code } }),
        401,
        'invalid_code',
        'reusing a sign-in code',
    );
});

test('verifyEmailCode: five wrong codes burn the code and spend the account\'s limit: the right code is then 429 too_many_attempts with Retry-After, from any address', async () => {
    const { email } = await signUp('verify-burn');
    await anon().auth.requestEmailCode({ emailRequest: { email } });
    const code = await signInCode(email);
    for (let i = 1; i <= 5; i++) {
        // Each guess from another address: the limit is per account, not only per address.
        await expectProblem(
            anon().auth.verifyEmailCode({ verifyEmailCodeRequest: { email, code: otherCode(code, i) } }),
            401,
            'invalid_code',
            `wrong code #${i}`,
        );
    }
    const err = await expectProblem(
        anon().auth.verifyEmailCode({ verifyEmailCodeRequest: { email, code } }),
        429,
        'too_many_attempts',
        'the right code after five wrong ones',
    );
    assert.equal(typeof err.retryAfter, 'number', 'a Retry-After header should be sent');
    assert.ok(err.retryAfter >= 1 && err.retryAfter <= 900, `Retry-After should be 1..900 s, got ${err.retryAfter}`);
    assert.equal(
        await server.sql(
            'SELECT count(*) FROM auth.one_time_tokens ' +
                `WHERE email = ${sqlString(email)} AND purpose = 'email_login' AND expires_at > now()`,
        ),
        '0',
        'the code is burnt',
    );
});

test('verifyEmailCode: wrong codes are limited per address too: past 50 failures from one address its next check is 429 too_many_attempts; other addresses still get checked', async () => {
    const address = randomClientAddress();
    const fromAddress = anon({ address });
    // Unknown addresses fail like wrong codes; five per account keeps each under its own limit.
    for (let account = 0; account < 10; account++) {
        const email = uniqueEmail(`verify-ip${account}`);
        for (let i = 0; i < 5; i++) {
            await expectProblem(
                fromAddress.auth.verifyEmailCode({ verifyEmailCodeRequest: { email, code: otherCode('000000', i + 1) } }),
                401,
                'invalid_code',
                `failure ${account * 5 + i + 1} from one address`,
            );
        }
    }
    const fresh = uniqueEmail('verify-ip-fresh');
    const err = await expectProblem(
        fromAddress.auth.verifyEmailCode({ verifyEmailCodeRequest: { email: fresh, code: '123456' } }),
        429,
        'too_many_attempts',
        'the 51st check from one address',
    );
    assert.ok(err.retryAfter >= 1 && err.retryAfter <= 900, `Retry-After should be 1..900 s, got ${err.retryAfter}`);
    await expectProblem(
        anon().auth.verifyEmailCode({ verifyEmailCodeRequest: { email: fresh, code: '123456' } }),
        401,
        'invalid_code',
        'the same check from another address',
    );
});

test('verifyEmailCode: four wrong codes do not burn the code yet', async () => {
    const { email } = await signUp('verify-four');
    await anon().auth.requestEmailCode({ emailRequest: { email } });
    const code = await signInCode(email);
    for (let i = 1; i <= 4; i++) {
        await expectProblem(
            anon().auth.verifyEmailCode({ verifyEmailCodeRequest: { email, code: otherCode(code, i) } }),
            401,
            'invalid_code',
            `wrong code #${i}`,
        );
    }
    assertTokenPair(await anon().auth.verifyEmailCode({ verifyEmailCodeRequest: { email, code } }));
});

test('verifyEmailCode: a banned account with the right code is 403 account_banned', async () => {
    const { email } = await signUp('verify-banned');
    await anon().auth.requestEmailCode({ emailRequest: { email } });
    const code = await signInCode(email);
    await ban(email);
    await expectProblem(
        anon().auth.verifyEmailCode({ verifyEmailCodeRequest: { email, code } }),
        403,
        'account_banned',
        'verifying the right code of a banned account',
    );
});

test('verifyEmailCode: an address without a code is 401 invalid_code', async () => {
    await expectProblem(
        anon().auth.verifyEmailCode({ verifyEmailCodeRequest: { email: uniqueEmail('verify-nobody'), code: '123456' } }),
        401,
        'invalid_code',
        'verifying for an address that was never sent a code',
    );
});
