// Live tests for the `meta` tag against a real helium server (see harness.mjs).
// Naming rule (enforced by coverage.test.mjs): every operationId needs a test named
// "<operationId>: ..." and every tag a test named "<tag> error path: ...".

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHeliumClient, HeliumProblemError, MetaApi } from '../dist/index.js';
import { useHeliumServer } from './harness.mjs';

const server = useHeliumServer();

function assertStringArray(value, name) {
    assert.ok(Array.isArray(value), `${name} should be an array`);
    for (const item of value) {
        assert.equal(typeof item, 'string', `${name} items should be strings`);
    }
}

test('getMeta: returns server metadata with the documented fields and types', async () => {
    const helium = createHeliumClient({ baseUrl: server.url });
    assert.ok(helium.meta instanceof MetaApi);

    const meta = await helium.meta.getMeta();
    assert.equal(typeof meta.heliumVersion, 'string');
    assert.ok(meta.heliumVersion.length > 0, 'helium_version should not be empty');
    assert.equal(typeof meta.apiVersion, 'string');
    assert.ok(meta.apiVersion.length > 0, 'api_version should not be empty');
    assert.equal(typeof meta.registrationOpen, 'boolean');
    assertStringArray(meta.oauthProviders, 'oauth_providers');
    assertStringArray(meta.subscriptionFormats, 'subscription_formats');
    assert.equal(typeof meta.passwordPolicy, 'object');
    assert.ok(Number.isInteger(meta.passwordPolicy.minLength), 'password_policy.min_length should be an integer');
    assert.ok(Number.isInteger(meta.passwordPolicy.maxLength), 'password_policy.max_length should be an integer');
    assert.ok(meta.passwordPolicy.minLength > 0, 'password_policy.min_length should be positive');
    assert.ok(
        meta.passwordPolicy.maxLength >= meta.passwordPolicy.minLength,
        'password_policy.max_length should be >= min_length',
    );
});

test('getMeta: raw response is application/json with snake_case fields', async () => {
    const helium = createHeliumClient({ baseUrl: server.url });
    const raw = await helium.meta.getMetaRaw();
    assert.equal(raw.raw.status, 200);
    assert.match(raw.raw.headers.get('content-type') ?? '', /^application\/json/);
    const body = await raw.raw.clone().json();
    for (const key of [
        'helium_version',
        'api_version',
        'registration_open',
        'oauth_providers',
        'password_policy',
        'subscription_formats',
    ]) {
        assert.ok(key in body, `response body should contain ${key}`);
    }
    assert.deepEqual(Object.keys(body.password_policy).sort(), ['max_length', 'min_length']);
});

test('meta error path: unknown base path yields a 404 not_found HeliumProblemError', async () => {
    const helium = createHeliumClient({ baseUrl: `${server.url}/nope` });
    const err = await helium.meta.getMeta().then(
        () => assert.fail('getMeta against a wrong base path should fail'),
        (e) => e,
    );
    assert.ok(err instanceof HeliumProblemError, `expected HeliumProblemError, got ${err?.name}: ${err?.message}`);
    assert.ok(err instanceof Error);
    assert.equal(err.status, 404);
    assert.equal(err.code, 'not_found');
    assert.equal(err.type, 'urn:helium:problem:not_found');
    assert.equal(typeof err.title, 'string');
    assert.ok(err.title.length > 0);
    assert.equal(typeof err.requestId, 'string', 'problem should carry a request_id');
    assert.ok(err.requestId.length > 0);
    assert.deepEqual(err.errors, []);
    assert.equal(err.problem.status, 404);
    assert.equal(err.problem.code, 'not_found');
    assert.match(err.response?.headers.get('content-type') ?? '', /^application\/problem\+json/);
});
