// Live tests for OAuth / OIDC sign-in and login methods (tag `auth`): getOauthAuthorizationUrl,
// completeOauthLogin, linkOauthMethod, listLoginMethods, setPassword, removeLoginMethod.
// A local OpenID provider (oauth2-mock-server, see oauth_kit.mjs) is configured as provider
// `mock` (and `mock2`, the same issuer with another client) in the server's `auth` config.
// A flow is bound to the client that started it (the `binding` getOauthAuthorizationUrl
// returns goes back with the callback), and changes to the sign-in methods (link, set
// password, remove) need a recent re-authentication of the session (`X-Reauth-Token`, see
// auth_kit.mjs reauthToken: the password, or for accounts without one an e-mailed code).
// Naming rule (enforced by coverage.test.mjs): every operationId needs a test named
// "<operationId>: ...". Every test uses its own provider accounts and e-mail addresses.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import {
    anon,
    assertChallenge,
    assertTokenPair,
    Authenticator,
    bearer,
    expectProblem,
    mail,
    mailCount,
    PASSWORD,
    reauthToken,
    signInCode,
    signUp,
    sleep,
    sqlString,
    useAuthServer,
} from './auth_kit.mjs';
import {
    CLIENT_ID,
    CONFIG_LOCAL_CACHE_MS,
    configureProviders,
    EXTRA_REDIRECT_URI,
    forgeHs256,
    forgeUnsigned,
    forgeWithForeignKey,
    MockProvider,
    newIdentity,
    OTHER_PROVIDER,
    PROVIDER,
    REDIRECT_URI,
    s256,
    setAuthConfig,
} from './oauth_kit.mjs';

const server = useAuthServer();
const idp = new MockProvider();

before(async () => {
    await idp.start();
    await server.ready;
    await configureProviders(server, idp.providerConfigs(), {
        probe: async () => {
            for (const provider of [PROVIDER, OTHER_PROVIDER]) {
                await anon().auth.getOauthAuthorizationUrl({ provider });
            }
            return true;
        },
    });
});

after(async () => {
    await idp.stop();
});

// ---------------------------------------------------------------- helpers

const OPAQUE = /^[A-Za-z0-9_-]+$/;

/** Bits of entropy a base64url token can carry at most (6 per character). */
const base64urlBits = (value) => value.length * 6;

/** A full anonymous sign-in with `identity`: the LoginResult (throws a HeliumProblemError). */
async function oauthLogin(identity, options = {}) {
    const { callback } = await idp.flow(anon(), identity, options);
    return anon().auth.completeOauthLogin({ provider: options.provider ?? PROVIDER, oauthCallbackRequest: callback });
}

/** The re-authentication proof of a customer who signed up with a password (see signUp). */
const PASSWORD_PROOF = { password: PASSWORD };

/** A new Helium account created by signing in with a fresh provider account. */
async function oauthSignUp(label = 'oauth', extra = {}) {
    const identity = newIdentity(label, extra);
    const result = await oauthLogin(identity);
    assert.equal(result.mfaRequired, false);
    assertTokenPair(result);
    const me = await bearer(result.accessToken).auth.getMe();
    return { identity, tokens: result, account: me, email: identity.email };
}

/**
 * Links `identity` to the customer behind `accessToken`, re-authenticated with `options.proof`
 * (default: an e-mailed code, for accounts without a password): the LoginMethod.
 */
async function link(accessToken, identity, options = {}) {
    const helium = bearer(accessToken);
    const { callback } = await idp.flow(helium, identity, options);
    return helium.auth.linkOauthMethod({
        provider: options.provider ?? PROVIDER,
        xReauthToken: await reauthToken(accessToken, options.proof),
        oauthCallbackRequest: callback,
    });
}

async function methods(accessToken) {
    return (await bearer(accessToken).auth.listLoginMethods()).items;
}

async function methodIds(accessToken) {
    return (await methods(accessToken)).map((m) => (m.kind === 'oauth' ? `oauth:${m.provider}` : m.id));
}

async function usersWithEmail(email) {
    return Number(await server.sql(`SELECT count(*) FROM auth.users WHERE email = ${sqlString(email.toLowerCase())}`));
}

async function identitiesWithSubject(sub) {
    return Number(await server.sql(`SELECT count(*) FROM auth.oauth_identities WHERE subject = ${sqlString(sub)}`));
}

// ---------------------------------------------------------------- getOauthAuthorizationUrl

test('getOauthAuthorizationUrl: the provider URL with code flow, client_id, redirect_uri, scope, a state of at least 128 bits, an S256 PKCE challenge and a nonce', async () => {
    const raw = await anon().auth.getOauthAuthorizationUrlRaw({ provider: PROVIDER });
    assert.equal(raw.raw.status, 200);
    assert.match(raw.raw.headers.get('content-type') ?? '', /^application\/json/);
    const body = await raw.raw.clone().json();
    assert.deepEqual(Object.keys(body).sort(), ['authorization_url', 'binding']);
    const { authorizationUrl, binding } = await raw.value();
    assert.equal(authorizationUrl, body.authorization_url);
    assert.equal(binding, body.binding);
    assert.match(binding, OPAQUE, 'the binding should be URL-safe');
    assert.ok(base64urlBits(binding) >= 128, `the binding should carry at least 128 bits, got ${binding}`);
    assert.ok(!authorizationUrl.includes(binding), 'the binding never goes to the provider');
    // Browsers get the binding as a host-only, secure, HTTP-only cookie.
    const cookie = raw.raw.headers.get('set-cookie') ?? '';
    const [pair, ...attributes] = cookie.split(';').map((part) => part.trim());
    assert.equal(pair, `__Host-helium_oauth=${binding}`, `Set-Cookie: ${cookie}`);
    const attrs = attributes.map((a) => a.toLowerCase());
    for (const attr of ['path=/', 'secure', 'httponly', 'samesite=lax']) {
        assert.ok(attrs.includes(attr), `the binding cookie should have ${attr}: ${cookie}`);
    }
    assert.ok(!attrs.some((a) => a.startsWith('domain=')), `a __Host- cookie has no Domain: ${cookie}`);

    const url = new URL(authorizationUrl);
    assert.equal(
        `${url.origin}${url.pathname}`,
        `${idp.issuer}/authorize`,
        "the discovery document's authorization_endpoint",
    );
    const p = url.searchParams;
    for (const name of [
        'response_type',
        'client_id',
        'redirect_uri',
        'scope',
        'state',
        'code_challenge',
        'code_challenge_method',
        'nonce',
    ]) {
        assert.equal(p.getAll(name).length, 1, `exactly one ${name} parameter: ${authorizationUrl}`);
    }
    assert.equal(p.get('response_type'), 'code');
    assert.equal(p.get('client_id'), CLIENT_ID);
    assert.equal(p.get('redirect_uri'), REDIRECT_URI, 'the configured redirect_uri when none is asked for');
    assert.deepEqual(p.get('scope').split(' ').sort(), ['email', 'openid', 'profile'], 'the OIDC default scopes');
    assert.equal(p.get('code_challenge_method'), 'S256');
    assert.match(p.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/, 'S256 challenge: base64url of a SHA-256 digest');
    for (const name of ['state', 'nonce']) {
        assert.match(p.get(name), OPAQUE, `${name} should be URL-safe`);
        assert.ok(base64urlBits(p.get(name)) >= 128, `${name} should carry at least 128 bits, got ${p.get(name)}`);
    }

    // Every flow has its own state, verifier, nonce and binding.
    const second = await anon().auth.getOauthAuthorizationUrl({ provider: PROVIDER });
    const again = new URL(second.authorizationUrl).searchParams;
    for (const name of ['state', 'code_challenge', 'nonce']) {
        assert.notEqual(again.get(name), p.get(name), `${name} must differ between flows`);
    }
    assert.notEqual(second.binding, binding, 'the binding must differ between flows');
    assert.notEqual(p.get('state'), p.get('nonce'));
    assert.ok(![p.get('state'), p.get('nonce')].includes(binding));
});

test('getOauthAuthorizationUrl: the verifier sent to the token endpoint matches the S256 challenge; the redirect_uri of the flow is used', async () => {
    const identity = newIdentity('pkce-ok');
    const { params, code, state, binding, location } = await idp.flow(anon(), identity, { redirectUri: EXTRA_REDIRECT_URI });
    assert.equal(params.redirect_uri, EXTRA_REDIRECT_URI, 'an allowed redirect_uri is used as asked');
    assert.equal(`${location.origin}${location.pathname}`, EXTRA_REDIRECT_URI, 'the provider redirects there');
    assert.equal(state, params.state, 'the provider returns the state unchanged');

    assertTokenPair(
        await anon().auth.completeOauthLogin({ provider: PROVIDER, oauthCallbackRequest: { code, state, binding } }),
    );
    const exchange = idp.tokenRequests.find((r) => r.code === code);
    assert.ok(exchange, 'the server exchanged the code at the token endpoint');
    assert.equal(exchange.grant_type, 'authorization_code');
    assert.equal(exchange.client_id, CLIENT_ID);
    assert.equal(exchange.redirect_uri, EXTRA_REDIRECT_URI, 'the exchange repeats the redirect_uri of the flow');
    assert.match(exchange.code_verifier, /^[A-Za-z0-9._~-]{43,128}$/, 'an RFC 7636 code_verifier');
    assert.equal(
        s256(exchange.code_verifier),
        params.code_challenge,
        'code_challenge = BASE64URL(SHA256(code_verifier))',
    );
});

test('getOauthAuthorizationUrl: a redirect_uri outside the allow list is 422 redirect_uri_not_allowed (exact match only)', async () => {
    const bad = {
        'another host': 'https://evil.example/cb',
        'another port': 'http://127.0.0.1:2/cb',
        'https instead of http': 'https://127.0.0.1:1/cb',
        'a trailing slash': `${REDIRECT_URI}/`,
        'a longer path': `${REDIRECT_URI}/../evil`,
        'an added query': `${REDIRECT_URI}?next=https://evil.example`,
        'an added fragment': `${EXTRA_REDIRECT_URI}#x`,
        'a prefix of an allowed URI': 'http://127.0.0.1:1/app',
        'different case': REDIRECT_URI.toUpperCase(),
        'not a URL': 'javascript:alert(1)',
    };
    for (const [why, redirectUri] of Object.entries(bad)) {
        await expectProblem(
            anon().auth.getOauthAuthorizationUrl({ provider: PROVIDER, redirectUri }),
            422,
            'redirect_uri_not_allowed',
            `redirect_uri with ${why}`,
        );
    }
    // The configured default and the extra URI are fine, asked for explicitly.
    for (const redirectUri of [REDIRECT_URI, EXTRA_REDIRECT_URI]) {
        const { authorizationUrl } = await anon().auth.getOauthAuthorizationUrl({ provider: PROVIDER, redirectUri });
        assert.equal(new URL(authorizationUrl).searchParams.get('redirect_uri'), redirectUri);
    }
    // mock2 allows only its own redirect_uri.
    await expectProblem(
        anon().auth.getOauthAuthorizationUrl({ provider: OTHER_PROVIDER, redirectUri: EXTRA_REDIRECT_URI }),
        422,
        'redirect_uri_not_allowed',
        "another provider's allowed redirect_uri",
    );
});

test('getOauthAuthorizationUrl: an unknown provider is 404 oauth_provider_unknown', async () => {
    for (const provider of ['nope', 'google', 'github', 'mock3']) {
        await expectProblem(
            anon().auth.getOauthAuthorizationUrl({ provider }),
            404,
            'oauth_provider_unknown',
            `authorize for ${provider}`,
        );
    }
});

test('getOauthAuthorizationUrl: an invalid bearer token is 401 unauthenticated (not an anonymous flow)', async () => {
    await expectProblem(
        bearer('not-a-token').auth.getOauthAuthorizationUrl({ provider: PROVIDER }),
        401,
        'unauthenticated',
        'authorize with a malformed bearer token',
    );
});

// ---------------------------------------------------------------- completeOauthLogin

test('completeOauthLogin: a new provider account creates a Helium account and signs in; the same identity signs into it again', async () => {
    const identity = newIdentity('oauth-new', { name: 'Ada Lovelace' });
    const { code, state, binding } = await idp.flow(anon(), identity);

    const raw = await anon().auth.completeOauthLoginRaw({ provider: PROVIDER, oauthCallbackRequest: { code, state, binding } });
    assert.equal(raw.raw.status, 200);
    const body = await raw.raw.clone().json();
    assert.equal(body.mfa_required, false);
    const first = await raw.value();
    assertTokenPair(first);

    const me = bearer(first.accessToken);
    const account = await me.auth.getMe();
    assert.equal(account.email, identity.email, "the account takes the provider's verified e-mail");
    assert.equal(account.mfaEnabled, false);
    assert.deepEqual(await methodIds(first.accessToken), ['email_code', `oauth:${PROVIDER}`], 'no password');
    const [identityMethod] = (await methods(first.accessToken)).filter((m) => m.kind === 'oauth');
    assert.equal(identityMethod.email, identity.email);
    assert.equal(await usersWithEmail(identity.email), 1);
    const registered = await server.sql(
        "SELECT payload->>'method' || ':' || (payload->>'provider') FROM outbox WHERE event_type = 'user.registered' " +
            `AND payload->>'user_id' = ${sqlString(account.id)}`,
    );
    assert.equal(registered, `oauth:${PROVIDER}`, 'one user.registered event (method oauth)');

    // The same provider account later reaches the same Helium account, with a new session.
    const second = await oauthLogin(identity);
    assertTokenPair(second);
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.equal((await bearer(second.accessToken).auth.getMe()).id, account.id);
    assert.equal(await usersWithEmail(identity.email), 1, 'no second account');
    assert.equal((await me.auth.listSessions()).items.length, 2);

    // Even when the provider now reports another e-mail: the account is found by subject.
    const third = await oauthLogin({ ...identity, email: `changed-${identity.email}` });
    assert.equal((await bearer(third.accessToken).auth.getMe()).id, account.id);
    assert.equal(await usersWithEmail(`changed-${identity.email}`), 0);
});

test('completeOauthLogin: OAuth sign-up obeys the registration domain rules like register does', async () => {
    const identity = newIdentity('oauth-blocked', { email: `blocked-${randomBytes(4).toString('hex')}@blocked.test` });
    await setAuthConfig(server, '{email_provider,register_domain}', {
        enable_white_list: false,
        white_list: [],
        enable_black_list: true,
        black_list: ['blocked.test'],
    });
    try {
        // The server's in-process config cache lives 1 s.
        await new Promise((r) => setTimeout(r, 1_500));
        const { code, state, binding } = await idp.flow(anon(), identity);
        const problem = await anon()
            .auth.completeOauthLogin({ provider: PROVIDER, oauthCallbackRequest: { code, state, binding } })
            .then(() => null, (e) => e);
        assert.equal(problem?.status, 422);
        assert.equal(problem?.code, 'email_domain_not_allowed');
        assert.equal(await usersWithEmail(identity.email), 0);
    } finally {
        await setAuthConfig(server, '{email_provider,register_domain}', {
            enable_white_list: false,
            white_list: [],
            enable_black_list: false,
            black_list: [],
        });
    }
});

test('completeOauthLogin: an unknown state is 400 oauth_state_invalid', async () => {
    const identity = newIdentity('state-unknown');
    const { code, state, binding } = await idp.flow(anon(), identity);
    for (const [why, bogus] of Object.entries({
        'a random state': randomBytes(32).toString('base64url'),
        'the state with one character changed': state.slice(0, -1) + (state.endsWith('A') ? 'B' : 'A'),
        'the nonce of another flow': new URL(
            (await anon().auth.getOauthAuthorizationUrl({ provider: PROVIDER })).authorizationUrl,
        ).searchParams.get('nonce'),
    })) {
        await expectProblem(
            anon().auth.completeOauthLogin({ provider: PROVIDER, oauthCallbackRequest: { code, state: bogus, binding } }),
            400,
            'oauth_state_invalid',
            `callback with ${why}`,
        );
    }
    assert.equal(idp.tokenRequests.filter((r) => r.code === code).length, 0, 'no code exchange without a valid state');
    assert.equal(await usersWithEmail(identity.email), 0);
    // The real state still works.
    assertTokenPair(
        await anon().auth.completeOauthLogin({ provider: PROVIDER, oauthCallbackRequest: { code, state, binding } }),
    );
});

test('completeOauthLogin: the flow is bound to the client that started it: a missing or foreign binding is 400 oauth_state_invalid and nothing is exchanged; a browser\'s binding cookie stands in for the field', async () => {
    const foreignBinding = async () => (await anon().auth.getOauthAuthorizationUrl({ provider: PROVIDER })).binding;
    for (const [why, callbackOf] of Object.entries({
        'no binding': async (f) => ({ code: f.code, state: f.state }),
        "another flow's binding": async (f) => ({ code: f.code, state: f.state, binding: await foreignBinding() }),
        'the state as binding': async (f) => ({ code: f.code, state: f.state, binding: f.state }),
    })) {
        const identity = newIdentity('binding-bad');
        const flow = await idp.flow(anon(), identity);
        await expectProblem(
            anon().auth.completeOauthLogin({ provider: PROVIDER, oauthCallbackRequest: await callbackOf(flow) }),
            400,
            'oauth_state_invalid',
            `callback with ${why}`,
        );
        assert.equal(idp.tokenRequests.filter((r) => r.code === flow.code).length, 0, `${why}: no code exchange`);
        assert.equal(await usersWithEmail(identity.email), 0, `${why}: no account`);
    }

    // A browser posts no binding field; it sends the cookie the authorize answer set.
    const cookieOf = (binding) => ({ headers: { Cookie: `__Host-helium_oauth=${binding}` } });
    const stranger = await idp.flow(anon(), newIdentity('binding-cookie-foreign'));
    await expectProblem(
        anon(cookieOf(await foreignBinding())).auth.completeOauthLogin({
            provider: PROVIDER,
            oauthCallbackRequest: { code: stranger.code, state: stranger.state },
        }),
        400,
        'oauth_state_invalid',
        "callback with another flow's binding cookie",
    );
    const identity = newIdentity('binding-cookie');
    const flow = await idp.flow(anon(), identity);
    const pair = await anon(cookieOf(flow.binding)).auth.completeOauthLogin({
        provider: PROVIDER,
        oauthCallbackRequest: { code: flow.code, state: flow.state },
    });
    assertTokenPair(pair);
    assert.equal((await bearer(pair.accessToken).auth.getMe()).email, identity.email);
});

test('completeOauthLogin: a state works once (reuse is 400 oauth_state_invalid), also after a failed exchange', async () => {
    const identity = newIdentity('state-reuse');
    const { code, state, binding } = await idp.flow(anon(), identity);
    assertTokenPair(
        await anon().auth.completeOauthLogin({ provider: PROVIDER, oauthCallbackRequest: { code, state, binding } }),
    );
    await expectProblem(
        anon().auth.completeOauthLogin({ provider: PROVIDER, oauthCallbackRequest: { code, state, binding } }),
        400,
        'oauth_state_invalid',
        'second callback with the same state',
    );

    // A state whose exchange failed is spent as well.
    const failed = await idp.flow(anon(), newIdentity('state-reuse-fail'));
    await expectProblem(
        anon().auth.completeOauthLogin({
            provider: PROVIDER,
            oauthCallbackRequest: { code: 'wrong-code', state: failed.state, binding: failed.binding },
        }),
        401,
        'oauth_exchange_failed',
        'callback with a code the provider never issued',
    );
    await expectProblem(
        anon().auth.completeOauthLogin({
            provider: PROVIDER,
            oauthCallbackRequest: failed.callback,
        }),
        400,
        'oauth_state_invalid',
        'retry with the right code after a failed exchange',
    );
});

test('completeOauthLogin: an expired state (older than oauth_providers.challenge_expiration) is 400 oauth_state_invalid', async () => {
    const path = '{oauth_providers,challenge_expiration}';
    const original = JSON.parse(
        await server.sql(
            "SELECT value->'oauth_providers'->'challenge_expiration' FROM application__config WHERE key = 'auth'",
        ),
    );
    await setAuthConfig(server, path, '1'); // Seconds are decimal strings in config documents
    try {
        await sleep(CONFIG_LOCAL_CACHE_MS);
        const identity = newIdentity('state-expired');
        const { code, state, binding } = await idp.flow(anon(), identity);
        await sleep(1_500);
        await expectProblem(
            anon().auth.completeOauthLogin({ provider: PROVIDER, oauthCallbackRequest: { code, state, binding } }),
            400,
            'oauth_state_invalid',
            'callback after the state expired',
        );
        assert.equal(
            idp.tokenRequests.filter((r) => r.code === code).length,
            0,
            'no code exchange for an expired state',
        );
        assert.equal(await usersWithEmail(identity.email), 0);
    } finally {
        await setAuthConfig(server, path, original);
        await sleep(CONFIG_LOCAL_CACHE_MS);
    }
});

test("completeOauthLogin: another provider's state is 400 oauth_state_invalid", async () => {
    const identity = newIdentity('state-provider');
    const { code, state, binding } = await idp.flow(anon(), identity, { provider: OTHER_PROVIDER });
    await expectProblem(
        anon().auth.completeOauthLogin({ provider: PROVIDER, oauthCallbackRequest: { code, state, binding } }),
        400,
        'oauth_state_invalid',
        "mock2's state at mock's callback",
    );
    assert.equal(await usersWithEmail(identity.email), 0);
});

test('completeOauthLogin: a state started by a signed-in customer (link flow) is 400 oauth_state_invalid; nothing is linked', async () => {
    const owner = await oauthSignUp('linkstate-owner');
    const identity = newIdentity('linkstate');
    const { code, state, binding } = await idp.flow(bearer(owner.tokens.accessToken), identity);
    await expectProblem(
        anon().auth.completeOauthLogin({ provider: PROVIDER, oauthCallbackRequest: { code, state, binding } }),
        400,
        'oauth_state_invalid',
        'sign-in with a link-bound state',
    );
    assert.equal(await identitiesWithSubject(identity.sub), 0);
    assert.equal(await usersWithEmail(identity.email), 0);
    assert.deepEqual(await methodIds(owner.tokens.accessToken), ['email_code', `oauth:${PROVIDER}`]);
});

test('completeOauthLogin: a PKCE mismatch (the provider saw another code_challenge) is 401 oauth_exchange_failed; no account is created', async () => {
    const identity = newIdentity('pkce-bad');
    const attackerVerifier = randomBytes(32).toString('base64url');
    const { code, state, binding, params } = await idp.flow(anon(), identity, {
        tamperUrl: (url) => url.searchParams.set('code_challenge', s256(attackerVerifier)),
    });
    assert.notEqual(s256(attackerVerifier), params.code_challenge);
    await expectProblem(
        anon().auth.completeOauthLogin({ provider: PROVIDER, oauthCallbackRequest: { code, state, binding } }),
        401,
        'oauth_exchange_failed',
        'callback whose code was bound to another PKCE challenge',
    );
    assert.equal(await usersWithEmail(identity.email), 0);
    assert.equal(await identitiesWithSubject(identity.sub), 0);
});

const nowSecs = () => Math.floor(Date.now() / 1000);

/** ID tokens the server must refuse: [why, identity fields (idToken / tokenResponse hooks)]. */
const BAD_ID_TOKENS = [
    [
        'whose nonce does not match the flow',
        { idToken: (payload) => (payload.nonce = randomBytes(32).toString('base64url')) },
    ],
    ['without a nonce', { idToken: (payload) => delete payload.nonce }],
    ['for another audience', { idToken: (payload) => (payload.aud = 'someone-else') }],
    ['naming another issuer', { idToken: (payload) => (payload.iss = 'https://evil.example') }],
    ['naming the issuer with a trailing slash', { idToken: (payload) => (payload.iss = `${payload.iss}/`) }],
    [
        'that expired ten minutes ago',
        {
            idToken: (payload) => {
                payload.iat = nowSecs() - 4200;
                payload.nbf = payload.iat;
                payload.exp = nowSecs() - 600;
            },
        },
    ],
    [
        'signed by a key the provider never published',
        { tokenResponse: (r) => (r.body.id_token = forgeWithForeignKey(r.body.id_token)) },
    ],
    [
        'signed with HS256 and the client secret',
        { tokenResponse: (r) => (r.body.id_token = forgeHs256(r.body.id_token)) },
    ],
    ['with alg none', { tokenResponse: (r) => (r.body.id_token = forgeUnsigned(r.body.id_token)) }],
    ['that is missing', { tokenResponse: (r) => delete r.body.id_token }],
    ['that is not a JWT', { tokenResponse: (r) => (r.body.id_token = 'not-a-jwt') }],
];

for (const [why, hooks] of BAD_ID_TOKENS) {
    test(`completeOauthLogin: an ID token ${why} is 401 oauth_exchange_failed; no account is created`, async () => {
        const identity = newIdentity('idtoken-bad', hooks);
        await expectProblem(oauthLogin(identity), 401, 'oauth_exchange_failed', `an ID token ${why}`);
        assert.equal(await usersWithEmail(identity.email), 0);
        assert.equal(await identitiesWithSubject(identity.sub), 0);
    });
}

test('completeOauthLogin: the token endpoint refusing the code is 401 oauth_exchange_failed', async () => {
    const identity = newIdentity('token-refused', {
        tokenResponse: (r) => {
            r.statusCode = 400;
            r.body = { error: 'invalid_grant' };
        },
    });
    await expectProblem(oauthLogin(identity), 401, 'oauth_exchange_failed', 'a refused code');
    assert.equal(await usersWithEmail(identity.email), 0);
});

test('completeOauthLogin: a verified e-mail that already has an account is 409 account_exists_link_required; nothing is linked or signed in', async () => {
    const existing = await signUp('oauth-exists');
    for (const email of [existing.email, existing.email.toUpperCase()]) {
        const identity = newIdentity('oauth-exists', { email });
        const { code, state, binding } = await idp.flow(anon(), identity);
        await expectProblem(
            anon().auth.completeOauthLogin({ provider: PROVIDER, oauthCallbackRequest: { code, state, binding } }),
            409,
            'account_exists_link_required',
            `sign-in with a provider account sharing the e-mail ${email}`,
        );
        assert.equal(await identitiesWithSubject(identity.sub), 0, 'nothing linked');
    }
    assert.equal(await usersWithEmail(existing.email), 1);
    assert.deepEqual(
        await methodIds(existing.tokens.accessToken),
        ['password', 'email_code'],
        "the owner's methods are unchanged",
    );
    assert.equal(
        (await bearer(existing.tokens.accessToken).auth.listSessions()).items.length,
        1,
        'no session was opened',
    );
});

test('completeOauthLogin: no verified e-mail is 422 oauth_email_required; no account is created', async () => {
    const cases = {
        'email_verified false': { email_verified: false },
        'email_verified absent': { email_verified: undefined },
        'email_verified "yes"': { email_verified: 'yes' },
        'no e-mail at all': { email: undefined, email_verified: undefined },
        'an unverified e-mail and a verified one from userinfo for another subject': {
            email_verified: false,
            userinfo: { sub: 'someone-else', email: 'other@example.test', email_verified: true },
        },
        'userinfo with the same subject but an unverified e-mail': {
            email: undefined,
            email_verified: undefined,
            userinfo: 'same-sub-unverified',
        },
    };
    for (const [why, extra] of Object.entries(cases)) {
        const identity = newIdentity('no-email', extra);
        if (identity.userinfo === 'same-sub-unverified') {
            identity.userinfo = { sub: identity.sub, email: `${identity.sub}@example.test`, email_verified: false };
        }
        await expectProblem(oauthLogin(identity), 422, 'oauth_email_required', `a provider account with ${why}`);
        assert.equal(await identitiesWithSubject(identity.sub), 0, `${why}: nothing linked`);
        if (identity.email) assert.equal(await usersWithEmail(identity.email), 0, `${why}: no account`);
    }
});

test('completeOauthLogin: a verified e-mail from userinfo for the same subject is enough', async () => {
    const email = newIdentity('userinfo').email;
    const identity = newIdentity('userinfo', { email: undefined, email_verified: undefined });
    identity.userinfo = { sub: identity.sub, email, email_verified: true };
    const before = idp.userinfoRequests;
    const result = await oauthLogin(identity);
    assertTokenPair(result);
    assert.ok(idp.userinfoRequests > before, 'the server asked the userinfo endpoint');
    assert.equal((await bearer(result.accessToken).auth.getMe()).email, email);
});

test('completeOauthLogin: an account with TOTP on gets an MFA challenge; loginMfa completes it', async () => {
    const { identity, tokens, account } = await oauthSignUp('oauth-mfa');
    const me = bearer(tokens.accessToken);
    const { secret } = await me.auth.setupTotp();
    const totp = new Authenticator(secret);
    await me.auth.enableTotp({ totpCodeRequest: { code: await totp.next() } });

    const raw = await anon().auth.completeOauthLoginRaw({
        provider: PROVIDER,
        oauthCallbackRequest: (await idp.flow(anon(), identity)).callback,
    });
    assert.deepEqual(Object.keys(await raw.raw.clone().json()).sort(), ['mfa_required', 'mfa_token']);
    const challenge = await raw.value();
    assertChallenge(challenge);
    const pair = await anon().auth.loginMfa({
        loginMfaRequest: { mfaToken: challenge.mfaToken, code: await totp.next() },
    });
    assertTokenPair(pair);
    assert.equal((await bearer(pair.accessToken).auth.getMe()).id, account.id);
});

test('completeOauthLogin: a banned account is 403 account_banned', async () => {
    const { identity, email } = await oauthSignUp('oauth-banned');
    await server.sql(`UPDATE auth.users SET status = 'banned' WHERE email = ${sqlString(email)}`);
    await expectProblem(oauthLogin(identity), 403, 'account_banned', 'sign-in of a banned account');
});

test('completeOauthLogin: an unknown provider is 404 oauth_provider_unknown; an empty code or state is 422 validation_failed', async () => {
    const { code, state, binding } = await idp.flow(anon(), newIdentity('callback-404'));
    await expectProblem(
        anon().auth.completeOauthLogin({ provider: 'nope', oauthCallbackRequest: { code, state, binding } }),
        404,
        'oauth_provider_unknown',
        'callback for an unknown provider',
    );
    for (const [why, request] of Object.entries({
        'an empty code': { code: '', state, binding },
        'an empty state': { code, state: '', binding },
    })) {
        await expectProblem(
            anon().auth.completeOauthLogin({ provider: PROVIDER, oauthCallbackRequest: request }),
            422,
            'validation_failed',
            `callback with ${why}`,
        );
    }
});

// ---------------------------------------------------------------- listLoginMethods

test('listLoginMethods: a password account lists password and email_code ({items, next_cursor: null})', async () => {
    const { tokens } = await signUp('methods');
    const raw = await bearer(tokens.accessToken).auth.listLoginMethodsRaw();
    assert.equal(raw.raw.status, 200);
    const body = await raw.raw.clone().json();
    assert.deepEqual(body, {
        items: [
            { id: 'password', kind: 'password' },
            { id: 'email_code', kind: 'email_code' },
        ],
        next_cursor: null,
    });
    const page = await raw.value();
    assert.deepEqual(
        page.items.map((m) => [m.id, m.kind]),
        [
            ['password', 'password'],
            ['email_code', 'email_code'],
        ],
    );
    await expectProblem(anon().auth.listLoginMethods(), 401, 'unauthenticated', 'listLoginMethods without a token');
});

// ---------------------------------------------------------------- linkOauthMethod

test('linkOauthMethod: a signed-in customer links a provider account (201 LoginMethod); it then signs into that customer', async () => {
    const user = await signUp('link');
    const helium = bearer(user.tokens.accessToken);
    const identity = newIdentity('link', { email: `other-${user.email}` });
    const { callback } = await idp.flow(helium, identity);

    const raw = await helium.auth.linkOauthMethodRaw({
        provider: PROVIDER,
        xReauthToken: await reauthToken(user.tokens.accessToken, PASSWORD_PROOF),
        oauthCallbackRequest: callback,
    });
    assert.equal(raw.raw.status, 201);
    const body = await raw.raw.clone().json();
    for (const key of ['id', 'kind', 'provider', 'email', 'created_at'])
        assert.ok(key in body, `LoginMethod should carry ${key}`);
    for (const key of Object.keys(body)) {
        assert.ok(
            ['id', 'kind', 'provider', 'email', 'created_at', 'last_used_at'].includes(key),
            `unexpected field ${key}`,
        );
    }
    const linked = await raw.value();
    assert.equal(linked.kind, 'oauth');
    assert.equal(linked.provider, PROVIDER);
    assert.equal(linked.email, identity.email, "the provider account's verified e-mail");
    assert.match(linked.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.ok(linked.createdAt instanceof Date && Math.abs(linked.createdAt.getTime() - Date.now()) < 60_000);

    const listed = await methods(user.tokens.accessToken);
    assert.deepEqual(
        listed.map((m) => m.id),
        ['password', 'email_code', linked.id],
    );
    const entry = listed[2];
    assert.equal(entry.kind, 'oauth');
    assert.equal(entry.provider, PROVIDER);
    assert.equal(entry.email, identity.email);
    assert.equal(entry.createdAt.getTime(), linked.createdAt.getTime());

    // The linked provider account now signs into this customer (no new account for its e-mail).
    const login = await oauthLogin(identity);
    assertTokenPair(login);
    assert.equal((await bearer(login.accessToken).auth.getMe()).id, user.account.id);
    assert.equal(await usersWithEmail(identity.email), 0);
    const used = (await methods(user.tokens.accessToken)).find((m) => m.id === linked.id);
    assert.ok(used.lastUsedAt instanceof Date, 'last_used_at is set by the sign-in');
    assert.ok(!linked.lastUsedAt || used.lastUsedAt >= linked.lastUsedAt);

    // The owner is told by e-mail.
    const notice = await mail(user.email, 'security_method_changed');
    assert.deepEqual([notice.change, notice.method], ['linked', PROVIDER]);

    // Linking the same provider account again is harmless: the same method.
    const again = await link(user.tokens.accessToken, identity, { proof: PASSWORD_PROOF });
    assert.equal(again.id, linked.id);
    assert.equal((await methods(user.tokens.accessToken)).length, 3);
});

test('linkOauthMethod: needs a re-authentication of this very session (403 reauth_required without one, with another session\'s or with a sign-in token); the flow then still completes', async () => {
    const user = await signUp('link-reauth');
    const other = await anon().auth.login({ loginRequest: { email: user.email, password: PASSWORD } });
    const helium = bearer(user.tokens.accessToken);
    const identity = newIdentity('link-reauth');
    const { callback } = await idp.flow(helium, identity);
    for (const [why, xReauthToken] of Object.entries({
        'an empty X-Reauth-Token': '',
        'a garbage X-Reauth-Token': 'not-a-proof',
        "another session's proof": await reauthToken(other.accessToken, PASSWORD_PROOF),
        'the access token of a fresh sign-in': other.accessToken,
        'the refresh token': user.tokens.refreshToken,
    })) {
        await expectProblem(
            helium.auth.linkOauthMethod({ provider: PROVIDER, xReauthToken, oauthCallbackRequest: callback }),
            403,
            'reauth_required',
            `link with ${why}`,
        );
    }
    const res = await fetch(`${server.url}/api/v1/auth/methods/oauth/${PROVIDER}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.tokens.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(callback),
    });
    assert.equal(res.status, 403, 'link without an X-Reauth-Token header');
    assert.equal((await res.json()).code, 'reauth_required');
    assert.equal(await identitiesWithSubject(identity.sub), 0, 'nothing linked');
    assert.equal(idp.tokenRequests.filter((r) => r.code === callback.code).length, 0, 'no code exchange');

    // The proof is checked before the state is used: with one, the same callback links.
    const linked = await helium.auth.linkOauthMethod({
        provider: PROVIDER,
        xReauthToken: await reauthToken(user.tokens.accessToken, PASSWORD_PROOF),
        oauthCallbackRequest: callback,
    });
    assert.equal(linked.provider, PROVIDER);
    assert.equal(await identitiesWithSubject(identity.sub), 1);
});

test('linkOauthMethod: a sign-in state (started without a bearer token) is 400 oauth_state_invalid; nothing is linked', async () => {
    const user = await oauthSignUp('link-anon-owner');
    const identity = newIdentity('link-anon');
    const { callback } = await idp.flow(anon(), identity);
    await expectProblem(
        bearer(user.tokens.accessToken).auth.linkOauthMethod({
            provider: PROVIDER,
            xReauthToken: await reauthToken(user.tokens.accessToken),
            oauthCallbackRequest: callback,
        }),
        400,
        'oauth_state_invalid',
        'link with an anonymous state',
    );
    assert.equal(await identitiesWithSubject(identity.sub), 0);
    assert.deepEqual(await methodIds(user.tokens.accessToken), ['email_code', `oauth:${PROVIDER}`]);
});

test("linkOauthMethod: another customer's link state is 400 oauth_state_invalid", async () => {
    const alice = await oauthSignUp('link-alice');
    const mallory = await oauthSignUp('link-mallory');
    const identity = newIdentity('link-stolen');
    const { callback } = await idp.flow(bearer(alice.tokens.accessToken), identity);
    await expectProblem(
        bearer(mallory.tokens.accessToken).auth.linkOauthMethod({
            provider: PROVIDER,
            xReauthToken: await reauthToken(mallory.tokens.accessToken),
            oauthCallbackRequest: callback,
        }),
        400,
        'oauth_state_invalid',
        "link with another customer's state",
    );
    assert.equal(await identitiesWithSubject(identity.sub), 0);
});

test('linkOauthMethod: a provider account linked to another customer is 409 oauth_identity_in_use', async () => {
    const first = await oauthSignUp('in-use-first');
    const second = await oauthSignUp('in-use-second');
    await expectProblem(
        link(second.tokens.accessToken, first.identity),
        409,
        'oauth_identity_in_use',
        "link of the first customer's provider account by the second",
    );
    assert.deepEqual(await methodIds(second.tokens.accessToken), ['email_code', `oauth:${PROVIDER}`]);
    // It still signs into the first customer.
    const login = await oauthLogin(first.identity);
    assert.equal((await bearer(login.accessToken).auth.getMe()).id, first.account.id);
});

test('linkOauthMethod: the same subject at another provider is another identity', async () => {
    const user = await oauthSignUp('two-providers');
    const linked = await link(user.tokens.accessToken, user.identity, { provider: OTHER_PROVIDER });
    assert.equal(linked.provider, OTHER_PROVIDER);
    assert.deepEqual(await methodIds(user.tokens.accessToken), [
        'email_code',
        `oauth:${PROVIDER}`,
        `oauth:${OTHER_PROVIDER}`,
    ]);
    const login = await oauthLogin(user.identity, { provider: OTHER_PROVIDER });
    assert.equal((await bearer(login.accessToken).auth.getMe()).id, user.account.id);
});

test('linkOauthMethod: a refused ID token is 401 oauth_exchange_failed; without a bearer token 401 unauthenticated', async () => {
    const user = await oauthSignUp('link-bad');
    const identity = newIdentity('link-bad', { idToken: (payload) => (payload.nonce = 'x'.repeat(43)) });
    await expectProblem(link(user.tokens.accessToken, identity), 401, 'oauth_exchange_failed', 'link with a bad nonce');
    assert.equal(await identitiesWithSubject(identity.sub), 0);

    const { callback } = await idp.flow(anon(), newIdentity('link-noauth'));
    await expectProblem(
        anon().auth.linkOauthMethod({ provider: PROVIDER, xReauthToken: 'not-a-proof', oauthCallbackRequest: callback }),
        401,
        'unauthenticated',
        'link without a bearer token',
    );
});

// ---------------------------------------------------------------- setPassword

test('setPassword: an OAuth-only account gets a password (201 LoginMethod) after re-authenticating; other sessions end; a second call is 409 password_already_set', async () => {
    const { identity, tokens, email, account } = await oauthSignUp('setpw');
    const me = bearer(tokens.accessToken);
    await expectProblem(
        anon().auth.login({ loginRequest: { email, password: PASSWORD } }),
        401,
        'invalid_credentials',
        'password login before a password exists',
    );
    const other = await oauthLogin(identity);
    await bearer(other.accessToken).auth.getMe(); // warm any session cache

    for (const [why, xReauthToken] of Object.entries({
        'an empty X-Reauth-Token': '',
        'the access token': tokens.accessToken,
    })) {
        await expectProblem(
            me.auth.setPassword({ xReauthToken, setPasswordRequest: { newPassword: PASSWORD } }),
            403,
            'reauth_required',
            `setPassword with ${why}`,
        );
    }
    assert.deepEqual(await methodIds(tokens.accessToken), ['email_code', `oauth:${PROVIDER}`], 'no password yet');

    const xReauthToken = await reauthToken(tokens.accessToken);
    const raw = await me.auth.setPasswordRaw({ xReauthToken, setPasswordRequest: { newPassword: PASSWORD } });
    assert.equal(raw.raw.status, 201);
    assert.deepEqual(await raw.raw.clone().json(), { id: 'password', kind: 'password' });
    assert.deepEqual(await methodIds(tokens.accessToken), ['password', 'email_code', `oauth:${PROVIDER}`]);
    await expectProblem(bearer(other.accessToken).auth.getMe(), 401, 'unauthenticated', 'the other session');
    assert.equal(await mailCount(email, 'security_password_changed'), 1, 'a security e-mail');

    const login = await anon().auth.login({ loginRequest: { email, password: PASSWORD } });
    assertTokenPair(login);
    assert.equal((await bearer(login.accessToken).auth.getMe()).id, account.id);

    await expectProblem(
        me.auth.setPassword({ xReauthToken, setPasswordRequest: { newPassword: `${PASSWORD}-2` } }),
        409,
        'password_already_set',
        'second setPassword',
    );
    assertTokenPair(await anon().auth.login({ loginRequest: { email, password: PASSWORD } }));
});

test('setPassword: password policy violations are 422 validation_failed on new_password', async () => {
    const { tokens, email } = await oauthSignUp('setpw-policy');
    const me = bearer(tokens.accessToken);
    const xReauthToken = await reauthToken(tokens.accessToken);
    for (const [why, newPassword] of Object.entries({
        'too short': 'Ab3$xyz',
        'equal to the e-mail address': email,
        'a very common password': 'password123',
    })) {
        const err = await expectProblem(
            me.auth.setPassword({ xReauthToken, setPasswordRequest: { newPassword } }),
            422,
            'validation_failed',
            `setPassword ${why}`,
        );
        assert.ok(
            err.errors.some((e) => e.field === 'new_password'),
            `${why}: ${JSON.stringify(err.errors)}`,
        );
    }
    assert.deepEqual(await methodIds(tokens.accessToken), ['email_code', `oauth:${PROVIDER}`], 'still no password');
});

// ---------------------------------------------------------------- removeLoginMethod

test('removeLoginMethod: methods can be removed down to the last one, which is 409 last_login_method', async () => {
    const { identity, tokens, email, account } = await oauthSignUp('remove');
    const me = bearer(tokens.accessToken);
    const identityId = (await methods(tokens.accessToken)).find((m) => m.kind === 'oauth').id;
    const other = await oauthLogin(identity);
    await bearer(other.accessToken).auth.getMe(); // warm any session cache

    await expectProblem(
        me.auth.removeLoginMethod({ id: 'email_code', xReauthToken: '' }),
        403,
        'reauth_required',
        'removing a method without re-authenticating',
    );
    assert.deepEqual(await methodIds(tokens.accessToken), ['email_code', `oauth:${PROVIDER}`], 'nothing removed');
    const xReauthToken = await reauthToken(tokens.accessToken);
    const raw = await me.auth.removeLoginMethodRaw({ id: 'email_code', xReauthToken });
    assert.equal(raw.raw.status, 204);
    assert.deepEqual(await methodIds(tokens.accessToken), [`oauth:${PROVIDER}`]);
    await expectProblem(bearer(other.accessToken).auth.getMe(), 401, 'unauthenticated', 'the other session');
    const notice = await mail(email, 'security_method_changed');
    assert.deepEqual([notice.change, notice.method], ['removed', 'email_code']);
    await expectProblem(
        me.auth.removeLoginMethod({ id: identityId, xReauthToken }),
        409,
        'last_login_method',
        'removing the only method',
    );
    assert.deepEqual(await methodIds(tokens.accessToken), [`oauth:${PROVIDER}`]);

    await me.auth.setPassword({ xReauthToken, setPasswordRequest: { newPassword: PASSWORD } });
    await me.auth.removeLoginMethod({ id: identityId, xReauthToken });
    assert.deepEqual(await methodIds(tokens.accessToken), ['password']);
    assert.equal(await identitiesWithSubject(identity.sub), 0);
    // The unlinked provider account no longer reaches the account (its e-mail is taken).
    await expectProblem(
        oauthLogin(identity),
        409,
        'account_exists_link_required',
        'sign-in with the unlinked identity',
    );

    const login = await anon().auth.login({ loginRequest: { email, password: PASSWORD } });
    assert.equal((await bearer(login.accessToken).auth.getMe()).id, account.id);
});

// `DELETE /api/v1/auth/methods/password` shares its path with setPassword's POST; the
// router serves both (a regression test for a 405 the static path once caused).
test(
    'removeLoginMethod: removing the password stops password sign-in (401 invalid_credentials); as the last method it is 409',
    async () => {
        const { email, tokens } = await signUp('remove-pw');
        const proof = await reauthToken(tokens.accessToken, PASSWORD_PROOF);
        const raw = await bearer(tokens.accessToken).auth.removeLoginMethodRaw({ id: 'password', xReauthToken: proof });
        assert.equal(raw.raw.status, 204);
        assert.deepEqual(await methodIds(tokens.accessToken), ['email_code']);
        await expectProblem(
            anon().auth.login({ loginRequest: { email, password: PASSWORD } }),
            401,
            'invalid_credentials',
            'password login after removing the password',
        );
        await expectProblem(
            bearer(tokens.accessToken).auth.removeLoginMethod({ id: 'email_code', xReauthToken: proof }),
            409,
            'last_login_method',
            'removing email_code, now the last method',
        );

        // A password that is the last method, and a password the account does not have.
        const oauthOnly = await oauthSignUp('remove-pw-last');
        const me = bearer(oauthOnly.tokens.accessToken);
        const xReauthToken = await reauthToken(oauthOnly.tokens.accessToken);
        await expectProblem(
            me.auth.removeLoginMethod({ id: 'password', xReauthToken }),
            404,
            'not_found',
            'removing a password the account does not have',
        );
        await me.auth.setPassword({ xReauthToken, setPasswordRequest: { newPassword: PASSWORD } });
        await me.auth.removeLoginMethod({ id: 'email_code', xReauthToken });
        const identityId = (await methods(oauthOnly.tokens.accessToken)).find((m) => m.kind === 'oauth').id;
        await me.auth.removeLoginMethod({ id: identityId, xReauthToken });
        assert.deepEqual(await methodIds(oauthOnly.tokens.accessToken), ['password']);
        await expectProblem(
            me.auth.removeLoginMethod({ id: 'password', xReauthToken }),
            409,
            'last_login_method',
            'removing the password last',
        );
    },
);

test('removeLoginMethod: removing email_code stops e-mail-code sign-in (requestEmailCode 202 sends nothing; verifyEmailCode 401 invalid_code)', async () => {
    // A code e-mailed before the removal stops working.
    const early = await oauthSignUp('remove-code-early');
    await anon().auth.requestEmailCode({ emailRequest: { email: early.email } });
    const code = await signInCode(early.email);
    await bearer(early.tokens.accessToken).auth.removeLoginMethod({
        id: 'email_code',
        xReauthToken: await reauthToken(early.tokens.accessToken),
    });
    await expectProblem(
        anon().auth.verifyEmailCode({ verifyEmailCodeRequest: { email: early.email, code } }),
        401,
        'invalid_code',
        'a code issued before email_code was removed',
    );

    // After the removal, a request is answered alike but nothing is sent (the one code e-mail
    // so far is the re-authentication code that allowed the removal).
    const late = await oauthSignUp('remove-code-late');
    await bearer(late.tokens.accessToken).auth.removeLoginMethod({
        id: 'email_code',
        xReauthToken: await reauthToken(late.tokens.accessToken),
    });
    const sent = await mailCount(late.email, 'sign_in_code');
    assert.equal(sent, 1, 'the re-authentication code');
    const raw = await anon().auth.requestEmailCodeRaw({ emailRequest: { email: late.email } });
    assert.equal(raw.raw.status, 202);
    assert.deepEqual(await raw.raw.clone().json(), { status: 'accepted' });
    assert.equal(await mailCount(late.email, 'sign_in_code'), sent, 'no sign_in_code e-mail');
    await expectProblem(
        anon().auth.verifyEmailCode({ verifyEmailCodeRequest: { email: late.email, code: '000000' } }),
        401,
        'invalid_code',
        'verifyEmailCode after email_code was removed',
    );
    // The provider still signs in.
    assertTokenPair(await oauthLogin(late.identity));
});

test('removeLoginMethod: unknown ids are 404 not_found', async () => {
    const mine = await oauthSignUp('remove-404');
    const other = await oauthSignUp('remove-404-other');
    const othersIdentity = (await methods(other.tokens.accessToken)).find((m) => m.kind === 'oauth').id;
    const me = bearer(mine.tokens.accessToken);
    const xReauthToken = await reauthToken(mine.tokens.accessToken);
    for (const [why, id] of Object.entries({
        'a random uuid': randomUUID(),
        "another customer's identity": othersIdentity,
        'an unknown kind': 'sms',
        'a very long id': 'x'.repeat(100),
    })) {
        await expectProblem(me.auth.removeLoginMethod({ id, xReauthToken }), 404, 'not_found', `removing ${why}`);
    }
    assert.deepEqual(await methodIds(other.tokens.accessToken), ['email_code', `oauth:${PROVIDER}`], 'nothing removed');
    await expectProblem(
        anon().auth.removeLoginMethod({ id: 'email_code', xReauthToken }),
        401,
        'unauthenticated',
        'removeLoginMethod without a bearer token (a proof alone is not enough)',
    );
});
