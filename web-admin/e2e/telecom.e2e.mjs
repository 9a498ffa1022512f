// The node and customer-package screens end to end in headless Chromium against a live helium
// (its own database, Redis prefix and MQ prefix): a SuperAdmin adds a node server (rate typed as
// a decimal, stored as one) and a shadowsocks client on it through the UI — its settings checked
// as JSON before sending, then refused by the server at the settings path the server names —
// finds it in the clients list and its filters; a VLESS REALITY client whose private key reads
// as "" and is kept when saved as ""; starts and ends the server's maintenance, is
// told why a server with clients cannot be deleted, sees the agent online with its load on the
// status page; lists a customer's packages (seeded in the database as delivered orders would
// leave them), cancels the queued one with a reason and is told when the other one ended in
// the meantime (409), and gives the customer a new subscription link; then deletes the client
// and the server. A CustomerSupport sees the node screens read-only. axe-core on every new
// screen; screenshots under test-artifacts/telecom-*.png.

import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
    a11yReport,
    artifacts,
    checkA11y,
    choose,
    launchBrowser,
    screenshot,
    servingLocalBuild,
    signUpCustomer,
    staffMember,
    startServer,
    writeReport,
} from './kit.mjs';

let server;
let browser;
let boss; // SuperAdmin with TOTP: { context, page, email, totp }
let support; // CustomerSupport: { context, page, email }
let customer; // { email, id, accessToken }
const created = {}; // ids and names made along the way
const csp = [];

async function step(name, fn) {
    try {
        await fn();
    } catch (err) {
        for (const [who, s] of [['boss', boss], ['support', support]]) {
            if (s?.page && !s.page.isClosed()) await screenshot(s.page, `FAILED-telecom-${name}-${who}`).catch(() => {});
        }
        throw err;
    }
}

const nav = (page) => page.getByTestId('nav');
async function navKeys(page) {
    return nav(page).locator('[data-nav]').evaluateAll((els) => els.map((e) => e.getAttribute('data-nav')));
}
const toast = (page, text) => page.locator('.mantine-Notification-root').filter({ hasText: text }).first();
const q = (s) => s.replace(/'/g, "''");

/** The customer's own API (their view, not the SPA's traffic). */
async function asCustomer(method, p) {
    const res = await fetch(`${server.url}${p}`, {
        method,
        headers: { authorization: `Bearer ${customer.accessToken}`, 'user-agent': 'Mozilla/5.0 (e2e) HeliumPhone/1.0' },
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${p}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
}

describe('admin SPA: nodes and customer packages', { concurrency: false }, () => {
    before(async () => {
        server = await startServer({ mqPrefix: 'webadmin_e2e_telecom' });
        browser = await launchBrowser();
        boss = await staffMember(server, browser, { role: 'super_admin', name: 'Nora Nodes', totp: true });
    });

    after(async () => {
        writeReport('a11y-telecom.json', a11yReport);
        writeReport('metrics-telecom.json', { servedFromDisk: servingLocalBuild() });
        csp.push(...[boss?.context, support?.context].flatMap((c) => c?.cspViolations ?? []));
        await browser?.close();
        const stopped = await server?.stop();
        server?.mail.stop();
        console.log(`screenshots and reports: ${artifacts}`);
        assert.deepEqual(csp, [], 'no Content-Security-Policy violation and no uncaught page error');
        assert.ok(!stopped || stopped.code === 0, `helium exited with ${JSON.stringify(stopped)}`);
    });

    it('a SuperAdmin sees the node screens and Customer packages', () =>
        step('nav', async () => {
            const keys = await navKeys(boss.page);
            for (const k of ['nodeServers', 'nodeClients', 'nodeStatus', 'customerPackages', 'packages']) assert.ok(keys.includes(k), `${k} in ${keys}`);
            assert.ok(await nav(boss.page).getByText('Customer packages', { exact: true }).isVisible());
        }));

    it('adds a node server (the rate typed as a decimal) and opens its page', () =>
        step('server', async () => {
            const { page } = boss;
            await nav(page).locator('[data-nav="nodeServers"]').click();
            await page.getByTestId('empty').waitFor();
            await checkA11y(page, 'node-servers-empty');
            await page.getByTestId('server-new').click();
            await page.waitForURL(/\/admin\/nodes\/servers\?new=1$/);
            created.server = 'E2E Hong Kong 01';
            await page.getByTestId('server-name').fill(created.server);
            await page.getByTestId('server-address').fill('hk1.e2e.example.com');
            await page.getByTestId('server-region').fill('HK');
            await page.getByTestId('server-rate').fill('100.5');
            await page.getByTestId('server-tags').fill('premium');
            await page.keyboard.press('Enter');
            await page.getByTestId('server-save').click();
            await page.getByText('A number from 0 to 100, up to four decimals, e.g. 1 or 1.5.').waitFor();
            assert.equal(await server.sql('SELECT count(*) FROM telecom.node_servers'), '0', 'a rate above 100 is refused before it is sent');
            await page.getByTestId('server-rate').fill('1.5');
            await checkA11y(page, 'node-server-dialog');
            await screenshot(page, 'telecom-01-server-dialog');
            await page.getByTestId('server-save').click();
            await page.waitForURL(/\/admin\/nodes\/servers\/[0-9a-f-]{36}$/);
            created.serverId = page.url().split('/').pop();
            await page.getByTestId('server-address-value').filter({ hasText: 'hk1.e2e.example.com' }).waitFor();
            assert.match(await page.getByTestId('server-rate-value').textContent(), /×1\.5/);
            assert.equal(
                await server.sql(`SELECT rate || '|' || region || '|' || array_to_string(tags, ',') FROM telecom.node_servers WHERE id = '${created.serverId}'`),
                '1.5000|HK|premium',
                'stored as typed',
            );
            await page.getByTestId('empty').waitFor(); // no clients yet
            await checkA11y(page, 'node-server-detail');
        }));

    it('adds a shadowsocks client: settings checked as JSON first, then the server’s field errors at the editor', () =>
        step('client', async () => {
            const { page } = boss;
            await page.getByTestId('server-add-client').click();
            const dialog = page.getByRole('dialog');
            await page.getByTestId('client-name').fill('E2E HK SS');
            await page.getByTestId('client-node-id').fill('101');
            await page.getByTestId('client-port').fill('8388');
            // A protocol puts its template in the editor; VLESS shows the REALITY key note.
            await choose(page, page.getByTestId('client-protocol'), 'VLESS');
            assert.match(await page.getByTestId('client-settings').inputValue(), /"mode": "reality"/);
            assert.match(await page.getByTestId('reality-note').textContent(), /leave "private_key": "" to keep the stored key/);
            await choose(page, page.getByTestId('client-protocol'), 'Shadowsocks');
            assert.deepEqual(JSON.parse(await page.getByTestId('client-settings').inputValue()), { protocol: 'shadowsocks', cipher: 'aes-128-gcm' });
            await choose(page, page.getByTestId('client-groups'), 'Everyone');
            await page.keyboard.press('Escape'); // the dropdown, not the dialog
            await page.getByTestId('client-tags').fill('hk');
            await page.keyboard.press('Enter');

            // Not JSON: refused here, nothing sent.
            await page.getByTestId('client-settings').fill('{"protocol": "shadowsocks", "cipher": ');
            await page.getByTestId('client-create').click();
            await dialog.getByText(/^Not valid JSON:/).waitFor();
            await page.getByTestId('client-settings').fill('{"cipher": "aes-128-gcm"}');
            await page.getByTestId('client-create').click();
            await dialog.getByText(/The settings need a “protocol”/).waitFor();
            assert.equal(await server.sql('SELECT count(*) FROM telecom.node_clients'), '0', 'nothing sent');

            // Valid JSON the server refuses: its error is listed at the settings, by path.
            await page.getByTestId('client-settings').fill('{"protocol": "shadowsocks", "cipher": "aes-128-gcm", "server_key": "abc"}');
            await page.getByTestId('client-create').click();
            const errors = page.getByTestId('client-settings-errors');
            await errors.waitFor();
            assert.match(await errors.textContent(), /settings\.server_key.*only 2022 ciphers take a server key/s);
            await checkA11y(page, 'node-client-dialog');
            await screenshot(page, 'telecom-02-client-dialog-errors');

            await page.getByTestId('client-settings').fill('{"protocol": "shadowsocks", "cipher": "aes-128-gcm"}');
            await page.getByTestId('client-create').click();
            await page.waitForURL(/\/admin\/nodes\/clients\/[0-9a-f-]{36}$/);
            created.clientId = page.url().split('/').pop();
            await toast(page, 'Node client E2E HK SS added.').waitFor();
            assert.equal(await page.getByTestId('client-protocol-badge').textContent(), 'Shadowsocks');
            assert.equal(
                await server.sql(
                    `SELECT c.protocol || '|' || c.node_id || '|' || c.port || '|' || (c.settings->>'cipher') || '|' || g.name || '|' || array_to_string(c.tags, ',') ` +
                        `FROM telecom.node_clients c JOIN shop.customer_groups g ON g.id = c.group_ids[1] WHERE c.id = '${created.clientId}'`,
                ),
                'shadowsocks|101|8388|aes-128-gcm|Everyone|hk',
            );
            await checkA11y(page, 'node-client-detail');
            await screenshot(page, 'telecom-03-client');

            // An edit sends only what changed: a new port.
            await page.getByTestId('client-port').fill('8389');
            await page.getByTestId('client-save').click();
            await toast(page, 'Saved.').waitFor();
            assert.equal(await server.sql(`SELECT port || '|' || (settings->>'cipher') FROM telecom.node_clients WHERE id = '${created.clientId}'`), '8389|aes-128-gcm');
        }));

    it('lists the client, filters by server and protocol in the URL', () =>
        step('clients', async () => {
            const { page } = boss;
            await nav(page).locator('[data-nav="nodeClients"]').click();
            const row = page.getByTestId('clients-table').getByRole('row', { name: /E2E HK SS/ });
            await row.waitFor();
            assert.match(await row.textContent(), /Shadowsocks.*E2E Hong Kong 01.*101.*8389.*Everyone/s);
            await checkA11y(page, 'node-clients');
            await screenshot(page, 'telecom-04-clients');
            await choose(page, page.getByTestId('clients-filter-protocol'), 'Shadowsocks');
            await page.waitForURL(/protocol=shadowsocks/);
            await row.waitFor();
            await choose(page, page.getByTestId('clients-filter-protocol'), 'VLESS');
            await page.waitForURL(/protocol=vless/);
            await page.getByTestId('empty').waitFor();
            await page.goto(`${server.url}/admin/nodes/clients?server=${created.serverId}`);
            await row.waitFor();
            // The server's page lists it too.
            await page.goto(`${server.url}/admin/nodes/servers/${created.serverId}`);
            await page.getByTestId('clients-table').getByRole('link', { name: 'E2E HK SS' }).waitFor();
        }));

    it('keeps a REALITY private key that reads as "" when the settings are saved with ""', () =>
        step('reality', async () => {
            const { page } = boss;
            const keys = generateKeyPairSync('x25519');
            const privateKey = keys.privateKey.export({ format: 'jwk' }).d;
            const publicKey = keys.publicKey.export({ format: 'jwk' }).x;
            const settings = (shortId, key) => ({
                protocol: 'vless',
                transport: { type: 'tcp' },
                security: { mode: 'reality', server_name: 'www.example.com', server_port: 443, private_key: key, public_key: publicKey, short_id: shortId },
                flow: 'xtls-rprx-vision',
            });
            await page.getByTestId('server-add-client').click();
            await page.getByTestId('client-name').fill('E2E HK Reality');
            await page.getByTestId('client-node-id').fill('102');
            await page.getByTestId('client-port').fill('443');
            await page.getByTestId('client-settings').fill(JSON.stringify(settings('', privateKey)));
            await page.getByTestId('client-create').click();
            await page.waitForURL(/\/admin\/nodes\/clients\/[0-9a-f-]{36}$/);
            const id = page.url().split('/').pop();
            const stored = () => server.sql(`SELECT (settings->'security'->>'private_key') || '|' || (settings->'security'->>'short_id') FROM telecom.node_clients WHERE id = '${id}'`);
            assert.equal(await stored(), `${privateKey}|`);
            // Read back as "": the key is nowhere on the page.
            await page.getByTestId('client-settings').waitFor();
            assert.deepEqual(JSON.parse(await page.getByTestId('client-settings').inputValue()).security.private_key, '');
            assert.ok(!(await page.content()).includes(privateKey), 'the private key is not shown');
            // Saved with "" (another field changed): the stored key stays.
            await page.getByTestId('client-settings').fill(JSON.stringify(settings('abcd', '')));
            await page.getByTestId('client-save').click();
            await toast(page, 'Saved.').waitFor();
            assert.equal(await stored(), `${privateKey}|abcd`, 'the stored key is kept');
            await page.getByTestId('client-delete').click();
            await page.getByTestId('confirm').click();
            await page.waitForURL(new RegExp(`/admin/nodes/servers/${created.serverId}$`));
            await toast(page, 'Node client deleted.').waitFor();
            assert.equal(await server.sql(`SELECT count(*) FROM telecom.node_clients WHERE id = '${id}'`), '0');
        }));

    it('starts and ends the server’s maintenance', () =>
        step('maintenance', async () => {
            const { page } = boss;
            await page.getByTestId('server-maintenance').click();
            await page.getByTestId('maintenance-message').fill('E2E: kernel upgrade');
            await page.getByTestId('maintenance-until').fill('2030-01-02T03:04');
            await checkA11y(page, 'maintenance-dialog');
            await page.getByTestId('maintenance-save').click();
            await toast(page, 'E2E Hong Kong 01 is in maintenance.').waitFor();
            await page.getByTestId('maintenance-message-shown').filter({ hasText: 'E2E: kernel upgrade' }).waitFor();
            assert.equal(
                await server.sql(`SELECT maintenance || '|' || maintenance_message || '|' || (maintenance_until AT TIME ZONE 'Asia/Shanghai') FROM telecom.node_servers WHERE id = '${created.serverId}'`),
                'true|E2E: kernel upgrade|2030-01-02 03:04:00',
                'until typed in the browser’s zone',
            );
            await screenshot(page, 'telecom-05-maintenance');

            await nav(page).locator('[data-nav="nodeServers"]').click();
            await choose(page, page.getByTestId('servers-filter-maintenance'), 'In maintenance');
            await page.waitForURL(/maintenance=true/);
            const row = page.getByTestId('servers-table').getByRole('row', { name: /E2E Hong Kong 01/ });
            await row.waitFor();
            assert.equal(await row.getByTestId('maintenance-badge').getAttribute('data-maintenance'), 'true');
            await checkA11y(page, 'node-servers');
            await row.getByRole('link', { name: created.server }).click();

            await page.getByTestId('server-maintenance').click();
            await page.getByTestId('maintenance-enabled').uncheck();
            await page.getByTestId('maintenance-save').click();
            await toast(page, 'E2E Hong Kong 01 is back in service.').waitFor();
            await page.getByTestId('maintenance-alert').waitFor({ state: 'detached' });
            assert.equal(await server.sql(`SELECT maintenance FROM telecom.node_servers WHERE id = '${created.serverId}'`), 'f');
        }));

    it('explains why a server with clients cannot be deleted', () =>
        step('delete-conflict', async () => {
            const { page } = boss;
            await page.getByTestId('server-delete').click();
            await page.getByRole('dialog').getByText(/It still has 1 node client/).waitFor();
            await page.getByTestId('confirm').click();
            await page.getByTestId('problem').filter({ hasText: 'This server still has node clients. Delete them (or move them to another server) first, then delete the server.' }).waitFor();
            await checkA11y(page, 'server-delete-conflict');
            await screenshot(page, 'telecom-06-delete-conflict');
            assert.equal(await server.sql(`SELECT count(*) FROM telecom.node_servers WHERE id = '${created.serverId}'`), '1');
            await page.getByRole('dialog').getByRole('button', { name: 'Cancel', exact: true }).click();
        }));

    it('flags the offline agent on the dashboard and links to the node status board', () =>
        step('dashboard-offline', async () => {
            const { page } = boss;
            // 90 days: a range not asked for yet, so no answer cached from before the client.
            await page.goto(`${server.url}/admin/?days=90`);
            await page.getByTestId('dashboard-nodes').waitFor();
            const offline = page.getByTestId('stat-agents-offline');
            const value = (id) => page.getByTestId(id).getByTestId('stat-value').textContent();
            assert.equal(await value('stat-agents-offline'), '1', 'the client has never been heard from');
            assert.equal(await value('stat-agents-online'), '0');
            assert.equal(await value('stat-servers'), '1');
            assert.equal(await offline.getAttribute('data-alert'), 'true', 'an offline agent stands out');
            assert.equal(await offline.getByTestId('stat-alert').textContent(), 'Needs attention');
            await checkA11y(page, 'dashboard-offline');
            await screenshot(page, 'telecom-06b-dashboard-offline');
            await offline.getByRole('link', { name: 'Show offline agents' }).click();
            await page.waitForURL(/\/admin\/nodes\/status\?online=false$/);
            await page.getByTestId('status-row').filter({ hasText: 'E2E HK SS' }).waitFor();
            // A fresh page (and query cache): the next step's status board must not start from
            // this offline list.
            await page.goto(`${server.url}/admin/`);
            await page.getByTestId('dashboard-nodes').waitFor();
        }));

    it('shows the agent online with its load on the status page', () =>
        step('status', async () => {
            const { page } = boss;
            // What an agent's pull and status report leave behind (the agent's side is the node API's test).
            await server.sql(
                `UPDATE telecom.node_clients SET last_pull_at = now(), last_push_at = now(), ` +
                    `load = '{"cpu":12.5,"mem":{"total":100,"used":41},"swap":{"total":0,"used":0},"disk":{"total":100,"used":63}}' WHERE id = '${created.clientId}'`,
            );
            await nav(page).locator('[data-nav="nodeStatus"]').click();
            const row = page.getByTestId('status-row').filter({ hasText: 'E2E HK SS' });
            await row.waitFor();
            assert.equal(await row.getByTestId('online-badge').getAttribute('data-online'), 'true');
            assert.match(await row.getByTestId('load').textContent(), /CPU12\.5%.*Memory41%.*Disk63%/s);
            await checkA11y(page, 'node-status');
            await screenshot(page, 'telecom-07-status');
            await choose(page, page.getByTestId('status-filter-online'), 'Offline');
            await page.waitForURL(/online=false/);
            await page.getByTestId('empty').waitFor();
            await choose(page, page.getByTestId('status-filter-online'), 'Online');
            await row.waitFor();
        }));

    it('shows the agent online and the traffic per day on the dashboard', () =>
        step('dashboard-traffic', async () => {
            const { page } = boss;
            // What the agent's pushes leave behind: traffic per hour (now, and two days ago).
            const GiB = 1024 ** 3;
            await server.sql(
                'INSERT INTO telecom.traffic_hourly (hour, node_client_id, upload, download) VALUES ' +
                    `(date_trunc('hour', now()), '${created.clientId}', ${3 * GiB}, ${12 * GiB}), ` +
                    `(date_trunc('hour', now() - interval '2 days'), '${created.clientId}', ${GiB / 2}, ${2 * GiB})`,
            );
            // 7 days: a range not asked for yet (no cached answer).
            await page.goto(`${server.url}/admin/?days=7`);
            await page.getByTestId('dashboard-traffic').waitFor();
            const value = (id) => page.getByTestId(id).getByTestId('stat-value').textContent();
            assert.equal(await value('stat-download'), '14 GiB');
            assert.equal(await value('stat-upload'), '3.5 GiB');
            assert.equal(await value('stat-traffic-total'), '17.5 GiB');
            assert.equal(await value('stat-agents-online'), '1');
            assert.equal(await value('stat-agents-offline'), '0');
            assert.equal(await page.getByTestId('stat-agents-offline').getAttribute('data-alert'), null);
            const chart = page.getByRole('img', { name: 'Traffic per day' });
            await chart.locator('svg').first().waitFor();
            await chart.locator('.recharts-yAxis-tick-labels', { hasText: 'GiB' }).first().waitFor(); // the axis in bytes
            assert.match(await page.locator('#chart-traffic-sum').textContent(), /^Busiest day: .+, 15 GiB up and down\.$/);
            await checkA11y(page, 'dashboard-traffic');
            await screenshot(page, 'telecom-07b-dashboard-traffic');
        }));

    it('lists a customer’s packages, cancels the queued one with a reason, and says when one already ended', () =>
        step('packages', async () => {
            const { page } = boss;
            customer = await signUpCustomer(server, 'packages');
            created.active = randomUUID();
            created.queued = randomUUID();
            // As two delivered orders leave them: one active, one queued behind it.
            await server.sql(
                'INSERT INTO telecom.packages (id, user_id, name, status, traffic_bytes, duration_days, traffic_reset, upload, download, activated_at, expires_at, created_at) VALUES ' +
                    `('${created.active}', '${customer.id}', 'E2E Pro monthly', 'active', ${100 * 1024 ** 3}, 30, 'none', ${1024 ** 3}, ${4 * 1024 ** 3}, now(), now() + interval '30 days', now() - interval '1 minute'), ` +
                    `('${created.queued}', '${customer.id}', 'E2E Pro renewal', 'in_queue', ${100 * 1024 ** 3}, 30, 'none', 0, 0, NULL, NULL, now())`,
            );
            await nav(page).locator('[data-nav="customerPackages"]').click();
            await page.getByRole('heading', { name: 'Customer packages' }).waitFor();
            await page.getByTestId('packages-filter-user').fill(customer.id);
            await page.getByTestId('packages-filter-apply').click();
            await page.waitForURL(new RegExp(`user=${customer.id}`));
            const rows = page.getByTestId('package-row');
            await page.locator(`[data-package-id="${created.queued}"]`).waitFor();
            assert.equal(await rows.count(), 2);
            const queued = page.locator(`[data-package-id="${created.queued}"]`);
            const active = page.locator(`[data-package-id="${created.active}"]`);
            assert.match(await queued.textContent(), /In queue.*No\. 1 in queue/s);
            assert.match(await active.textContent(), /Active.*5 GiB of 100 GiB/s);
            await checkA11y(page, 'customer-packages');
            await screenshot(page, 'telecom-08-customer-packages');

            await queued.getByTestId('package-cancel').click();
            await page.getByTestId('confirm').click();
            await page.getByRole('dialog').getByText('Required.', { exact: true }).waitFor(); // a reason first
            await page.getByTestId('reason').fill('E2E: bought by mistake');
            await checkA11y(page, 'package-cancel-dialog');
            await page.getByTestId('confirm').click();
            await toast(page, 'Package E2E Pro renewal cancelled.').waitFor();
            await queued.getByTestId('package-status').filter({ hasText: 'Cancelled' }).waitFor();
            assert.equal(await queued.getByTestId('package-cancel').count(), 0, 'no cancel for an ended package');
            assert.equal(
                await server.sql(`SELECT status || '|' || end_reason FROM telecom.packages WHERE id = '${created.queued}'`),
                'cancelled|E2E: bought by mistake',
            );

            // The other one ends (used up) while the dialog is open: the 409 is explained.
            await active.getByTestId('package-cancel').click();
            await page.getByTestId('reason').fill('E2E: too late');
            await server.sql(`UPDATE telecom.packages SET status = 'consumed', ended_at = now(), end_reason = 'traffic used up' WHERE id = '${created.active}'`);
            await page.getByTestId('confirm').click();
            await page.getByTestId('problem').filter({ hasText: 'This package has already ended (used up, expired or cancelled), so it cannot be cancelled.' }).waitFor();
            await screenshot(page, 'telecom-09-package-ended');
            await page.getByRole('dialog').getByRole('button', { name: 'Cancel', exact: true }).click();
            await active.getByTestId('package-status').filter({ hasText: 'Ended' }).waitFor();
            assert.equal(await server.sql(`SELECT status FROM telecom.packages WHERE id = '${created.active}'`), 'consumed');

            await choose(page, page.getByTestId('packages-filter-status'), 'Cancelled');
            await page.waitForURL(/status=cancelled/);
            await page.locator(`[data-package-id="${created.active}"]`).waitFor({ state: 'detached' });
            assert.equal(await rows.count(), 1);
        }));

    it('shows the packages on the customer’s page and gives the customer a new subscription link', () =>
        step('rotate', async () => {
            const { page } = boss;
            const before = await asCustomer('GET', '/api/v1/subscription');
            await page.goto(`${server.url}/admin/customers/${customer.id}`);
            const card = page.getByTestId('customer-packages');
            await card.locator(`[data-package-id="${created.queued}"]`).waitFor();
            assert.equal(await card.getByTestId('package-row').count(), 2);
            await page.getByTestId('rotate-subscription').click();
            await page.getByTestId('reason').fill('E2E: link posted in a public chat');
            await checkA11y(page, 'rotate-subscription-dialog');
            await page.getByTestId('confirm').click();
            await toast(page, 'Subscription link replaced.').waitFor();
            const after = await asCustomer('GET', '/api/v1/subscription');
            assert.notEqual(after.token, before.token, 'a new token');
            assert.ok(after.rotated_at, 'rotated');
            assert.ok(!JSON.stringify(await page.content()).includes(after.token), 'the new token is not shown to staff');
            assert.equal(
                await server.sql(`SELECT count(*) FROM staff.audit_log WHERE action = 'subscription.rotate' AND target_type = 'customer' AND target_id = '${customer.id}' AND reason = '${q('E2E: link posted in a public chat')}'`),
                '1',
                'audited with its reason',
            );
            await checkA11y(page, 'customer-detail-packages');
            await screenshot(page, 'telecom-10-customer');
        }));

    it('opens in Chinese with the customer packages named 用户套餐', () =>
        step('chinese', async () => {
            const { page } = boss;
            await page.evaluate(() => localStorage.setItem('helium.admin.lang', 'zh'));
            await page.goto(`${server.url}/admin/customer-packages`);
            await page.getByRole('heading', { name: '用户套餐' }).waitFor();
            assert.ok(await nav(page).getByText('节点状态').isVisible());
            await checkA11y(page, 'customer-packages-zh');
            await page.evaluate(() => localStorage.setItem('helium.admin.lang', 'en'));
            await page.reload();
            await page.getByRole('heading', { name: 'Customer packages' }).waitFor();
        }));

    it('a CustomerSupport sees the node screens read-only', () =>
        step('support', async () => {
            support = await staffMember(server, browser, { role: 'customer_support', name: 'Sam Support' });
            const { page } = support;
            const keys = await navKeys(page);
            for (const k of ['nodeServers', 'nodeClients', 'nodeStatus', 'customerPackages']) assert.ok(keys.includes(k), `${k} in ${keys}`);

            await nav(page).locator('[data-nav="nodeServers"]').click();
            await page.getByTestId('servers-table').getByRole('link', { name: created.server }).waitFor();
            assert.equal(await page.getByTestId('server-new').count(), 0, 'no new server');
            await checkA11y(page, 'node-servers-support');
            await page.getByTestId('servers-table').getByRole('link', { name: created.server }).click();
            await page.getByTestId('clients-table').getByRole('link', { name: 'E2E HK SS' }).waitFor();
            for (const id of ['server-edit', 'server-maintenance', 'server-delete', 'server-add-client']) assert.equal(await page.getByTestId(id).count(), 0, `no ${id}`);

            await page.getByTestId('clients-table').getByRole('link', { name: 'E2E HK SS' }).click();
            await page.getByTestId('client-settings-view').waitFor();
            assert.match(await page.getByTestId('client-settings-view').textContent(), /"cipher": "aes-128-gcm"/);
            for (const id of ['client-save', 'client-delete', 'client-settings']) assert.equal(await page.getByTestId(id).count(), 0, `no ${id}`);
            await checkA11y(page, 'node-client-support');

            await nav(page).locator('[data-nav="nodeClients"]').click();
            await page.getByTestId('clients-table').waitFor();
            assert.equal(await page.getByTestId('client-new').count(), 0, 'no new client');
            await page.goto(`${server.url}/admin/nodes/clients?new=1`);
            await page.getByTestId('clients-table').waitFor();
            assert.equal(await page.getByTestId('client-create').count(), 0, 'a shared “new” link opens no dialog');
            await nav(page).locator('[data-nav="nodeStatus"]').click();
            await page.getByTestId('status-row').first().waitFor();

            // Customer packages: listed, but no cancel (packages.cancel); a new link asks for TOTP first.
            await page.goto(`${server.url}/admin/customers/${customer.id}`);
            await page.getByTestId('customer-packages').getByTestId('package-row').first().waitFor();
            assert.equal(await page.getByTestId('package-cancel').count(), 0, 'no cancel without packages.cancel');
            await page.getByTestId('rotate-subscription').click();
            await page.getByTestId('mfa-prompt-setup').waitFor();
            assert.equal(await page.getByTestId('reason').count(), 0, 'no dialog without TOTP');
            await screenshot(page, 'telecom-11-support');
            await page.getByRole('dialog').getByRole('button', { name: 'Not now' }).click();
        }));

    it('deletes the client, then the server', () =>
        step('delete', async () => {
            const { page } = boss;
            await page.goto(`${server.url}/admin/nodes/clients/${created.clientId}`);
            await page.getByTestId('client-delete').click();
            await page.getByTestId('confirm').click();
            await page.waitForURL(new RegExp(`/admin/nodes/servers/${created.serverId}$`));
            await page.getByTestId('empty').waitFor();
            await page.getByTestId('server-delete').click();
            await page.getByTestId('confirm').click();
            await page.waitForURL(/\/admin\/nodes\/servers$/);
            await toast(page, 'Server deleted.').waitFor();
            assert.equal(await server.sql('SELECT count(*) FROM telecom.node_servers'), '0');
            assert.equal(await server.sql('SELECT count(*) FROM telecom.node_clients'), '0');
        }));
});
