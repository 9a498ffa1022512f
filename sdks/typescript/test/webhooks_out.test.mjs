// Outgoing webhooks (tag webhooks, API.md §2.11) through the SDK, against a live server and a
// tiny receiver in this process: SuperAdmins manage endpoints (the secret is shown once, at
// creation and rotation), messages are signed the Standard Webhooks way (checked with the
// `standardwebhooks` package), both secrets sign during a rotation's grace, a failing receiver
// spends the retry schedule and the delivery fails until retried, a disabled endpoint refuses
// test messages and retries, and real domain events (`ticket.*`) reach subscribed endpoints.
//
// The server runs with HELIUM_WEBHOOKS_ALLOW_LOOPBACK=1 (plain http to 127.0.0.1, tests only)
// and a short HELIUM_WEBHOOKS_RETRY_SCHEDULE, so a delivery fails after three quick attempts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Webhook } from 'standardwebhooks';
import { GHOST, customer, expectProblem, staff, tag, useShopServer } from './shop_kit.mjs';
import { eventually } from './telecom_kit.mjs';

const server = useShopServer({
    HELIUM_WEBHOOKS_ALLOW_LOOPBACK: '1',
    HELIUM_WEBHOOKS_RETRY_SCHEDULE: '0.2,0.2',
});

// ---------------------------------------------------------------- the receiver

/** Requests received per path: [{ headers, body }]; answers per path: a queue of statuses (default 200). */
const received = new Map();
const scripts = new Map();
let receiver;
let receiverUrl;

before(async () => {
    receiver = http.createServer((req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
            const list = received.get(req.url) ?? [];
            list.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
            received.set(req.url, list);
            const queue = scripts.get(req.url) ?? [];
            const status = queue.length > 1 ? queue.shift() : (queue[0] ?? 200);
            res.writeHead(status, { 'Content-Type': 'text/plain' });
            res.end(status < 300 ? 'ok' : 'nope');
        });
    });
    await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${receiver.address().port}`;
});

after(async () => {
    receiver.closeAllConnections?.();
    await new Promise((resolve) => receiver.close(() => resolve()));
});

/** A fresh path on the receiver: { url, path }; `statuses` are its answers in turn (the last repeats). */
function hookPath(statuses = [200]) {
    const path = `/hook/${tag()}`;
    scripts.set(path, [...statuses]);
    return { url: `${receiverUrl}${path}`, path };
}

/** The requests `path` received so far. */
const got = (path) => received.get(path) ?? [];

/** Whether `secret` verifies the received message (Standard Webhooks, official package). */
function verifies(secret, message) {
    try {
        new Webhook(secret).verify(message.body, {
            'webhook-id': message.headers['webhook-id'],
            'webhook-timestamp': message.headers['webhook-timestamp'],
            'webhook-signature': message.headers['webhook-signature'],
        });
        return true;
    } catch {
        return false;
    }
}

/** As the SuperAdmin: an endpoint at a fresh receiver path; { endpoint, secret, path, url }. */
async function endpointAt(statuses, fields = {}) {
    const boss = await staff('super_admin');
    const { url, path } = hookPath(statuses);
    const endpoint = await boss.client.webhooks.adminCreateWebhookEndpoint({
        webhookEndpointCreateRequest: { url, eventTypes: ['order.*'], description: 'test receiver', ...fields },
    });
    return { endpoint, secret: endpoint.secret, path, url };
}

/** Polls adminListWebhookDeliveries until the delivery `id` satisfies `done`; returns it. */
async function deliveryWhen(endpointId, id, done, what) {
    const boss = await staff('super_admin');
    return eventually(async () => {
        const page = await boss.client.webhooks.adminListWebhookDeliveries({ id: endpointId, limit: 100 });
        const d = page.items.find((x) => x.id === id);
        return d && done(d) ? d : undefined;
    }, what, { timeoutMs: 20_000 });
}

// ---------------------------------------------------------------- endpoints

test('adminCreateWebhookEndpoint: 201 with a whsec_ secret shown once; inward URLs 422 url_not_allowed; bad event types 422', async () => {
    const boss = await staff('super_admin');
    const { url } = hookPath();
    const raw = await boss.client.webhooks.adminCreateWebhookEndpointRaw({
        webhookEndpointCreateRequest: { url, eventTypes: ['order.paid', 'ticket.*'], description: 'CRM' },
    });
    assert.equal(raw.raw.status, 201);
    const created = await raw.value();
    assert.equal(raw.raw.headers.get('location'), `/api/v1/admin/webhook-endpoints/${created.id}`);
    assert.match(created.secret, /^whsec_[A-Za-z0-9+/=]+$/);
    assert.ok(Buffer.from(created.secret.slice(6), 'base64').length >= 24, 'a secret of at least 24 bytes');
    assert.deepEqual(
        [created.url, created.description, created.eventTypes, created.enabled],
        [url, 'CRM', ['order.paid', 'ticket.*'], true],
    );
    assert.equal(created.previousSecretExpiresAt ?? null, null);
    const other = await endpointAt([200]);
    assert.notEqual(other.secret, created.secret, 'one secret per endpoint');

    for (const bad of ['http://10.0.0.1/hook', 'http://192.168.1.10/hook', 'http://169.254.169.254/latest', 'https://user:pw@example.com/hook', 'http://[fd00::1]/hook']) {
        const err = await expectProblem(
            boss.client.webhooks.adminCreateWebhookEndpoint({ webhookEndpointCreateRequest: { url: bad, eventTypes: ['*'] } }),
            422,
            'url_not_allowed',
            bad,
        );
        assert.ok(err.errors.length === 0 || err.errors.some((e) => e.field === 'url'), JSON.stringify(err.errors));
    }
    for (const eventTypes of [[], ['order.unknown'], ['webhook.test']]) {
        await expectProblem(
            boss.client.webhooks.adminCreateWebhookEndpoint({ webhookEndpointCreateRequest: { url, eventTypes } }),
            422,
            'validation_failed',
            JSON.stringify(eventTypes),
        );
    }
});

test('adminGetWebhookEndpoint: the endpoint without its secret; unknown 404', async () => {
    const boss = await staff('super_admin');
    const { endpoint } = await endpointAt([200], { enabled: false });
    const raw = await boss.client.webhooks.adminGetWebhookEndpointRaw({ id: endpoint.id });
    const text = await raw.raw.clone().text();
    assert.ok(!/"secret"\s*:/.test(text), `no secret in ${text}`);
    assert.ok(!text.includes(endpoint.secret.slice(6)), 'the secret is never read back');
    const got1 = await raw.value();
    assert.deepEqual([got1.id, got1.url, got1.enabled, got1.description], [endpoint.id, endpoint.url, false, 'test receiver']);
    await expectProblem(boss.client.webhooks.adminGetWebhookEndpoint({ id: GHOST }), 404, 'not_found');
});

test('adminListWebhookEndpoints: newest first, paged, no secrets', async () => {
    const boss = await staff('super_admin');
    const a = await endpointAt([200]);
    const b = await endpointAt([200]);
    const raw = await boss.client.webhooks.adminListWebhookEndpointsRaw({ limit: 100 });
    const text = await raw.raw.clone().text();
    assert.ok(!/"secret"\s*:/.test(text), 'no secrets in the list');
    const page = await raw.value();
    const ids = page.items.map((e) => e.id);
    assert.ok(ids.indexOf(b.endpoint.id) < ids.indexOf(a.endpoint.id) && ids.indexOf(a.endpoint.id) >= 0, 'newest first');
    const one = await boss.client.webhooks.adminListWebhookEndpoints({ limit: 1 });
    assert.deepEqual(one.items.map((e) => e.id), [ids[0]]);
    const next = await boss.client.webhooks.adminListWebhookEndpoints({ limit: 1, cursor: one.nextCursor });
    assert.deepEqual(next.items.map((e) => e.id), [ids[1]]);
});

test('adminUpdateWebhookEndpoint: absent fields unchanged, description null clears, an inward URL 422 url_not_allowed', async () => {
    const boss = await staff('super_admin');
    const { endpoint } = await endpointAt([200]);
    const changed = await boss.client.webhooks.adminUpdateWebhookEndpoint({
        id: endpoint.id,
        webhookEndpointUpdateRequest: { eventTypes: ['*'], description: null },
    });
    assert.deepEqual([changed.url, changed.eventTypes, changed.enabled], [endpoint.url, ['*'], true]);
    assert.equal(changed.description ?? null, null);
    const { url } = hookPath();
    const moved = await boss.client.webhooks.adminUpdateWebhookEndpoint({ id: endpoint.id, webhookEndpointUpdateRequest: { url, enabled: false } });
    assert.deepEqual([moved.url, moved.enabled, moved.eventTypes], [url, false, ['*']]);
    await expectProblem(
        boss.client.webhooks.adminUpdateWebhookEndpoint({ id: endpoint.id, webhookEndpointUpdateRequest: { url: 'http://10.1.2.3/x' } }),
        422,
        'url_not_allowed',
    );
    assert.equal((await boss.client.webhooks.adminGetWebhookEndpoint({ id: endpoint.id })).url, url, 'unchanged');
    await expectProblem(
        boss.client.webhooks.adminUpdateWebhookEndpoint({ id: GHOST, webhookEndpointUpdateRequest: { enabled: true } }),
        404,
        'not_found',
    );
});

test('adminSendTestWebhook: 202 with the delivery id; the receiver gets a webhook.test message signed with the secret', async () => {
    const boss = await staff('super_admin');
    const { endpoint, secret, path } = await endpointAt([200]);
    const raw = await boss.client.webhooks.adminSendTestWebhookRaw({ id: endpoint.id });
    assert.equal(raw.raw.status, 202);
    const { deliveryId } = await raw.value();
    const delivered = await deliveryWhen(endpoint.id, deliveryId, (d) => d.status === 'delivered', 'the test delivery');
    assert.deepEqual([delivered.eventType, delivered.attempts, delivered.lastStatusCode], ['webhook.test', 1, 200]);
    assert.ok(delivered.deliveredAt instanceof Date);
    assert.equal(delivered.attemptLog.length, 1);

    const [message] = got(path);
    assert.equal(message.method, 'POST');
    assert.match(message.headers['content-type'], /^application\/json/);
    assert.equal(message.headers['webhook-id'], delivered.messageId);
    assert.match(message.headers['webhook-timestamp'], /^\d+$/);
    assert.ok(Math.abs(Number(message.headers['webhook-timestamp']) * 1000 - Date.now()) < 120_000);
    assert.match(message.headers['webhook-signature'], /^v1,[A-Za-z0-9+/=]+$/);
    assert.equal(verifies(secret, message), true, 'signed with the endpoint secret');
    assert.equal(verifies(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, message), false, 'not with another secret');
    const body = JSON.parse(message.body);
    assert.equal(body.type, 'webhook.test');
    assert.ok(body.timestamp && 'data' in body, message.body);
});

test('adminRotateWebhookSecret: during the grace both secrets sign, new one first; grace 0 ends it at once', async () => {
    const boss = await staff('super_admin');
    const { endpoint, secret: first, path } = await endpointAt([200]);
    const rotated = await boss.client.webhooks.adminRotateWebhookSecret({ id: endpoint.id });
    assert.match(rotated.secret, /^whsec_/);
    assert.notEqual(rotated.secret, first);
    assert.ok(rotated.previousSecretExpiresAt instanceof Date);
    const graceMs = rotated.previousSecretExpiresAt.getTime() - Date.now();
    assert.ok(graceMs > 86_000_000 && graceMs <= 86_400_000 + 60_000, `a grace of a day by default, got ${graceMs} ms`);
    const seen = await boss.client.webhooks.adminGetWebhookEndpoint({ id: endpoint.id });
    assert.equal(seen.previousSecretExpiresAt.getTime(), rotated.previousSecretExpiresAt.getTime());
    assert.ok(seen.secretRotatedAt instanceof Date);

    const { deliveryId } = await boss.client.webhooks.adminSendTestWebhook({ id: endpoint.id });
    await deliveryWhen(endpoint.id, deliveryId, (d) => d.status === 'delivered', 'the test during the grace');
    const during = got(path).at(-1);
    assert.equal(during.headers['webhook-signature'].split(' ').length, 2, 'two signatures');
    assert.equal(verifies(rotated.secret, during), true, 'the new secret');
    assert.equal(verifies(first, during), true, 'the previous secret');
    const [newSig] = during.headers['webhook-signature'].split(' ');
    assert.equal(verifies(rotated.secret, { ...during, headers: { ...during.headers, 'webhook-signature': newSig } }), true, 'the new one first');

    const sharp = await boss.client.webhooks.adminRotateWebhookSecret({ id: endpoint.id, rotateWebhookSecretRequest: { graceSecs: 0 } });
    assert.equal(sharp.previousSecretExpiresAt ?? null, null);
    const again = await boss.client.webhooks.adminSendTestWebhook({ id: endpoint.id });
    await deliveryWhen(endpoint.id, again.deliveryId, (d) => d.status === 'delivered', 'the test after the grace');
    const afterGrace = got(path).at(-1);
    assert.equal(afterGrace.headers['webhook-signature'].split(' ').length, 1);
    assert.equal(verifies(sharp.secret, afterGrace), true);
    assert.equal(verifies(rotated.secret, afterGrace), false);
    assert.equal(verifies(first, afterGrace), false);

    await expectProblem(
        boss.client.webhooks.adminRotateWebhookSecret({ id: endpoint.id, rotateWebhookSecretRequest: { graceSecs: 604_801 } }),
        422,
        'validation_failed',
    );
    await expectProblem(boss.client.webhooks.adminRotateWebhookSecret({ id: GHOST }), 404, 'not_found');
});

test('adminListWebhookDeliveries: newest first with their attempts, filtered by status and event type', async () => {
    const boss = await staff('super_admin');
    const { endpoint } = await endpointAt([200]);
    const one = await boss.client.webhooks.adminSendTestWebhook({ id: endpoint.id });
    const two = await boss.client.webhooks.adminSendTestWebhook({ id: endpoint.id });
    await deliveryWhen(endpoint.id, two.deliveryId, (d) => d.status === 'delivered', 'the second test');
    await deliveryWhen(endpoint.id, one.deliveryId, (d) => d.status === 'delivered', 'the first test');
    const page = await boss.client.webhooks.adminListWebhookDeliveries({ id: endpoint.id });
    assert.deepEqual(page.items.map((d) => d.id), [two.deliveryId, one.deliveryId]);
    for (const d of page.items) {
        assert.equal(d.endpointId, endpoint.id);
        assert.equal(d.attemptLog.length, d.attempts);
    }
    assert.notEqual(page.items[0].messageId, page.items[1].messageId);
    assert.equal((await boss.client.webhooks.adminListWebhookDeliveries({ id: endpoint.id, status: 'delivered' })).items.length, 2);
    assert.deepEqual((await boss.client.webhooks.adminListWebhookDeliveries({ id: endpoint.id, status: 'failed' })).items, []);
    assert.equal((await boss.client.webhooks.adminListWebhookDeliveries({ id: endpoint.id, eventType: 'webhook.test' })).items.length, 2);
    assert.deepEqual((await boss.client.webhooks.adminListWebhookDeliveries({ id: endpoint.id, eventType: 'order.paid' })).items, []);
    await expectProblem(boss.client.webhooks.adminListWebhookDeliveries({ id: endpoint.id, status: 'lost' }), 422, 'validation_failed');
    await expectProblem(boss.client.webhooks.adminListWebhookDeliveries({ id: GHOST }), 404, 'not_found');
});

test('adminRetryWebhookDelivery: a delivery that spent its schedule on 500s fails; a retry sends the same message again and it is delivered', async () => {
    const boss = await staff('super_admin');
    const { endpoint, secret, path } = await endpointAt([500, 500, 500, 200]);
    const { deliveryId } = await boss.client.webhooks.adminSendTestWebhook({ id: endpoint.id });
    const failed = await deliveryWhen(endpoint.id, deliveryId, (d) => d.status === 'failed', 'the delivery to fail');
    assert.equal(failed.attempts, 3, 'one try and the two of the schedule');
    assert.equal(failed.lastStatusCode, 500);
    assert.equal(failed.attemptLog.length, 3);
    assert.equal(failed.nextAttemptAt ?? null, null);
    assert.equal(got(path).length, 3);
    assert.equal(new Set(got(path).map((m) => m.headers['webhook-id'])).size, 1, 'the same webhook-id on every attempt');

    const raw = await boss.client.webhooks.adminRetryWebhookDeliveryRaw({ id: endpoint.id, deliveryId });
    assert.equal(raw.raw.status, 202);
    assert.equal((await raw.value()).deliveryId, deliveryId);
    const delivered = await deliveryWhen(endpoint.id, deliveryId, (d) => d.status === 'delivered', 'the retried delivery');
    assert.equal(delivered.lastStatusCode, 200);
    assert.ok(delivered.attempts >= 4);
    const last = got(path).at(-1);
    assert.equal(last.headers['webhook-id'], failed.messageId);
    assert.equal(verifies(secret, last), true);

    await expectProblem(boss.client.webhooks.adminRetryWebhookDelivery({ id: endpoint.id, deliveryId: GHOST }), 404, 'not_found');
    await boss.client.webhooks.adminUpdateWebhookEndpoint({ id: endpoint.id, webhookEndpointUpdateRequest: { enabled: false } });
    await expectProblem(boss.client.webhooks.adminRetryWebhookDelivery({ id: endpoint.id, deliveryId }), 409, 'endpoint_disabled');
});

test('adminDeleteWebhookEndpoint: 204 with its deliveries; then 404', async () => {
    const boss = await staff('super_admin');
    const { endpoint } = await endpointAt([200]);
    await boss.client.webhooks.adminSendTestWebhook({ id: endpoint.id });
    const raw = await boss.client.webhooks.adminDeleteWebhookEndpointRaw({ id: endpoint.id });
    assert.equal(raw.raw.status, 204);
    await expectProblem(boss.client.webhooks.adminGetWebhookEndpoint({ id: endpoint.id }), 404, 'not_found');
    await expectProblem(boss.client.webhooks.adminListWebhookDeliveries({ id: endpoint.id }), 404, 'not_found');
    await expectProblem(boss.client.webhooks.adminDeleteWebhookEndpoint({ id: endpoint.id }), 404, 'not_found');
    assert.ok(!(await boss.client.webhooks.adminListWebhookEndpoints({ limit: 100 })).items.some((e) => e.id === endpoint.id));
});

test('adminCreateWebhookEndpoint: a subscribed domain event (ticket.created) reaches the endpoint, signed; others do not', async () => {
    const boss = await staff('super_admin');
    const tickets = await endpointAt([200], { eventTypes: ['ticket.*'] });
    const orders = await endpointAt([200], { eventTypes: ['order.paid'] });
    const me = await customer('hooked');
    const ticket = await me.client.support.createTicket({ createTicketRequest: { subject: `Hook ${tag()}`, body: 'hi', priority: 'low' } });
    const delivery = await eventually(async () => {
        const page = await boss.client.webhooks.adminListWebhookDeliveries({ id: tickets.endpoint.id, eventType: 'ticket.created', status: 'delivered' });
        return page.items[0];
    }, 'the ticket.created delivery', { timeoutMs: 20_000 });
    const message = got(tickets.path).find((m) => m.headers['webhook-id'] === delivery.messageId);
    assert.ok(message, 'the receiver got it');
    assert.equal(verifies(tickets.secret, message), true);
    const body = JSON.parse(message.body);
    assert.equal(body.type, 'ticket.created');
    assert.ok(JSON.stringify(body.data).includes(ticket.id), `the event names the ticket: ${message.body}`);
    assert.deepEqual(
        (await boss.client.webhooks.adminListWebhookDeliveries({ id: orders.endpoint.id })).items,
        [],
        'an endpoint for order.paid gets no ticket event',
    );
});

test('webhooks error path: outgoing endpoints are SuperAdmin-only (Moderator 403), a disabled endpoint refuses a test (409 endpoint_disabled)', async () => {
    const moderator = await staff('moderator');
    const { endpoint } = await endpointAt([200]);
    await expectProblem(moderator.client.webhooks.adminListWebhookEndpoints(), 403, 'permission_denied');
    await expectProblem(moderator.client.webhooks.adminGetWebhookEndpoint({ id: endpoint.id }), 403, 'permission_denied');
    await expectProblem(
        moderator.client.webhooks.adminCreateWebhookEndpoint({ webhookEndpointCreateRequest: { url: hookPath().url, eventTypes: ['*'] } }),
        403,
        'permission_denied',
    );
    await expectProblem(moderator.client.webhooks.adminSendTestWebhook({ id: endpoint.id }), 403, 'permission_denied');
    await expectProblem((await staff('customer_support')).client.webhooks.adminDeleteWebhookEndpoint({ id: endpoint.id }), 403, 'permission_denied');

    const boss = await staff('super_admin');
    await boss.client.webhooks.adminUpdateWebhookEndpoint({ id: endpoint.id, webhookEndpointUpdateRequest: { enabled: false } });
    await expectProblem(boss.client.webhooks.adminSendTestWebhook({ id: endpoint.id }), 409, 'endpoint_disabled');
    await expectProblem(boss.client.webhooks.adminSendTestWebhook({ id: GHOST }), 404, 'not_found');
});
