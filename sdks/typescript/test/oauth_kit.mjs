// OAuth / OIDC helpers of auth_oauth.test.mjs; not a test file itself.
//
// A local OpenID provider (oauth2-mock-server on 127.0.0.1, one generated RS256 key) stands
// in for Google & co. Its discovery, JWKS, token and userinfo endpoints are real HTTP, so the
// server runs its production code path: discovery, the code exchange with the PKCE verifier,
// and ID-token verification (JWKS signature, issuer, audience, expiry, nonce).
//
// The browser step is a plain `fetch(authorization_url, {redirect: 'manual'})`: the mock
// answers 302 to the redirect_uri with ?code=…&state=…, which is what a front end would post
// to completeOauthLogin / linkOauthMethod, together with the `binding` that
// getOauthAuthorizationUrl gave the client that started the flow (a browser would send the
// `__Host-helium_oauth` cookie instead). Nothing listens on the redirect_uri.
//
// Who the provider says the user is: `flow()` registers an identity (sub, email,
// email_verified, optional userinfo answer and token tampering) under the authorization code
// it got; the mock's hooks then shape the ID token, the token response and the userinfo
// answer of that code's exchange. Keyed by code, so no hook can leak into another test.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, createHmac, generateKeyPairSync, randomBytes, sign as rsaSign } from 'node:crypto';
import { promisify } from 'node:util';
import { OAuth2Server } from 'oauth2-mock-server';
import { sleep, sqlString, uniqueEmail } from './auth_kit.mjs';

const execFileP = promisify(execFile);

/** The provider as Helium knows it (see configureProviders). */
export const PROVIDER = 'mock';
/** A second provider on the same issuer with another client: states are per provider. */
export const OTHER_PROVIDER = 'mock2';
export const CLIENT_ID = 'helium-sdk-tests';
export const OTHER_CLIENT_ID = 'helium-sdk-tests-2';
export const CLIENT_SECRET = 'mock-provider-client-secret';
/** The provider's configured redirect_uri (nothing listens there: the test reads the redirect). */
export const REDIRECT_URI = 'http://127.0.0.1:1/cb';
/** The one extra entry of allowed_redirect_uris. */
export const EXTRA_REDIRECT_URI = 'http://127.0.0.1:1/app/oauth-done';

const b64url = (buffer) => Buffer.from(buffer).toString('base64url');

/** RFC 7636 S256: BASE64URL(SHA256(ASCII(verifier))). */
export function s256(verifier) {
    return b64url(createHash('sha256').update(verifier, 'ascii').digest());
}

// RFC 7636 appendix B.
assert.equal(s256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');

/** A fresh provider account: unique subject and a verified, unused e-mail address. */
export function newIdentity(label = 'oauth', extra = {}) {
    return {
        sub: `${label}-${randomBytes(8).toString('hex')}`,
        email: uniqueEmail(label),
        email_verified: true,
        ...extra,
    };
}

/** Header and payload of a compact JWS (no verification). */
export function decodeJwt(token) {
    const [header, payload] = token.split('.');
    return {
        header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')),
        payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
    };
}

/** A compact JWS over `header` and `payload`, signed by `signer(signingInput)` (or unsigned). */
export function encodeJwt(header, payload, signer = () => Buffer.alloc(0)) {
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    return `${input}.${b64url(signer(Buffer.from(input, 'ascii')))}`;
}

/** Re-signs an ID token with an RSA key the provider never published (same kid, same claims). */
export function forgeWithForeignKey(idToken) {
    const { header, payload } = decodeJwt(idToken);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return encodeJwt({ ...header, alg: 'RS256' }, payload, (input) => rsaSign('sha256', input, privateKey));
}

/** The classic key-confusion forgery: HS256 "signed" with a secret the client knows. */
export function forgeHs256(idToken, secret = CLIENT_SECRET) {
    const { header, payload } = decodeJwt(idToken);
    return encodeJwt({ ...header, alg: 'HS256' }, payload, (input) =>
        createHmac('sha256', secret).update(input).digest(),
    );
}

/** `alg: none`, no signature. */
export function forgeUnsigned(idToken) {
    const { header, payload } = decodeJwt(idToken);
    return encodeJwt({ ...header, alg: 'none' }, payload);
}

export class MockProvider {
    constructor() {
        this.server = new OAuth2Server();
        /** authorization code → identity spec (until its token exchange). */
        this.byCode = new Map();
        /** access token → identity spec (for userinfo). */
        this.byAccessToken = new Map();
        /** Every token request the mock received: { code, client_id, redirect_uri, code_verifier }. */
        this.tokenRequests = [];
        this.userinfoRequests = 0;
    }

    get service() {
        return this.server.service;
    }

    /** The issuer URL (http://127.0.0.1:<port>), once started. */
    get issuer() {
        return this.server.issuer.url;
    }

    async start() {
        await this.server.issuer.keys.generate('RS256');
        await this.server.start(0, '127.0.0.1');
        // The mock would name itself http://localhost:<port>; pin the address it listens on.
        this.server.issuer.url = `http://127.0.0.1:${this.server.address().port}`;

        this.service.on('beforeTokenSigning', (token, req) => {
            const spec = this.byCode.get(req.body?.code);
            if (!spec) return;
            // The mock signs the access token and then the ID token with this event; only the
            // ID token carries aud = the client's id.
            const isIdToken = token.payload.aud !== undefined && token.payload.aud === req.body.client_id;
            token.payload.sub = spec.sub;
            if (!isIdToken) return;
            for (const claim of ['email', 'email_verified', 'name']) {
                if (spec[claim] !== undefined) token.payload[claim] = spec[claim];
            }
            spec.idToken?.(token.payload, token.header);
        });
        this.service.on('beforeResponse', (response, req) => {
            const code = req.body?.code;
            this.tokenRequests.push({
                code,
                client_id: req.body?.client_id,
                redirect_uri: req.body?.redirect_uri,
                code_verifier: req.body?.code_verifier,
                grant_type: req.body?.grant_type,
            });
            const spec = this.byCode.get(code);
            if (!spec) return;
            this.byCode.delete(code);
            if (typeof response.body?.access_token === 'string') {
                this.byAccessToken.set(response.body.access_token, spec);
            }
            spec.tokenResponse?.(response);
        });
        this.service.on('beforeUserinfo', (response, req) => {
            this.userinfoRequests += 1;
            const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
            const spec = token && this.byAccessToken.get(token);
            if (spec?.userinfo) response.body = spec.userinfo;
            else if (spec) response.body = { sub: spec.sub };
        });
    }

    async stop() {
        if (this.server.listening) await this.server.stop();
    }

    /** Provider entries for the `auth` config: `mock` and `mock2` on this issuer. */
    providerConfigs() {
        return [
            {
                name: PROVIDER,
                client_id: CLIENT_ID,
                client_secret: CLIENT_SECRET,
                redirect_uri: REDIRECT_URI,
                issuer: this.issuer,
                allowed_redirect_uris: [EXTRA_REDIRECT_URI],
            },
            {
                name: OTHER_PROVIDER,
                client_id: OTHER_CLIENT_ID,
                client_secret: CLIENT_SECRET,
                redirect_uri: REDIRECT_URI,
                issuer: this.issuer,
            },
        ];
    }

    /**
     * One browser round trip: asks Helium for the authorization URL (as `helium`, a client
     * with or without a bearer token), optionally rewrites it (`tamperUrl(url: URL)`), visits
     * it and returns { url, params, code, state, location } from the provider's redirect, the
     * flow's `binding` and `setCookie` (the binding cookie header), and `callback`: the
     * { code, state, binding } a client posts back.
     * `identity` (see newIdentity; plus optional idToken(payload, header), tokenResponse(res),
     * userinfo) is who the provider will say signed in when this code is exchanged.
     */
    async flow(helium, identity, { provider = PROVIDER, redirectUri, tamperUrl } = {}) {
        const raw = await helium.auth.getOauthAuthorizationUrlRaw({ provider, redirectUri });
        const setCookie = raw.raw.headers.get('set-cookie');
        const { authorizationUrl, binding } = await raw.value();
        assert.equal(typeof binding, 'string', 'getOauthAuthorizationUrl should return the flow binding');
        const url = new URL(authorizationUrl);
        const params = Object.fromEntries(url.searchParams);
        if (tamperUrl) tamperUrl(url);
        const { code, state, location } = await visit(url);
        if (identity) this.byCode.set(code, identity);
        return {
            url: new URL(authorizationUrl),
            params,
            code,
            state,
            location,
            binding,
            setCookie,
            callback: { code, state, binding },
        };
    }
}

/** What a browser does with the authorization URL: follow it to the provider's redirect. */
export async function visit(url) {
    const res = await fetch(url, { redirect: 'manual' });
    await res.arrayBuffer();
    assert.equal(res.status, 302, `the provider should redirect back, got ${res.status}`);
    const location = new URL(res.headers.get('location'));
    const code = location.searchParams.get('code');
    const state = location.searchParams.get('state');
    assert.ok(code, `the redirect should carry a code: ${location}`);
    assert.ok(state, `the redirect should carry the state: ${location}`);
    return { code, state, location };
}

const redisUrl = () => process.env.HELIUM_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** How long the server keeps a module config in process (the Redis copy is dropped on update). */
export const CONFIG_LOCAL_CACHE_MS = 1_200;

/**
 * Sets `value` at `path` (e.g. '{oauth_providers,challenge_expiration}') in the server's `auth`
 * config row, bumps its version and drops the server's Redis copy; the server uses the new
 * value at most CONFIG_LOCAL_CACHE_MS later (its in-process cache lives 1 s).
 */
export async function setAuthConfig(server, path, value) {
    await server.sql(
        `UPDATE application__config SET value = jsonb_set(value, ${sqlString(path)}, ` +
            `${sqlString(JSON.stringify(value))}::jsonb), version = version + 1, updated_at = now() WHERE key = 'auth'`,
    );
    try {
        await execFileP('redis-cli', ['-u', redisUrl(), 'DEL', `${server.redisKeyPrefix}config:auth`], {
            timeout: 10_000,
        });
    } catch {
        // No redis-cli: the Redis entry expires within 3 s anyway (callers poll or wait longer).
    }
}

/**
 * Replaces the `auth` config's OAuth providers and waits until `probe()` (e.g. an authorize
 * call for each provider) succeeds, polling instead of sleeping a fixed time.
 */
export async function configureProviders(server, providers, { probe }) {
    await setAuthConfig(server, '{oauth_providers,providers}', providers);
    const deadline = Date.now() + 15_000;
    for (;;) {
        let error;
        try {
            if (await probe()) return;
        } catch (err) {
            error = err;
        }
        if (Date.now() > deadline) {
            assert.fail(`the server did not pick up the OAuth provider config: ${error?.message ?? 'probe false'}`);
        }
        await sleep(100);
    }
}
