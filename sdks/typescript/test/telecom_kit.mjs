// Shared helpers of the telecom test files; not a test file itself.
//
//   import { useTelecomServer, telecomSetup, nodeAgent, buyPackage, ... } from './telecom_kit.mjs';
//   const server = useTelecomServer();                  // useShopServer + the helpers below
//   const { nodeToken } = await telecomSetup();         // known node token, endpoints on this server
//   const sv = await newServer(boss.client);            // adminCreateNodeServer with unique names
//   const node = await newClient(boss.client, sv.id);   // a shadowsocks client on a fresh node_id
//   const res = await nodeAgent('config', node.nodeId); // what a V2bX agent of that node gets
//   const pkg = await buyPackage(buyer, product);       // paid from the wallet, delivered, packaged
//
// telecomSetup() writes the `telecom` configuration once per file through adminPutConfig: a
// vpn_server_token the tests know (the deployment's is random and masked) and two subscription
// endpoints, `primary` on this test server (so links can be fetched) and `backup`, a template
// with a query of its own (so the per-app links append `&flag=`).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { deposit, ik, sellProduct, sleep, staff, tag, useShopServer, waitForOrder } from './shop_kit.mjs';

/** A REALITY key pair (x25519, base64url) that the server accepts (api/tests/it/telecom_rest.rs). */
export const REALITY_PRIVATE_KEY = 'SMfOj-9lIK-VHD3eBy1H4b0TZiJ2ibH96Qx8q0u9_0w';
export const REALITY_PUBLIC_KEY = 'Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw';
/** Template of the `backup` endpoint (never fetched). */
export const BACKUP_TEMPLATE = 'https://backup.example.test/s/{SUBSCRIBE_TOKEN}?via=cdn';

let server;

/** useShopServer (generous rate limits) for this file, remembered for the helpers below. */
export function useTelecomServer(env = {}) {
    server = useShopServer(env);
    return server;
}

let setup;

/**
 * Once per file: the telecom configuration with a known node token and the subscription
 * endpoints described above. Resolves to { nodeToken, primaryTemplate }.
 */
export function telecomSetup() {
    if (!setup) {
        setup = (async () => {
            const boss = await staff('super_admin');
            const current = await boss.client.config.adminGetConfig({ key: 'telecom' });
            const nodeToken = `node-${randomBytes(24).toString('hex')}`;
            const primaryTemplate = `${server.url}/subscribe/{SUBSCRIBE_TOKEN}`;
            const value = {
                ...current.value,
                vpn_server_token: nodeToken,
                subscribe_link: {
                    endpoints: [
                        { endpoint_name: 'primary', url_template: primaryTemplate },
                        { endpoint_name: 'backup', url_template: BACKUP_TEMPLATE },
                    ],
                },
            };
            await boss.client.config.adminPutConfig({ key: 'telecom', putConfigRequest: { value } });
            return { nodeToken, primaryTemplate };
        })();
        setup.catch(() => {
            setup = undefined;
        });
    }
    return setup;
}

let lastNodeId = 0;

/** A node_id no other test of this file uses. */
export function freshNodeId() {
    lastNodeId += 1;
    return lastNodeId;
}

/** As staff: adminCreateNodeServer with a unique name and `fields`. */
export async function newServer(api, fields = {}) {
    return api.telecom.adminCreateNodeServer({
        nodeServerCreateRequest: { name: `Server ${tag()}`, address: `n${tag().toLowerCase()}.nodes.example`, ...fields },
    });
}

/** The body of a shadowsocks client (aes-128-gcm, port 8388) on a fresh node_id. */
export function ssClientBody(serverId, fields = {}) {
    return {
        serverId,
        nodeId: freshNodeId(),
        name: `SS ${tag()}`,
        port: 8388,
        settings: { protocol: 'shadowsocks', cipher: 'aes-128-gcm' },
        ...fields,
    };
}

/** The body of a VLESS + REALITY client (xtls-rprx-vision over TCP, port 443) on a fresh node_id. */
export function realityClientBody(serverId, fields = {}) {
    return {
        serverId,
        nodeId: freshNodeId(),
        name: `VLESS ${tag()}`,
        port: 443,
        settings: {
            protocol: 'vless',
            flow: 'xtls-rprx-vision',
            transport: { type: 'tcp' },
            security: {
                mode: 'reality',
                server_name: 'www.microsoft.com',
                server_port: 443,
                private_key: REALITY_PRIVATE_KEY,
                public_key: REALITY_PUBLIC_KEY,
                short_id: '6ba85179e30d4fc2',
            },
        },
        ...fields,
    };
}

/** As staff: adminCreateNodeClient of a shadowsocks client (see ssClientBody). */
export async function newClient(api, serverId, fields = {}) {
    return api.telecom.adminCreateNodeClient({ nodeClientCreateRequest: ssClientBody(serverId, fields) });
}

/**
 * A node agent's request (XrayR/V2bX address the UniProxy API with the node token, node_id
 * and node_type): GET `path`, or POST `body` as JSON. Returns { status, headers, text, json() }.
 */
export async function nodeAgent(path, nodeId, { nodeType = 'shadowsocks', body, token } = {}) {
    token ??= (await telecomSetup()).nodeToken;
    const query = new URLSearchParams({ token, node_id: String(nodeId), node_type: nodeType });
    const init = { headers: { 'User-Agent': 'V2bX/1.0' } };
    if (body !== undefined) {
        init.method = 'POST';
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
    }
    const res = await fetch(`${server.url}/api/v1/server/UniProxy/${path}?${query}`, init);
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

/** GET /subscribe/{token} as a proxy app would (not an SDK operation): { status, headers, text }. */
export async function fetchDocument(token, { flag = 'sing-box' } = {}) {
    const res = await fetch(`${server.url}/subscribe/${token}?flag=${encodeURIComponent(flag)}`, {
        headers: { 'User-Agent': 'sing-box 1.12.0' },
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Polls `probe` (async, returns a value or undefined) until it returns something; fails after `timeoutMs`. */
export async function eventually(probe, what, { timeoutMs = 15_000, every = 150 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
        await sleep(every);
    }
}

/** As a SuperAdmin: a customer group (node clients and package terms name groups). */
export async function newGroup(label = 'Nodes') {
    const boss = await staff('super_admin');
    return boss.client.customers.adminCreateGroup({ groupCreateRequest: { name: `${label} ${tag()}` } });
}

/** As a SuperAdmin: a product on sale to everyone whose package has `terms` (see shop_kit TERMS); { product, price }. */
export async function telecomPlan(terms = {}, { price = 1000, name } = {}) {
    const boss = await staff('super_admin');
    const { product } = await sellProduct(boss.client, { price, terms, name });
    return { product, price };
}

/**
 * The customer buys `plan` (from telecomPlan) with money a SuperAdmin deposits; waits until the
 * order is delivered and its package exists (the telecom consumer makes it). Returns the
 * Package as listMyPackages shows it.
 */
export async function buyPackage(buyer, plan) {
    const boss = await staff('super_admin');
    await deposit(boss.client, buyer.id, plan.price);
    const placed = await buyer.client.shop.createOrder({
        idempotencyKey: ik('order'),
        createOrderRequest: { productId: plan.product.id },
    });
    await buyer.client.shop.payOrderWithWallet({ id: placed.id, idempotencyKey: ik('pay') });
    await waitForOrder(buyer.client, placed.id, 'delivered');
    return eventually(async () => {
        const { items } = await buyer.client.telecom.listMyPackages({ limit: 100 });
        return items.find((p) => p.orderId === placed.id);
    }, `the package of order ${placed.id}`);
}
