// Live tests for the `auth` tag (customer identity) against a real helium server
// (see harness.mjs). Naming rule (enforced by coverage.test.mjs): every operationId
// needs a test named "<operationId>: ..." and every tag a test named "<tag> error path: ...".
//
// The registration e-mail is not readable through the API (by design): the link token
// is read from the `email.requested` event in the server's outbox table, where it is sealed
// (auth_kit.mjs: mail, linkToken).
//
// Every test uses its own e-mail addresses. Auth routes are rate-limited per IP, so the
// server runs with a generous RATE_LIMIT_AUTH, and each client has an address of its own.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { AuthApi, HeliumProblemError } from '../dist/index.js';
import {
    PASSWORD,
    anon,
    assertTokenPair,
    bearer,
    expectProblem,
    linkToken,
    mailEvent,
    signUp,
    sleep,
    uniqueEmail,
    useAuthServer,
} from './auth_kit.mjs';
import { openSealed, randomClientAddress } from './harness.mjs';

const server = useAuthServer();

function assertMe(me, email) {
    assert.equal(typeof me.id, 'string');
    assert.ok(me.id.length > 0, 'id should not be empty');
    assert.equal(me.email, email);
    assert.equal(me.mfaEnabled, false);
    assert.ok(me.createdAt instanceof Date && !Number.isNaN(me.createdAt.getTime()), 'created_at should be a Date');
    assert.ok(me.createdAt.getTime() <= Date.now() + 60_000, 'created_at should not be in the future');
}

// ---------------------------------------------------------------- register

test('register: answers 202 {status: "email_sent"} and e-mails a sign-up link', async () => {
    const helium = anon();
    assert.ok(helium.auth instanceof AuthApi);
    const email = uniqueEmail('reg');
    const raw = await helium.auth.registerRaw({ registerRequest: { email } });
    assert.equal(raw.raw.status, 202);
    assert.match(raw.raw.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await raw.raw.clone().json(), { status: 'email_sent' });
    assert.deepEqual(await raw.value(), { status: 'email_sent' });

    const token = await linkToken(email);
    assert.ok(token.length >= 16, `link token should be long enough to be unguessable, got ${token.length} chars`);
});

test('register: the sign-up link is sealed in the outbox, bound to its event; only the recipient is in clear', async () => {
    const email = uniqueEmail('sealed');
    await anon().auth.register({ registerRequest: { email } });
    const { id, payload } = await mailEvent(email, 'register_magic_link');
    const token = await linkToken(email);
    assert.equal(payload.to, email);
    assert.match(payload.sealed, /^v1\.[A-Za-z0-9_-]+$/, 'v1. + base64url without padding');
    assert.ok(!('link' in payload.context), `the context carries no link: ${JSON.stringify(payload.context)}`);
    assert.ok(!JSON.stringify(payload).includes(token), 'the token is nowhere in clear');
    const stored = await server.sql(`SELECT payload::text FROM outbox WHERE id = '${id}'`);
    assert.ok(!stored.includes(token), 'nor in the stored row');
    // Bound to its event: the same ciphertext under another event id, or another key, does not open.
    const otherId = id.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    assert.throws(() => openSealed(server.dataKey, otherId, payload.sealed), 'opened with another event id');
    const otherKey = Buffer.from(server.dataKey).map((b) => b ^ 0xff);
    assert.throws(() => openSealed(otherKey, id, payload.sealed), 'opened with another key');
});

test('register: the answer is the same whether or not the address exists', async () => {
    const { email: existing } = await signUp('exists');
    const fresh = uniqueEmail('fresh');
    const a = await anon().auth.registerRaw({ registerRequest: { email: fresh } });
    // The existing address registered a moment ago, so it is inside the resend window:
    // wait it out only if the server says so.
    let b;
    try {
        b = await anon().auth.registerRaw({ registerRequest: { email: existing } });
    } catch (err) {
        if (!(err instanceof HeliumProblemError) || err.code !== 'resend_too_soon') throw err;
        assert.ok(err.retryAfter > 0 && err.retryAfter <= 30, `Retry-After should be 1..30 s, got ${err.retryAfter}`);
        await sleep(err.retryAfter * 1000 + 250);
        b = await anon().auth.registerRaw({ registerRequest: { email: existing } });
    }
    assert.equal(a.raw.status, 202);
    assert.equal(b.raw.status, 202);
    assert.equal(await b.raw.clone().text(), await a.raw.clone().text(), 'bodies must not reveal whether the address exists');
});

test('register: a second request for the same address within 30 s is 429 resend_too_soon with Retry-After', async () => {
    const helium = anon();
    const email = uniqueEmail('resend');
    await helium.auth.register({ registerRequest: { email } });
    const err = await expectProblem(
        helium.auth.register({ registerRequest: { email } }),
        429,
        'resend_too_soon',
        'second register within 30 s',
    );
    assert.equal(typeof err.retryAfter, 'number', 'a Retry-After header should be sent');
    assert.ok(err.retryAfter >= 1 && err.retryAfter <= 30, `Retry-After should be 1..30 s, got ${err.retryAfter}`);
});

test('register: an invalid e-mail address is 422 validation_failed on email', async () => {
    const err = await expectProblem(
        anon().auth.register({ registerRequest: { email: 'not-an-email' } }),
        422,
        'validation_failed',
        'register with an invalid address',
    );
    assert.ok(
        err.errors.some((e) => e.field === 'email'),
        `errors should name the email field: ${JSON.stringify(err.errors)}`,
    );
});

// ---------------------------------------------------------------- completeRegistration

test('completeRegistration: creates the account and signs in (201 {account, tokens})', async () => {
    const helium = anon();
    const email = uniqueEmail('complete');
    await helium.auth.register({ registerRequest: { email } });
    const token = await linkToken(email);

    const raw = await helium.auth.completeRegistrationRaw({
        completeRegistrationRequest: { token, password: PASSWORD },
    });
    assert.equal(raw.raw.status, 201);
    const body = await raw.raw.clone().json();
    assert.deepEqual(Object.keys(body).sort(), ['account', 'tokens']);
    assert.equal(body.tokens.token_type, 'Bearer');

    const { account, tokens } = await raw.value();
    assertMe(account, email);
    assertTokenPair(tokens);

    const me = await bearer(tokens.accessToken).auth.getMe();
    assert.equal(me.id, account.id);
    assert.equal(me.email, email);
});

test('completeRegistration: the link works only once (410 link_invalid on reuse)', async () => {
    const helium = anon();
    const email = uniqueEmail('once');
    await helium.auth.register({ registerRequest: { email } });
    const token = await linkToken(email);
    await helium.auth.completeRegistration({ completeRegistrationRequest: { token, password: PASSWORD } });
    await expectProblem(
        helium.auth.completeRegistration({ completeRegistrationRequest: { token, password: `${PASSWORD}-2` } }),
        410,
        'link_invalid',
        'reusing a sign-up link',
    );
});

test('completeRegistration: an unknown token is 410 link_invalid', async () => {
    await expectProblem(
        anon().auth.completeRegistration({
            completeRegistrationRequest: { token: randomBytes(24).toString('base64url'), password: PASSWORD },
        }),
        410,
        'link_invalid',
        'completing with an unknown token',
    );
});

test('completeRegistration: password policy violations are 422 validation_failed on password', async () => {
    const helium = anon();
    const email = uniqueEmail('policy');
    await helium.auth.register({ registerRequest: { email } });
    const token = await linkToken(email);

    const bad = {
        'too short (7 chars)': 'Ab3$xyz',
        'too long (129 chars)': 'Ab3$'.repeat(32) + 'x',
        'equal to the e-mail address': email,
        'a very common password': 'password123',
    };
    for (const [why, password] of Object.entries(bad)) {
        const err = await expectProblem(
            helium.auth.completeRegistration({ completeRegistrationRequest: { token, password } }),
            422,
            'validation_failed',
            `password ${why}`,
        );
        assert.ok(
            err.errors.some((e) => e.field === 'password'),
            `password ${why}: errors should name the password field: ${JSON.stringify(err.errors)}`,
        );
    }

    // A rejected password does not use up the link.
    const { account } = await helium.auth.completeRegistration({
        completeRegistrationRequest: { token, password: PASSWORD },
    });
    assert.equal(account.email, email);
});

// ---------------------------------------------------------------- login

test('login: the right password returns a new token pair and a new session', async () => {
    const { email, password, account } = await signUp('login');
    const raw = await anon().auth.loginRaw({ loginRequest: { email, password } });
    assert.equal(raw.raw.status, 200);
    const tokens = await raw.value();
    assertTokenPair(tokens);

    const me = await bearer(tokens.accessToken).auth.getMe();
    assert.equal(me.id, account.id);
    const { items } = await bearer(tokens.accessToken).auth.listSessions();
    assert.equal(items.length, 2, 'sign-up and login should be two sessions');
});

test('login: a wrong password or an unknown address is 401 invalid_credentials', async () => {
    const { email } = await signUp('badlogin');
    const helium = anon();
    const wrong = await expectProblem(
        helium.auth.login({ loginRequest: { email, password: `${PASSWORD}-wrong` } }),
        401,
        'invalid_credentials',
        'login with a wrong password',
    );
    const unknown = await expectProblem(
        helium.auth.login({ loginRequest: { email: uniqueEmail('nobody'), password: PASSWORD } }),
        401,
        'invalid_credentials',
        'login with an unknown address',
    );
    assert.equal(unknown.title, wrong.title, 'unknown address and wrong password should look the same');
    assert.equal(unknown.detail, wrong.detail, 'unknown address and wrong password should look the same');
});

// ---------------------------------------------------------------- refreshToken

test('refreshToken: rotates the pair; the new tokens work and the session is kept', async () => {
    const { tokens, account } = await signUp('refresh');
    const next = await anon().auth.refreshToken({ refreshRequest: { refreshToken: tokens.refreshToken } });
    assertTokenPair(next);
    assert.notEqual(next.refreshToken, tokens.refreshToken, 'refresh token should rotate');
    assert.notEqual(next.accessToken, tokens.accessToken, 'a new access token should be issued');
    assert.equal(
        next.refreshExpiresAt.getTime(),
        tokens.refreshExpiresAt.getTime(),
        'refreshing should not extend the session',
    );

    const me = await bearer(next.accessToken).auth.getMe();
    assert.equal(me.id, account.id);
    const { items } = await bearer(next.accessToken).auth.listSessions();
    assert.equal(items.length, 1, 'refreshing should not create a session');
    assert.equal(items[0].current, true);

    const third = await anon().auth.refreshToken({ refreshRequest: { refreshToken: next.refreshToken } });
    assertTokenPair(third);
});

test('refreshToken: replaying a rotated refresh token is 401 refresh_token_reused and revokes the session', async () => {
    const { tokens } = await signUp('reuse');
    const helium = anon();
    const next = await helium.auth.refreshToken({ refreshRequest: { refreshToken: tokens.refreshToken } });

    await expectProblem(
        helium.auth.refreshToken({ refreshRequest: { refreshToken: tokens.refreshToken } }),
        401,
        'refresh_token_reused',
        'replaying a rotated refresh token',
    );
    await expectProblem(
        bearer(next.accessToken).auth.getMe(),
        401,
        'unauthenticated',
        "getMe with the revoked session's newest access token",
    );
    const err = await helium.auth.refreshToken({ refreshRequest: { refreshToken: next.refreshToken } }).then(
        () => assert.fail("the revoked session's newest refresh token should no longer work"),
        (e) => e,
    );
    assert.ok(err instanceof HeliumProblemError, `expected HeliumProblemError, got ${err?.name}: ${err?.message}`);
    assert.equal(err.status, 401);
    assert.ok(
        ['refresh_token_invalid', 'refresh_token_reused'].includes(err.code),
        `expected refresh_token_invalid or refresh_token_reused, got ${err.code}`,
    );
});

test('refreshToken: an unknown refresh token is 401 refresh_token_invalid', async () => {
    await expectProblem(
        anon().auth.refreshToken({ refreshRequest: { refreshToken: randomBytes(32).toString('base64url') } }),
        401,
        'refresh_token_invalid',
        'refreshing with an unknown token',
    );
});

// ---------------------------------------------------------------- listSessions

test('listSessions: lists my live sessions, newest first, marking the current one', async () => {
    const { email, password, tokens: first } = await signUp('sessions');
    const address = randomClientAddress();
    const second = await anon({ address }).auth.login({ loginRequest: { email, password } });

    const raw = await bearer(second.accessToken).auth.listSessionsRaw();
    assert.equal(raw.raw.status, 200);
    const body = await raw.raw.clone().json();
    assert.ok('next_cursor' in body, 'body should contain next_cursor');
    assert.equal(body.next_cursor, null);
    for (const item of body.items) {
        assert.deepEqual(Object.keys(item).sort(), ['created_at', 'current', 'device', 'id', 'ip', 'last_used_at']);
    }

    const page = await raw.value();
    assert.equal(page.nextCursor, null);
    assert.equal(page.items.length, 2);
    const [newest, oldest] = page.items;
    assert.equal(newest.current, true, 'the login session (newest) is the current one');
    assert.equal(oldest.current, false);
    assert.notEqual(newest.id, oldest.id);
    for (const s of page.items) {
        assert.equal(typeof s.id, 'string');
        assert.ok(s.createdAt instanceof Date && !Number.isNaN(s.createdAt.getTime()));
        assert.ok(s.lastUsedAt instanceof Date && !Number.isNaN(s.lastUsedAt.getTime()));
        assert.ok(s.device === null || s.device === undefined || typeof s.device === 'string');
        assert.ok(s.ip === null || s.ip === undefined || typeof s.ip === 'string');
    }
    assert.ok(newest.createdAt.getTime() >= oldest.createdAt.getTime(), 'items should be newest first');
    // The address the sign-in came from (X-Forwarded-For through the trusted test proxy).
    assert.equal(newest.ip, address, 'the session records the client address');

    // The same list seen from the first session marks the other one as current.
    const fromFirst = await bearer(first.accessToken).auth.listSessions();
    assert.deepEqual(
        fromFirst.items.map((s) => [s.id, s.current]),
        [
            [newest.id, false],
            [oldest.id, true],
        ],
    );
});

// ---------------------------------------------------------------- revokeSession

test('revokeSession: ends another of my sessions at once (204)', async () => {
    const { email, password, tokens: first } = await signUp('revoke');
    const second = await anon().auth.login({ loginRequest: { email, password } });
    const me = bearer(second.accessToken);
    const { items } = await me.auth.listSessions();
    const other = items.find((s) => !s.current);
    assert.ok(other, 'the sign-up session should be listed');

    const raw = await me.auth.revokeSessionRaw({ id: other.id });
    assert.equal(raw.raw.status, 204);
    assert.equal(await raw.value(), undefined);

    await expectProblem(bearer(first.accessToken).auth.getMe(), 401, 'unauthenticated', 'getMe with a revoked session');
    const err = await anon().auth.refreshToken({ refreshRequest: { refreshToken: first.refreshToken } }).then(
        () => assert.fail("a revoked session's refresh token should no longer work"),
        (e) => e,
    );
    assert.ok(err instanceof HeliumProblemError, `expected HeliumProblemError, got ${err?.name}: ${err?.message}`);
    assert.equal(err.status, 401);

    const after = await me.auth.listSessions();
    assert.deepEqual(
        after.items.map((s) => s.id),
        [items.find((s) => s.current).id],
    );
});

test("revokeSession: another user's session or an unknown id is 404 not_found", async () => {
    const alice = await signUp('alice');
    const bob = await signUp('bob');
    const bobSessions = await bearer(bob.tokens.accessToken).auth.listSessions();
    const bobSession = bobSessions.items[0].id;

    const asAlice = bearer(alice.tokens.accessToken);
    await expectProblem(asAlice.auth.revokeSession({ id: bobSession }), 404, 'not_found', "revoking bob's session");
    await expectProblem(asAlice.auth.revokeSession({ id: randomUUID() }), 404, 'not_found', 'revoking an unknown id');

    // Bob's session survived.
    const me = await bearer(bob.tokens.accessToken).auth.getMe();
    assert.equal(me.id, bob.account.id);
});

// ---------------------------------------------------------------- logout / logoutAll

test('logout: ends this session only (204); its access token is then 401', async () => {
    const { email, password, tokens: first } = await signUp('logout');
    const second = await anon().auth.login({ loginRequest: { email, password } });

    const raw = await bearer(second.accessToken).auth.logoutRaw();
    assert.equal(raw.raw.status, 204);

    await expectProblem(bearer(second.accessToken).auth.getMe(), 401, 'unauthenticated', 'getMe after logout');
    const err = await anon().auth.refreshToken({ refreshRequest: { refreshToken: second.refreshToken } }).then(
        () => assert.fail('a signed-out session should not refresh'),
        (e) => e,
    );
    assert.ok(err instanceof HeliumProblemError, `expected HeliumProblemError, got ${err?.name}: ${err?.message}`);
    assert.equal(err.status, 401);

    // The other session is untouched.
    const { items } = await bearer(first.accessToken).auth.listSessions();
    assert.equal(items.length, 1);
    assert.equal(items[0].current, true);
});

test('logoutAll: ends every session and every issued access token (204)', async () => {
    const { email, password, tokens: first } = await signUp('logoutall');
    const second = await anon().auth.login({ loginRequest: { email, password } });

    const raw = await bearer(first.accessToken).auth.logoutAllRaw();
    assert.equal(raw.raw.status, 204);

    for (const [name, tokens] of [
        ['first', first],
        ['second', second],
    ]) {
        await expectProblem(bearer(tokens.accessToken).auth.getMe(), 401, 'unauthenticated', `getMe (${name}) after logoutAll`);
        const err = await anon().auth.refreshToken({ refreshRequest: { refreshToken: tokens.refreshToken } }).then(
            () => assert.fail(`refresh (${name}) should fail after logoutAll`),
            (e) => e,
        );
        assert.ok(err instanceof HeliumProblemError, `expected HeliumProblemError, got ${err?.name}: ${err?.message}`);
        assert.equal(err.status, 401);
    }

    // Signing in again still works and starts from a single session.
    const again = await anon().auth.login({ loginRequest: { email, password } });
    const { items } = await bearer(again.accessToken).auth.listSessions();
    assert.equal(items.length, 1);
});

// ---------------------------------------------------------------- getMe / updateMe

test('getMe: returns the signed-in customer with the documented fields', async () => {
    const { email, account, tokens } = await signUp('me');
    const raw = await bearer(tokens.accessToken).auth.getMeRaw();
    assert.equal(raw.raw.status, 200);
    const body = await raw.raw.clone().json();
    assert.deepEqual(Object.keys(body).sort(), [
        'created_at',
        'display_name',
        'email',
        'id',
        'locale',
        'mfa_enabled',
        'timezone',
    ]);
    const me = await raw.value();
    assertMe(me, email);
    assert.equal(me.id, account.id);
    assert.equal(me.createdAt.getTime(), account.createdAt.getTime());
});

test('updateMe: merge semantics (absent fields unchanged, null clears)', async () => {
    const { tokens } = await signUp('patch');
    const helium = bearer(tokens.accessToken);

    const set = await helium.auth.updateMe({
        updateMeRequest: { displayName: 'Ada Lovelace', locale: 'en', timezone: 'Europe/Berlin' },
    });
    assert.equal(set.displayName, 'Ada Lovelace');
    assert.equal(set.locale, 'en');
    assert.equal(set.timezone, 'Europe/Berlin');

    const partial = await helium.auth.updateMe({ updateMeRequest: { locale: 'zh-CN' } });
    assert.equal(partial.locale, 'zh-CN');
    assert.equal(partial.displayName, 'Ada Lovelace', 'absent display_name is unchanged');
    assert.equal(partial.timezone, 'Europe/Berlin', 'absent timezone is unchanged');

    const cleared = await helium.auth.updateMe({ updateMeRequest: { displayName: null } });
    assert.equal(cleared.displayName ?? null, null, 'null clears display_name');
    assert.equal(cleared.locale, 'zh-CN');
    assert.equal(cleared.timezone, 'Europe/Berlin');

    const unchanged = await helium.auth.updateMe({ updateMeRequest: {} });
    assert.equal(unchanged.displayName ?? null, null);
    assert.equal(unchanged.locale, 'zh-CN');

    const me = await helium.auth.getMe();
    assert.equal(me.displayName ?? null, null);
    assert.equal(me.locale, 'zh-CN');
    assert.equal(me.timezone, 'Europe/Berlin');
});

test('updateMe: an unknown or privileged field (role) is 422 with errors[].code unknown_field', async () => {
    const { tokens } = await signUp('role');
    const helium = bearer(tokens.accessToken);
    // The generated model drops unknown properties, so replace the body through initOverrides
    // (the runtime JSON-encodes it, so pass an object).
    const err = await expectProblem(
        helium.auth.updateMe({ updateMeRequest: {} }, async () => ({
            body: { display_name: 'Mallory', role: 'admin' },
        })),
        422,
        'validation_failed',
        'updateMe with role',
    );
    assert.deepEqual(
        err.errors.map((e) => [e.field, e.code]),
        [['role', 'unknown_field']],
    );
    const me = await helium.auth.getMe();
    assert.equal(me.displayName ?? null, null, 'a rejected PATCH changes nothing');
});

// ---------------------------------------------------------------- error paths

test('auth error path: bearer operations without a token are 401 unauthenticated', async () => {
    const helium = anon();
    const calls = {
        getMe: () => helium.auth.getMe(),
        updateMe: () => helium.auth.updateMe({ updateMeRequest: { displayName: 'x' } }),
        listSessions: () => helium.auth.listSessions(),
        revokeSession: () => helium.auth.revokeSession({ id: randomUUID() }),
        logout: () => helium.auth.logout(),
        logoutAll: () => helium.auth.logoutAll(),
    };
    for (const [name, call] of Object.entries(calls)) {
        const err = await expectProblem(call(), 401, 'unauthenticated', `${name} without a token`);
        assert.equal(typeof err.requestId, 'string', `${name}: problem should carry a request id`);
    }
});

test('auth error path: a malformed bearer token is 401 unauthenticated', async () => {
    const helium = bearer('not.a.jwt');
    await expectProblem(helium.auth.getMe(), 401, 'unauthenticated', 'getMe with a garbage token');
    await expectProblem(helium.auth.listSessions(), 401, 'unauthenticated', 'listSessions with a garbage token');
});
