// Offline tests of the hand-written client layer (stubbed fetch, no server).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHeliumClient, HeliumProblemError, isHeliumProblemError, ResponseError } from '../dist/index.js';

function stubFetch(status, body, headers) {
    const calls = [];
    const fetchApi = async (url, init) => {
        calls.push({ url, init });
        return new Response(body, { status, headers });
    };
    return { fetchApi, calls };
}

test('client: problem+json error bodies become HeliumProblemError with every field', async () => {
    const problem = {
        type: 'urn:helium:problem:validation_failed',
        title: 'Validation failed',
        status: 422,
        detail: 'email is invalid',
        code: 'validation_failed',
        request_id: 'req-123',
        errors: [{ field: 'email', code: 'invalid_format', message: 'not an email' }],
    };
    const { fetchApi } = stubFetch(422, JSON.stringify(problem), { 'content-type': 'application/problem+json' });
    const helium = createHeliumClient({ baseUrl: 'http://helium.test', fetchApi });
    await assert.rejects(helium.meta.getMeta(), (err) => {
        assert.ok(err instanceof HeliumProblemError);
        assert.ok(isHeliumProblemError(err));
        assert.equal(err.name, 'HeliumProblemError');
        assert.equal(err.status, 422);
        assert.equal(err.code, 'validation_failed');
        assert.equal(err.type, problem.type);
        assert.equal(err.title, 'Validation failed');
        assert.equal(err.detail, 'email is invalid');
        assert.equal(err.requestId, 'req-123');
        assert.deepEqual(err.errors, problem.errors);
        assert.deepEqual(err.problem, problem);
        assert.equal(err.retryAfter, undefined);
        assert.match(err.message, /422 validation_failed: email is invalid \(request id req-123\)/);
        return true;
    });
});

test('client: plain JSON error bodies also become HeliumProblemError', async () => {
    const { fetchApi } = stubFetch(503, JSON.stringify({ message: 'down' }), {
        'content-type': 'application/json',
        'x-request-id': 'hdr-1',
        'retry-after': '7',
    });
    const helium = createHeliumClient({ baseUrl: 'http://helium.test', fetchApi });
    await assert.rejects(helium.meta.getMeta(), (err) => {
        assert.ok(err instanceof HeliumProblemError);
        assert.equal(err.status, 503);
        assert.equal(err.code, 'http_503');
        assert.equal(err.requestId, 'hdr-1');
        assert.equal(err.retryAfter, 7);
        assert.deepEqual(err.errors, []);
        return true;
    });
});

test('client: non-JSON error bodies keep the generated ResponseError', async () => {
    const { fetchApi } = stubFetch(502, '<html>bad gateway</html>', { 'content-type': 'text/html' });
    const helium = createHeliumClient({ baseUrl: 'http://helium.test', fetchApi });
    await assert.rejects(helium.meta.getMeta(), (err) => {
        assert.ok(err instanceof ResponseError, `expected ResponseError, got ${err?.name}`);
        assert.equal(err.response.status, 502);
        return true;
    });
});

test('client: base URL and headers are applied; public operations send no token', async () => {
    const meta = {
        helium_version: '1.2.3',
        api_version: 'v1',
        registration_open: true,
        oauth_providers: ['github'],
        password_policy: { min_length: 8, max_length: 128 },
        subscription_formats: ['clash'],
    };
    const { fetchApi, calls } = stubFetch(200, JSON.stringify(meta), { 'content-type': 'application/json' });
    const helium = createHeliumClient({
        baseUrl: 'http://helium.test/',
        accessToken: 'jwt-token',
        headers: { 'X-Trace': 't1' },
        fetchApi,
    });
    const result = await helium.meta.getMeta();
    assert.equal(calls.length, 1);
    assert.equal(calls[0].url, 'http://helium.test/api/v1/meta');
    assert.equal(calls[0].init.headers['X-Trace'], 't1');
    assert.equal(calls[0].init.headers.Authorization, undefined, 'security: [] operations must not send the token');
    assert.deepEqual(result, {
        heliumVersion: '1.2.3',
        apiVersion: 'v1',
        registrationOpen: true,
        oauthProviders: ['github'],
        passwordPolicy: { minLength: 8, maxLength: 128 },
        subscriptionFormats: ['clash'],
    });
});
