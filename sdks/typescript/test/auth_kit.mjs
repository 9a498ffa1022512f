// Shared helpers of the auth test files (auth*.test.mjs); not a test file itself.
//
// TOTP codes are computed here (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps) from the base32
// secret that setupTotp returns. The server accepts the code of the current and of the
// previous step only (never one from the future), and each step only once per account, so
// every account gets an `Authenticator` that hands out codes for ever later steps, waiting
// for the next step to become current when it must (see next()).
//
// E-mails are not readable through the API (by design): sign-up links and sign-in codes are
// read from the `email.requested` events in the server's outbox table, where the links and
// codes are sealed under the server's data key (payload.sealed, bound to the event id) and
// opened here with the key the harness gave the server (see mail()).
//
// Every client these helpers make (anon(), bearer()) appears to the server as an address of
// its own (X-Forwarded-For through the trusted 127.0.0.1, see harness.mjs): one address per
// client, like devices, so the per-address send and guess caps stay out of the way of tests
// that do not test them, and tests that do pin one address (`anon({ address })`).
//
// The MFA tests are split over several files because each file must finish within the
// runner's --test-timeout (180 s) and argon2 (password, ten recovery codes per enable) is
// slow in a debug build.

import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { createHeliumClient, HeliumProblemError } from '../dist/index.js';
import { clientAddressHeaders, openSealed, useHeliumServer } from './harness.mjs';

let server;

/**
 * Registers the file's server (generous RATE_LIMIT_AUTH: every test signs up and in several
 * times from one IP) for the helpers below; returns its handle. `env` adds to the server
 * environment.
 */
export function useAuthServer(env = {}) {
    server = useHeliumServer({ env: { RATE_LIMIT_AUTH: '1000/60', ...env } });
    return server;
}

export const PASSWORD = 'Correct-Horse-7-Battery';
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- TOTP (RFC 4226 / RFC 6238)

export const STEP_MS = 30_000;
export const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** Recovery codes: four groups of four from a 32-letter alphabet without 0/1/l/o. */
export const RECOVERY_CODE = /^[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}$/;

/** RFC 4648 base32 (case-insensitive, padding optional). */
export function base32Decode(text) {
    const clean = text.replace(/=+$/, '').toUpperCase();
    let bits = 0;
    let value = 0;
    const out = [];
    for (const ch of clean) {
        const index = BASE32_ALPHABET.indexOf(ch);
        if (index < 0) throw new Error(`not base32: ${JSON.stringify(text)}`);
        value = (value << 5) | index;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out.push((value >>> bits) & 0xff);
        }
    }
    return Buffer.from(out);
}

/** HOTP (RFC 4226): HMAC-SHA1 over the 8-byte big-endian counter, dynamic truncation. */
export function hotp(key, counter, digits = 6) {
    const message = Buffer.alloc(8);
    message.writeBigUInt64BE(BigInt(counter));
    const mac = createHmac('sha1', key).update(message).digest();
    const offset = mac[mac.length - 1] & 0x0f;
    const binary = mac.readUInt32BE(offset) & 0x7fffffff;
    return String(binary % 10 ** digits).padStart(digits, '0');
}

// Self-check against the RFC 6238 appendix B vectors (SHA-1 seed "12345678901234567890";
// the 8-digit values truncated to the last six digits are the 6-digit codes).
{
    const seed = Buffer.from('12345678901234567890', 'ascii');
    assert.equal(hotp(seed, Math.floor(59 / 30), 8), '94287082');
    assert.equal(hotp(seed, Math.floor(1111111109 / 30), 8), '07081804');
    assert.equal(hotp(seed, Math.floor(2000000000 / 30), 8), '69279037');
    assert.equal(hotp(seed, Math.floor(1111111109 / 30)), '081804');
    assert.equal(base32Decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ').toString('ascii'), '12345678901234567890');
}

/**
 * The authenticator app of one account: codes for steps later than every step it handed
 * out before, each inside the server's window (the current and the previous step) when used.
 */
export class Authenticator {
    constructor(secret) {
        this.key = base32Decode(secret);
        this.lastStep = null;
        this.lastCode = null;
    }

    codeAt(step) {
        return hotp(this.key, step);
    }

    /**
     * A code the server has not seen and accepts now. `earliest` is the first step it may use:
     * 'previous' (default; only while at least 10 s of the current step remain, so that the
     * window does not move past it during the request) or 'current' (a code that stays
     * acceptable for at least another 30 s, e.g. for a later replay). When every step it may
     * use was handed out already, it waits (< 31 s) for the next step to become current.
     */
    async next({ earliest = 'previous' } = {}) {
        assert.ok(['previous', 'current'].includes(earliest), `unknown earliest ${earliest}`);
        for (;;) {
            const now = Date.now();
            const current = Math.floor(now / STEP_MS);
            const intoStep = now - current * STEP_MS;
            const first = earliest === 'previous' && intoStep < STEP_MS - 10_000 ? current - 1 : current;
            const step = this.lastStep === null ? first : Math.max(this.lastStep + 1, first);
            if (step <= current) {
                this.lastStep = step;
                this.lastCode = this.codeAt(step);
                return this.lastCode;
            }
            // The step is current + 1: a code from the future, refused until it is current.
            await sleep(step * STEP_MS - now + 250);
        }
    }

    /** A code that is none of the codes of the steps around now (a wrong code). */
    wrongCode() {
        const current = Math.floor(Date.now() / STEP_MS);
        const valid = new Set([-2, -1, 0, 1, 2].map((d) => this.codeAt(current + d)));
        for (let n = 0; ; n++) {
            const candidate = String((123456 + n * 7919) % 1_000_000).padStart(6, '0');
            if (!valid.has(candidate)) return candidate;
        }
    }
}

// ---------------------------------------------------------------- helpers

export function uniqueEmail(label = 'u') {
    return `${label}-${randomBytes(6).toString('hex')}@example.test`;
}

/**
 * A client without credentials (public operations), from a fresh client address, or from
 * `address` (see harness.mjs, randomClientAddress) for tests of per-address limits; `headers`
 * are sent with every request (e.g. a browser's Cookie).
 */
export function anon({ address, headers } = {}) {
    return createHeliumClient({ baseUrl: server.url, headers: { ...clientAddressHeaders(address), ...headers } });
}

/** A client that sends `Authorization: Bearer <accessToken>` (from a fresh client address). */
export function bearer(accessToken, { address } = {}) {
    return createHeliumClient({ baseUrl: server.url, accessToken, headers: clientAddressHeaders(address) });
}

export const sqlString = (value) => `'${String(value).replaceAll("'", "''")}'`;

/**
 * The newest `email.requested` event to `email` with `template` (polls briefly):
 * { id, payload } as stored in the outbox.
 */
export async function mailEvent(email, template) {
    const query =
        "SELECT json_build_object('id', id, 'payload', payload)::text FROM outbox " +
        `WHERE event_type = 'email.requested' AND payload->>'to' = ${sqlString(email)} ` +
        `AND payload->>'template' = ${sqlString(template)} ORDER BY occurred_at DESC, id DESC LIMIT 1`;
    const deadline = Date.now() + 10_000;
    for (;;) {
        const row = await server.sql(query);
        if (row) return JSON.parse(row);
        if (Date.now() > deadline) {
            assert.fail(`no ${template} e-mail for ${email} in the outbox`);
        }
        await sleep(100);
    }
}

/**
 * The secrets (links, codes) of an `email.requested` event, opened with the server's data key
 * and the event's id; {} when it has none. Checks that none of them is also in clear: not as
 * a `context` field, nowhere else in the payload.
 */
export function mailSecrets({ id, payload }) {
    if (payload.sealed === undefined || payload.sealed === null) return {};
    const secrets = JSON.parse(openSealed(server.dataKey, id, payload.sealed).toString('utf8'));
    const { sealed: _, ...clear } = payload;
    const clearText = JSON.stringify(clear);
    for (const [name, value] of Object.entries(secrets)) {
        assert.ok(!(name in (payload.context ?? {})), `${payload.template}: ${name} is sealed, not a context field`);
        assert.ok(!clearText.includes(String(value)), `${payload.template}: the ${name} must not be in clear in the outbox`);
    }
    return secrets;
}

/**
 * What the newest `email.requested` event to `email` with `template` shows its reader: the
 * template context with the sealed secrets opened in (as the mailer renders it).
 */
export async function mail(email, template) {
    const event = await mailEvent(email, template);
    return { ...event.payload.context, ...mailSecrets(event) };
}

/** How many `email.requested` events to `email` with `template` are in the outbox. */
export async function mailCount(email, template) {
    return Number(
        await server.sql(
            "SELECT count(*) FROM outbox WHERE event_type = 'email.requested' " +
                `AND payload->>'to' = ${sqlString(email)} AND payload->>'template' = ${sqlString(template)}`,
        ),
    );
}

/** The URL of the newest link e-mailed to `email` with `template` (e.g. password_reset). */
export async function mailedLink(email, template = 'register_magic_link') {
    const { link } = await mail(email, template);
    assert.equal(typeof link, 'string', `the ${template} e-mail should carry a link`);
    return new URL(link);
}

/** The token of the newest link of `template` (default: the sign-up link) e-mailed to `email`. */
export async function linkToken(email, template = 'register_magic_link') {
    const link = await mailedLink(email, template);
    const token = link.searchParams.get('token');
    assert.ok(token, `the e-mailed link should end with ?token=<token>, got ${link}`);
    return token;
}

/** The newest six-digit code e-mailed to `email` (sign-in and re-authentication codes). */
export async function signInCode(email) {
    const { code } = await mail(email, 'sign_in_code');
    assert.equal(typeof code, 'string', 'the sign_in_code e-mail should carry a code');
    assert.match(code, /^\d{6}$/, `the code should be six digits, got ${code}`);
    return code;
}

/** Registers a fresh customer and completes the sign-up: { email, password, account, tokens }. */
export async function signUp(label = 'u') {
    const email = uniqueEmail(label);
    const helium = anon();
    await helium.auth.register({ registerRequest: { email } });
    const token = await linkToken(email);
    const { account, tokens } = await helium.auth.completeRegistration({
        completeRegistrationRequest: { token, password: PASSWORD },
    });
    return { email, password: PASSWORD, account, tokens };
}

/**
 * A fresh customer with TOTP on: { email, password, account, tokens, totp, recoveryCodes }.
 * `tokens` is the sign-up session (it survives enabling); `totp` has used one step
 * (see Authenticator.next for `earliest`).
 */
export async function signUpWithMfa(label = 'mfa', { earliest = 'previous' } = {}) {
    const user = await signUp(label);
    const me = bearer(user.tokens.accessToken);
    const { secret } = await me.auth.setupTotp();
    const totp = new Authenticator(secret);
    const { recoveryCodes } = await me.auth.enableTotp({ totpCodeRequest: { code: await totp.next({ earliest }) } });
    return { ...user, totp, recoveryCodes };
}

/** login with email + password, which must answer the MFA challenge: the mfa_token. */
export async function challenge(email, password = PASSWORD) {
    const result = await anon().auth.login({ loginRequest: { email, password } });
    assert.equal(result.mfaRequired, true, `login of ${email} should answer an MFA challenge`);
    assert.equal(typeof result.mfaToken, 'string');
    return result.mfaToken;
}

const reauthTokens = new Map();

/**
 * A proof of recent re-authentication (`reauthenticate`) for the session of `accessToken`, for
 * the operations that need an `X-Reauth-Token`: `proof` is { password } or { code } (TOTP);
 * without one, a code e-mailed by sendReauthCode (accounts without a password). A proof lives
 * 5 minutes and serves any number of changes in its session, so one is made per session
 * (and the e-mailed code, which may be resent only every 30 s, is asked for once).
 */
export async function reauthToken(accessToken, proof) {
    if (!reauthTokens.has(accessToken)) {
        const made = (async () => {
            const me = bearer(accessToken);
            let request = proof;
            if (request === undefined) {
                await me.auth.sendReauthCode();
                request = { emailCode: await signInCode((await me.auth.getMe()).email) };
            }
            const grant = await me.auth.reauthenticate({ reauthRequest: request });
            assert.equal(typeof grant.reauthToken, 'string');
            return grant.reauthToken;
        })();
        reauthTokens.set(accessToken, made);
        made.catch(() => reauthTokens.delete(accessToken));
    }
    return reauthTokens.get(accessToken);
}

/** Awaits `promise`, which must reject with a HeliumProblemError of that status and code. */
export async function expectProblem(promise, status, code, what = 'the call') {
    const err = await promise.then(
        (value) => assert.fail(`${what} should fail with ${status} ${code}, got ${JSON.stringify(value)}`),
        (e) => e,
    );
    assert.ok(
        err instanceof HeliumProblemError,
        `${what}: expected HeliumProblemError, got ${err?.name}: ${err?.message}`,
    );
    assert.equal(err.status, status, `${what}: status (${err.message})`);
    assert.equal(err.code, code, `${what}: code (${err.message})`);
    assert.equal(err.type, `urn:helium:problem:${code}`);
    assert.match(err.response?.headers.get('content-type') ?? '', /^application\/problem\+json/);
    return err;
}

/** Awaits `promise`, which must reject with a HeliumProblemError of that status (any code). */
export async function expectStatus(promise, status, what = 'the call') {
    const err = await promise.then(
        (value) => assert.fail(`${what} should fail with ${status}, got ${JSON.stringify(value)}`),
        (e) => e,
    );
    assert.ok(
        err instanceof HeliumProblemError,
        `${what}: expected HeliumProblemError, got ${err?.name}: ${err?.message}`,
    );
    assert.equal(err.status, status, `${what}: status (${err.message})`);
    return err;
}

/** The refresh token must no longer work (401; invalid or reused). */
export async function expectRefreshDead(refreshToken, what) {
    const err = await expectStatus(anon().auth.refreshToken({ refreshRequest: { refreshToken } }), 401, what);
    assert.ok(
        ['refresh_token_invalid', 'refresh_token_reused'].includes(err.code),
        `${what}: expected refresh_token_invalid or refresh_token_reused, got ${err.code}`,
    );
}

export function assertFutureDate(value, name) {
    assert.ok(value instanceof Date && !Number.isNaN(value.getTime()), `${name} should be a valid Date`);
    assert.ok(value.getTime() > Date.now(), `${name} should be in the future, got ${value.toISOString()}`);
}

export function assertTokenPair(tokens) {
    assert.equal(typeof tokens.accessToken, 'string');
    assert.ok(tokens.accessToken.length > 0, 'access_token should not be empty');
    assert.equal(tokens.tokenType, 'Bearer');
    assert.ok(Number.isInteger(tokens.expiresIn) && tokens.expiresIn > 0, 'expires_in should be a positive integer');
    assert.equal(typeof tokens.refreshToken, 'string');
    assert.ok(tokens.refreshToken.length > 0, 'refresh_token should not be empty');
    assert.notEqual(tokens.refreshToken, tokens.accessToken);
    assertFutureDate(tokens.refreshExpiresAt, 'refresh_expires_at');
}

export const TOKEN_PAIR_KEYS = ['access_token', 'expires_in', 'refresh_expires_at', 'refresh_token', 'token_type'];

/** A LoginResult model that is the MFA challenge: mfa_token only, no tokens. */
export function assertChallenge(result) {
    assert.equal(result.mfaRequired, true);
    assert.equal(typeof result.mfaToken, 'string');
    assert.ok(result.mfaToken.length > 0, 'mfa_token should not be empty');
    for (const field of ['accessToken', 'tokenType', 'expiresIn', 'refreshToken', 'refreshExpiresAt']) {
        assert.equal(result[field] ?? null, null, `an MFA challenge must not carry ${field}`);
    }
}

/** The raw JSON body of an MFA challenge: exactly {mfa_required: true, mfa_token}. */
export function assertChallengeBody(body) {
    assert.deepEqual(Object.keys(body).sort(), ['mfa_required', 'mfa_token'], `challenge body: ${JSON.stringify(body)}`);
    assert.equal(body.mfa_required, true);
    assert.equal(typeof body.mfa_token, 'string');
}

/** If the mfa_token is a JWT, its lifetime (exp - iat) must be the documented 300 s. */
export function assertChallengeLifetime(mfaToken) {
    const parts = mfaToken.split('.');
    if (parts.length !== 3) return; // opaque token: nothing to read
    let claims;
    try {
        claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
        return;
    }
    if (Number.isInteger(claims.exp) && Number.isInteger(claims.iat)) {
        assert.equal(claims.exp - claims.iat, 300, 'the mfa_token should expire 300 s after issue');
    }
}

export function assertRecoveryCodes(codes, what = 'recovery_codes') {
    assert.ok(Array.isArray(codes), `${what} should be an array`);
    assert.equal(codes.length, 10, `${what}: ten codes`);
    for (const code of codes) {
        assert.match(code, RECOVERY_CODE, `${what}: unexpected format ${JSON.stringify(code)}`);
    }
    assert.equal(new Set(codes).size, codes.length, `${what} should be distinct`);
}
