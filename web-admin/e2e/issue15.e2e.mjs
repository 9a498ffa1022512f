// The issue 15 screens end to end in headless Chromium against a live helium (its own
// database, Redis prefix and MQ prefix): a SuperAdmin creates, edits and deletes an
// announcement (the customer's own API sees it while it exists); creates an outgoing webhook
// endpoint whose signing secret is shown once (never on its page afterwards), rotates it (a new
// secret, once), sends a test event and finds its delivery; answers a ticket a customer opened
// through the API — a reply, an internal note the customer never sees, assignment to themself,
// a status change with a note, and the 409 of reopening a closed ticket; edits a customer's
// affiliate policy. A SupportBot has no internal-note switch and no status or assignment
// controls; a CustomerSupport reads the affiliate policy without an edit button and has neither
// the commissions nor the webhook screens. axe-core on the new screens; screenshots under
// test-artifacts/issue15-*.png.

import assert from 'node:assert/strict';
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
let boss; // SuperAdmin with TOTP
let bot; // SupportBot
let support; // CustomerSupport
let customer; // { email, id, accessToken }
const created = {};
const csp = [];

async function step(name, fn) {
    try {
        await fn();
    } catch (err) {
        for (const [who, s] of [['boss', boss], ['bot', bot], ['support', support]]) {
            if (s?.page && !s.page.isClosed()) await screenshot(s.page, `FAILED-issue15-${name}-${who}`).catch(() => {});
        }
        throw err;
    }
}

const nav = (page) => page.getByTestId('nav');
async function navKeys(page) {
    return nav(page).locator('[data-nav]').evaluateAll((els) => els.map((e) => e.getAttribute('data-nav')));
}
const toast = (page, text) => page.locator('.mantine-Notification-root').filter({ hasText: text }).first();

/** The customer's own API (their view, not the SPA's traffic). */
async function asCustomer(method, p, body) {
    const res = await fetch(`${server.url}${p}`, {
        method,
        headers: {
            authorization: `Bearer ${customer.accessToken}`,
            'user-agent': 'Mozilla/5.0 (e2e) HeliumPhone/1.0',
            ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${p}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
}

describe('admin SPA: tickets, announcements, affiliates, webhooks', { concurrency: false }, () => {
    before(async () => {
        server = await startServer({ mqPrefix: 'webadmin_e2e_issue15' });
        browser = await launchBrowser();
        boss = await staffMember(server, browser, { role: 'super_admin', name: 'Sally Support', totp: true });
        customer = await signUpCustomer(server, 'ticket-customer');
    });

    after(async () => {
        writeReport('a11y-issue15.json', a11yReport);
        writeReport('metrics-issue15.json', { servedFromDisk: servingLocalBuild() });
        csp.push(...[boss?.context, bot?.context, support?.context].flatMap((c) => c?.cspViolations ?? []));
        await browser?.close();
        const stopped = await server?.stop();
        server?.mail.stop();
        console.log(`screenshots and reports: ${artifacts}`);
        assert.deepEqual(csp, [], 'no Content-Security-Policy violation and no uncaught page error');
        assert.ok(!stopped || stopped.code === 0, `helium exited with ${JSON.stringify(stopped)}`);
    });

    it('a SuperAdmin sees tickets, announcements, commissions and webhooks', () =>
        step('nav', async () => {
            const keys = await navKeys(boss.page);
            for (const k of ['tickets', 'announcements', 'commissions', 'webhooks']) assert.ok(keys.includes(k), `${k} in ${keys}`);
        }));

    it('creates, edits and deletes an announcement', () =>
        step('announcement', async () => {
            const { page } = boss;
            await nav(page).locator('[data-nav="announcements"]').click();
            await page.getByTestId('empty').waitFor();
            await page.getByTestId('ann-new').click();
            await page.getByTestId('ann-save').click();
            await page.getByText('Required.').first().waitFor(); // checked before sending
            await page.getByTestId('ann-title').fill('E2E maintenance tonight');
            await page.getByTestId('ann-body').fill('Hong Kong nodes restart at 02:00.\nExpect a minute of downtime.');
            await page.getByTestId('ann-priority').fill('10');
            await page.getByTestId('ann-pinned').check();
            await page.getByTestId('ann-email').check();
            await page.getByTestId('ann-category').getByText('Service').click();
            await checkA11y(page, 'announcement-dialog');
            await screenshot(page, 'issue15-01-announcement-dialog');
            await page.getByTestId('ann-save').click();
            await toast(page, 'Announcement “E2E maintenance tonight” created.').waitFor();
            const row = page.getByTestId('announcements-table').getByRole('row').filter({ hasText: 'E2E maintenance tonight' });
            await row.waitFor();
            assert.equal(await row.getByTestId('ann-live').textContent(), 'Live');
            await checkA11y(page, 'announcements');
            const seen = await asCustomer('GET', '/api/v1/announcements');
            assert.ok(seen.items.some((a) => a.title === 'E2E maintenance tonight'), 'the customer sees it');
            // Edit: the form opens with the stored values.
            await row.getByTestId('ann-edit').click();
            assert.equal(await page.getByTestId('ann-title').inputValue(), 'E2E maintenance tonight');
            assert.equal(await page.getByTestId('ann-priority').inputValue(), '10');
            await page.getByTestId('ann-title').fill('E2E maintenance moved to Friday');
            await page.getByTestId('ann-save').click();
            await toast(page, 'Announcement “E2E maintenance moved to Friday” saved.').waitFor();
            await page.getByTestId('announcements-table').getByText('E2E maintenance moved to Friday').waitFor();
            // The live filter.
            await choose(page, page.getByTestId('ann-active-filter'), 'Not live');
            await page.getByTestId('empty').waitFor();
            await choose(page, page.getByTestId('ann-active-filter'), 'All');
            // Delete, confirmed.
            await page.getByTestId('announcements-table').getByRole('row').filter({ hasText: 'E2E maintenance moved to Friday' }).getByTestId('ann-delete').click();
            await page.getByTestId('confirm').click();
            await toast(page, 'Announcement deleted.').waitFor();
            await page.getByTestId('empty').waitFor();
            const after = await asCustomer('GET', '/api/v1/announcements');
            assert.ok(!after.items.some((a) => a.title.startsWith('E2E maintenance')), 'gone for the customer');
        }));

    it('creates a webhook endpoint: the secret is shown once, never on reopening', () =>
        step('webhook', async () => {
            const { page } = boss;
            await nav(page).locator('[data-nav="webhooks"]').click();
            await page.getByTestId('empty').waitFor();
            await page.getByTestId('webhook-new').click();
            await page.getByTestId('webhook-url').fill('http://hooks.example.com/helium');
            await page.getByTestId('webhook-save').click();
            await page.getByText('An https:// URL is required.').waitFor();
            await page.getByText('Choose at least one event type.').waitFor();
            await page.getByTestId('webhook-url').fill('https://hooks.example.com/helium');
            await page.getByTestId('webhook-description').fill('E2E CRM sync');
            await choose(page, page.getByTestId('webhook-events'), 'ticket.*');
            await choose(page, page.getByTestId('webhook-events'), 'order.paid');
            await page.keyboard.press('Escape');
            await checkA11y(page, 'webhook-dialog');
            await page.getByTestId('webhook-save').click();
            const secretBox = page.getByTestId('webhook-secret');
            await secretBox.waitFor();
            created.secret = (await secretBox.textContent()).trim();
            assert.match(created.secret, /^whsec_[A-Za-z0-9+/=_-]{20,}$/);
            await page.getByText('Shown only this once').waitFor();
            await screenshot(page, 'issue15-02-webhook-secret');
            await page.getByTestId('webhook-secret-done').click();
            await page.waitForURL(/\/admin\/webhooks\/[0-9a-f-]{36}$/);
            created.webhookId = page.url().split('/').pop();
            await page.getByTestId('webhook-info').getByText('E2E CRM sync').waitFor();
            assert.ok(!(await page.content()).includes(created.secret), 'the secret is not on the endpoint page');
            await checkA11y(page, 'webhook-detail');
            // Reopened from the list, and after a reload: still no secret anywhere.
            await nav(page).locator('[data-nav="webhooks"]').click();
            await page.getByTestId('webhooks-table').getByText('https://hooks.example.com/helium').click();
            await page.getByTestId('webhook-info').waitFor();
            await page.reload();
            await page.getByTestId('webhook-info').waitFor();
            assert.ok(!(await page.content()).includes(created.secret), 'not after reopening either');
            await page.getByTestId('webhook-edit').click();
            assert.equal(await page.getByTestId('webhook-url').inputValue(), 'https://hooks.example.com/helium');
            assert.ok(!(await page.content()).includes(created.secret), 'nor in the edit form');
            await page.getByTestId('webhook-description').fill('E2E CRM sync (edited)');
            await page.getByTestId('webhook-save').click();
            await toast(page, 'Endpoint saved.').waitFor();
            await page.getByTestId('webhook-info').getByText('E2E CRM sync (edited)').waitFor();
        }));

    it('rotates the webhook secret (shown once), sends a test event and lists its delivery', () =>
        step('webhook-rotate', async () => {
            const { page } = boss;
            await page.getByTestId('webhook-rotate').click();
            await page.getByTestId('webhook-grace').fill('3600');
            await page.getByTestId('webhook-rotate-confirm').click();
            const secretBox = page.getByTestId('webhook-secret');
            await secretBox.waitFor();
            const rotated = (await secretBox.textContent()).trim();
            assert.match(rotated, /^whsec_/);
            assert.notEqual(rotated, created.secret);
            await page.getByTestId('webhook-secret-done').click();
            await page.getByText('Old secret signs until').waitFor();
            assert.ok(!(await page.content()).includes(rotated), 'the new secret is gone once the dialog closes');
            await page.getByTestId('webhook-test').click();
            await toast(page, 'Test event queued').waitFor();
            const row = page.getByTestId('deliveries-table').getByTestId('delivery-row').filter({ hasText: 'webhook.test' });
            await row.waitFor();
            await row.getByTestId('delivery-toggle').click();
            await page.getByText(/webhook-id: /).waitFor();
            await choose(page, page.getByTestId('delivery-event-filter'), 'order.paid');
            await page.getByTestId('empty').waitFor();
            await choose(page, page.getByTestId('delivery-event-filter'), 'webhook.test');
            await row.waitFor();
            await checkA11y(page, 'webhook-deliveries');
            await screenshot(page, 'issue15-03-webhook-deliveries');
        }));

    it('answers a customer’s ticket: reply, internal note, assignment, status with a note', () =>
        step('ticket', async () => {
            const { page } = boss;
            const ticket = await asCustomer('POST', '/api/v1/tickets', { subject: 'E2E cannot connect from Shanghai', body: 'Since yesterday every node times out.', priority: 'high' });
            created.ticketId = ticket.id;
            await nav(page).locator('[data-nav="tickets"]').click();
            const row = page.getByTestId('tickets-table').getByRole('row').filter({ hasText: 'E2E cannot connect from Shanghai' });
            await row.waitFor();
            assert.match(await row.textContent(), /Open/);
            assert.match(await row.textContent(), /High/);
            await checkA11y(page, 'tickets');
            // Filters: a status that does not match, then the subject search.
            await choose(page, page.getByTestId('ticket-status-filter'), 'Closed');
            await page.getByTestId('empty').waitFor();
            await choose(page, page.getByTestId('ticket-status-filter'), 'All');
            await page.getByTestId('ticket-search').fill('shanghai');
            await page.keyboard.press('Enter');
            await page.waitForURL(/q=shanghai/);
            // The unassigned queue (assignee=none) holds it until someone takes it.
            await page.getByTestId('ticket-unassigned').click();
            await page.waitForURL(/assignee=none/);
            await row.waitFor();
            await row.getByRole('link', { name: 'E2E cannot connect from Shanghai' }).click();
            await page.waitForURL(new RegExp(`/admin/tickets/${ticket.id}$`));
            await page.getByTestId('msg-customer').getByText('Since yesterday every node times out.').waitFor();
            // A reply the customer sees.
            await page.getByTestId('ticket-reply-body').fill('Please try the Tokyo nodes while we look into it.');
            await page.getByTestId('ticket-reply-send').click();
            await toast(page, 'Reply sent.').waitFor();
            await page.getByTestId('msg-staff').getByText('Please try the Tokyo nodes').waitFor();
            // An internal note: looks different, and the customer never sees it.
            await page.getByTestId('ticket-internal').check();
            await page.getByTestId('ticket-reply-body').fill('Probably the HK relay again, see yesterday’s incident.');
            await page.getByTestId('ticket-reply-send').click();
            await toast(page, 'Internal note added.').waitFor();
            const note = page.getByTestId('msg-internal').filter({ hasText: 'HK relay' });
            await note.waitFor();
            await note.getByText('Internal note').waitFor();
            const mine = await asCustomer('GET', `/api/v1/tickets/${ticket.id}`);
            const bodies = JSON.stringify(mine);
            assert.ok(bodies.includes('Please try the Tokyo nodes'), 'the reply reaches the customer');
            assert.ok(!bodies.includes('HK relay'), 'the internal note does not');
            // Assign to me.
            await page.getByTestId('ticket-assign-me').click();
            await toast(page, 'Ticket assigned.').waitFor();
            await page.getByTestId('ticket-assignee').getByText('You').waitFor();
            // Status with a note.
            await choose(page, page.getByTestId('ticket-status-select'), 'Resolved');
            await page.getByTestId('ticket-status-note').fill('Customer confirmed Tokyo works.');
            await page.getByTestId('ticket-status-save').click();
            await toast(page, 'Status set to Resolved.').waitFor();
            await page.getByTestId('ticket-status').filter({ hasText: 'Resolved' }).first().waitFor();
            // Assigned now: gone from the unassigned queue.
            await page.goto(`${server.url}/admin/tickets?assignee=none&q=shanghai`);
            await page.getByTestId('empty').waitFor();
            await page.goBack();
            await page.getByTestId('ticket-status').filter({ hasText: 'Resolved' }).first().waitFor();
            await page.getByTestId('msg-internal').filter({ hasText: 'Customer confirmed Tokyo works.' }).waitFor();
            await checkA11y(page, 'ticket-detail');
            await screenshot(page, 'issue15-04-ticket');
            // Closed is final: reopening is refused and explained.
            await choose(page, page.getByTestId('ticket-status-select'), 'Closed');
            await page.getByTestId('ticket-status-save').click();
            await toast(page, 'Status set to Closed.').waitFor();
            await page.getByTestId('ticket-status').filter({ hasText: 'Closed' }).first().waitFor();
            await page.getByText('The ticket is closed: no more replies.').waitFor();
            assert.ok(await page.getByTestId('ticket-reply-send').isDisabled(), 'no reply to a closed ticket');
            await choose(page, page.getByTestId('ticket-status-select'), 'Open');
            await page.getByTestId('ticket-status-save').click();
            await page.getByText('The ticket cannot go to that status from its current one').waitFor();
            const mineAfter = await asCustomer('GET', `/api/v1/tickets/${ticket.id}`);
            assert.equal((mineAfter.ticket ?? mineAfter).status, 'closed');
        }));

    it('a SupportBot sees no internal-note switch and no status or assignment controls', () =>
        step('bot', async () => {
            bot = await staffMember(server, browser, { role: 'support_bot', name: 'Robo Reply' });
            const { page } = bot;
            const keys = await navKeys(page);
            assert.ok(keys.includes('tickets'), `tickets in ${keys}`);
            for (const k of ['announcements', 'commissions', 'webhooks']) assert.ok(!keys.includes(k), `${k} not in ${keys}`);
            const ticket = await asCustomer('POST', '/api/v1/tickets', { subject: 'E2E refund question', body: 'How do refunds work?', priority: 'low' });

            // Its dashboard: customers, sales and tickets (customers.read, orders.read,
            // tickets.read), no nodes, traffic nor staff numbers; the open tickets lead to the
            // ticket list filtered by status.
            await nav(page).locator('[data-nav="dashboard"]').click();
            await page.getByTestId('dashboard-ready').waitFor();
            await page.getByTestId('dashboard-sales').waitFor();
            await page.getByTestId('dashboard-tickets').waitFor();
            await page.getByRole('img', { name: 'Tickets opened per day' }).locator('svg').first().waitFor();
            for (const section of ['nodes', 'traffic', 'staff']) assert.equal(await page.getByTestId(`dashboard-${section}`).count(), 0, `no ${section} section`);
            await checkA11y(page, 'dashboard-bot');
            await screenshot(page, 'issue15-05a-bot-dashboard');
            await page.getByTestId('stat-tickets-open').getByRole('link', { name: 'Show open tickets' }).click();
            await page.waitForURL(/\/admin\/tickets\?status=open$/);
            await page.getByTestId('tickets-table').getByRole('link', { name: 'E2E refund question' }).click();
            await page.waitForURL(new RegExp(`/admin/tickets/${ticket.id}$`));
            await page.getByTestId('ticket-reply-body').waitFor();
            assert.equal(await page.getByTestId('ticket-internal').count(), 0, 'no internal-note switch');
            assert.equal(await page.getByTestId('ticket-status-select').count(), 0, 'no status control');
            assert.equal(await page.getByTestId('ticket-assign-me').count(), 0, 'no assignment');
            // The internal note of the other ticket is visible to staff, the bot included (tickets.read).
            await page.goto(`${server.url}/admin/tickets/${created.ticketId}`);
            await page.getByTestId('msg-internal').first().waitFor();
            await page.goto(`${server.url}/admin/webhooks`);
            await page.getByTestId('forbidden').waitFor();
            await screenshot(page, 'issue15-05-bot-ticket');
        }));

    it('a CustomerSupport reads the affiliate policy without editing it', () =>
        step('support', async () => {
            support = await staffMember(server, browser, { role: 'customer_support', name: 'Casey Care' });
            const { page } = support;
            const keys = await navKeys(page);
            for (const k of ['tickets', 'announcements']) assert.ok(keys.includes(k), `${k} in ${keys}`);
            for (const k of ['commissions', 'webhooks']) assert.ok(!keys.includes(k), `${k} not in ${keys}`);
            await page.goto(`${server.url}/admin/customers/${customer.id}`);
            const card = page.getByTestId('affiliate-card');
            await card.getByTestId('aff-values').waitFor();
            await card.getByTestId('aff-readonly').waitFor();
            assert.equal(await card.getByTestId('aff-edit').count(), 0, 'no edit button');
            await checkA11y(page, 'customer-affiliate-readonly');
            await screenshot(page, 'issue15-06-affiliate-readonly');
            // Announcements read-only: no "new" button.
            await nav(page).locator('[data-nav="announcements"]').click();
            await page.waitForURL(/\/admin\/announcements$/);
            await page.getByRole('heading', { name: 'Announcements' }).waitFor();
            await page.getByTestId('empty').waitFor();
            assert.equal(await page.getByTestId('ann-new').count(), 0);
            await page.goto(`${server.url}/admin/commissions`);
            await page.getByTestId('forbidden').waitFor();
        }));

    it('a SuperAdmin overrides a customer’s affiliate policy and lists commissions', () =>
        step('affiliate', async () => {
            const { page } = boss;
            await page.goto(`${server.url}/admin/customers/${customer.id}`);
            const card = page.getByTestId('affiliate-card');
            await card.getByTestId('aff-edit').click();
            await page.getByTestId('aff-rate').fill('150');
            await page.getByTestId('aff-save').click();
            await page.getByText('A percentage from 0 to 100 with at most two decimals.').waitFor();
            await page.getByTestId('aff-rate').fill('12.5');
            await page.getByTestId('aff-codes').fill('3');
            await page.getByTestId('aff-save').click();
            await toast(page, 'Affiliate policy saved.').waitFor();
            await card.getByTestId('aff-values').getByText('12.5 %').waitFor();
            // Support sees the override on reload.
            await support.page.goto(`${server.url}/admin/customers/${customer.id}`);
            await support.page.getByTestId('aff-values').getByText('12.5 %').waitFor();
            await card.getByRole('link', { name: 'Their commissions' }).click();
            await page.waitForURL(new RegExp(`/admin/commissions\\?beneficiary=${customer.id}`));
            await page.getByRole('heading', { name: 'Commissions' }).waitFor();
            await page.getByTestId('empty').waitFor();
            await checkA11y(page, 'commissions');
        }));

    it('in Chinese, the new screens speak Chinese', () =>
        step('zh', async () => {
            const { page } = boss;
            await page.evaluate(() => localStorage.setItem('helium.admin.lang', 'zh'));
            await page.goto(`${server.url}/admin/tickets`);
            await nav(page).getByText('工单').first().waitFor();
            await page.evaluate(() => localStorage.setItem('helium.admin.lang', 'en'));
        }));
});
