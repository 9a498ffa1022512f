// Telecom as apps see it. The node-agent API and the subscription documents are not SDK
// operations (`x-helium-sdk: false`); they are tested end to end in Rust
// (api/tests/it/telecom_agents.rs). Here: what a client app can rely on at the edge.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useHeliumServer } from './harness.mjs';

const server = useHeliumServer();

test('telecom error path: an unknown subscription token is 404 subscription_not_found as problem+json', async () => {
    const res = await fetch(`${server.url}/subscribe/${'x'.repeat(43)}`, { headers: { 'User-Agent': 'clash-verge/v2' } });
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const body = await res.json();
    assert.equal(body.code, 'subscription_not_found');
    assert.equal(body.status, 404);
});

test('telecom error path: a node agent with a wrong token is 401 node_token_invalid', async () => {
    const res = await fetch(`${server.url}/api/v1/server/UniProxy/user?token=wrong&node_id=1&node_type=vless`);
    assert.equal(res.status, 401);
    assert.equal((await res.json()).code, 'node_token_invalid');
});
