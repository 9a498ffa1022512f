// The admin SPA end to end in headless Chromium against a live helium with the real services
// (issue 16, "Tests"): bootstrap a SuperAdmin with helium-cli + the setup page, the TOTP prompt
// before any change (every staff account needs a second factor to write), enrol TOTP, sign in
// with a code, 15-minute access tokens renewed once for parallel requests, invite a
// CustomerSupport (the link read from the e-mail the SMTP sink received) and accept in a second
// browser context, their navigation lacks config and staff screens, ban and unban a customer
// with a reason and find both in the audit viewer, paged invitations, a config value with a
// field error, Chinese and back. axe-core on every main screen; screenshots of each under
// test-artifacts/ (also on failure).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
    a11yReport,
    applyLocalBuild,
    artifacts,
    Authenticator,
    checkA11y,
    cli,
    launchBrowser,
    mailedLink,
    newStaffContext,
    PASSWORD,
    screenshot,
    signUpCustomer,
    startServer,
    uniqueEmail,
    writeReport,
} from './kit.mjs';

let server;
let browser;
let boss; // { context, page, email, totp, recoveryCodes }
let support; // { context, page, email }
let customer;
const metrics = {};

/** Runs a step; on failure screenshots every open page (kept under test-artifacts/). */
async function step(name, fn) {
    try {
        await fn();
    } catch (err) {
        for (const [who, s] of [['boss', boss], ['support', support]]) {
            if (s?.page && !s.page.isClosed()) await screenshot(s.page, `FAILED-${name}-${who}`).catch(() => {});
        }
        throw err;
    }
}

const path = (page) => new URL(page.url()).pathname;
const nav = (page) => page.getByTestId('nav');
async function navKeys(page) {
    return nav(page).locator('[data-nav]').evaluateAll((els) => els.map((e) => e.getAttribute('data-nav')));
}

async function signIn(page, email, { code, recovery } = {}) {
    await page.getByTestId('email').fill(email);
    await page.getByTestId('password').fill(PASSWORD);
    await page.getByTestId('sign-in').click();
    if (code || recovery) {
        if (recovery) {
            await page.getByTestId('toggle-recovery').click();
            await page.getByTestId('recovery-code').fill(recovery);
        } else {
            await page.getByTestId('totp-code').fill(await code());
        }
        await page.getByTestId('verify').click();
    }
    await nav(page).waitFor();
}

async function signOut(page) {
    await page.getByTestId('account-menu').click();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in').waitFor();
}

async function choose(page, input, option) {
    await input.click();
    await page.getByRole('option', { name: option, exact: true }).click();
}

describe('admin SPA', { concurrency: false }, () => {
    before(async () => {
        server = await startServer();
        browser = await launchBrowser();
    });

    after(async () => {
        writeReport('a11y.json', a11yReport);
        writeReport('metrics.json', metrics);
        const csp = [boss?.context, support?.context].flatMap((c) => c?.cspViolations ?? []);
        await browser?.close();
        const stopped = await server?.stop();
        server?.mail.stop();
        console.log(`screenshots and reports: ${artifacts}`);
        assert.deepEqual(csp, [], 'no Content-Security-Policy violation and no uncaught page error');
        assert.ok(!stopped || stopped.code === 0, `helium exited with ${JSON.stringify(stopped)}`);
    });

    it('bootstraps the first SuperAdmin through helium-cli and the setup page', () =>
        step('setup', async () => {
            const email = uniqueEmail('boss');
            const out = await cli(server, ['admin', 'create', '--name', 'Ada Boss', '--role', 'super_admin', '--email', email]);
            const link = out.match(/https?:\/\/\S+\/admin\/setup\?token=\S+/)?.[0];
            assert.ok(link?.startsWith(`${server.url}/admin/setup?token=`), `the CLI prints the setup link:\n${out}`);
            const context = await newStaffContext(browser);
            const page = await context.newPage();
            boss = { context, page, email };
            const res = await page.goto(link);
            assert.equal(res.status(), 200);
            const headers = res.headers();
            assert.match(headers['content-security-policy'], /script-src 'self';/);
            assert.equal(headers['x-frame-options'], 'DENY');
            await page.getByTestId('new-password').waitFor();
            await checkA11y(page, 'setup');
            await screenshot(page, '01-setup');
            await page.getByTestId('new-password').fill(PASSWORD);
            await page.getByTestId('confirm-password').fill(PASSWORD);
            await page.getByTestId('set-password').click();
            await page.getByTestId('setup-done').waitFor();
            await page.getByTestId('go-sign-in').click();
            await page.getByTestId('sign-in').waitFor();
            await checkA11y(page, 'sign-in');
            await screenshot(page, '02-sign-in');
        }));

    it('signs in; the dashboard asks for TOTP', () =>
        step('first-sign-in', async () => {
            const { page } = boss;
            await signIn(page, boss.email);
            assert.match(path(page), /^\/admin\/?$/);
            await page.getByTestId('dashboard-ready').waitFor();
            await page.getByTestId('mfa-banner').waitFor();
            assert.deepEqual(await navKeys(page), [
                'dashboard',
                'customers',
                'customerPackages',
                'groups',
                'tickets',
                'announcements',
                'orders',
                'packages',
                'products',
                'coupons',
                'giftCards',
                'commissions',
                'paymentMethods',
                'nodeServers',
                'nodeClients',
                'nodeStatus',
                'staff',
                'invitations',
                'apiKeys',
                'audit',
                'config',
                'webhooks',
                'account',
            ]);

            // Without TOTP nobody may write: a change starts with the prompt to turn it on…
            await nav(page).locator('[data-nav="invitations"]').click();
            await page.getByTestId('invite-open').click();
            const prompt = page.getByRole('dialog', { name: 'Turn on two-factor sign-in first' });
            await prompt.waitFor();
            assert.equal(await page.getByTestId('invite-email').count(), 0, 'the invitation form does not open');
            await checkA11y(page, 'mfa-prompt');
            await screenshot(page, '03a-mfa-prompt');
            await prompt.getByRole('button', { name: 'Not now' }).click();
            await prompt.waitFor({ state: 'detached' });

            // …and where a change slips through (a shared link that opens the form), the
            // server's 403 mfa_required raises the same prompt.
            await page.goto(`${server.url}/admin/invitations?new=1`);
            await page.getByTestId('invite-email').fill(uniqueEmail('too-early'));
            await page.getByTestId('invite-name').fill('Too Early');
            await page.getByTestId('invite-send').click();
            await page.getByTestId('mfa-prompt-setup').waitFor();
            assert.match(await page.getByTestId('problem').first().textContent(), /Turn on two-factor sign-in/);
            await screenshot(page, '03b-mfa-required-403');
            await page.getByTestId('mfa-prompt-setup').click();
            await page.waitForURL(/\/admin\/account\?setup=totp#security$/);
            await page.getByTestId('setup-totp').waitFor();
            await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'setup-totp', null, { timeout: 5_000 });
        }));

    it('enrols TOTP with the QR code and shows the recovery codes once', () =>
        step('totp', async () => {
            const { page } = boss;
            await page.getByTestId('setup-totp').click();
            await page.getByRole('img', { name: 'QR code for your authenticator app' }).first().waitFor();
            const secret = (await page.getByTestId('totp-secret').textContent()).trim();
            boss.totp = new Authenticator(secret);
            await checkA11y(page, 'account-totp-setup');
            await screenshot(page, '03c-totp-enrol');
            await page.getByTestId('enable-code').fill(await boss.totp.code());
            await page.getByTestId('enable-totp').click();
            await page.getByTestId('recovery-codes').waitFor();
            boss.recoveryCodes = await page.getByTestId('recovery-codes').locator('li code').allTextContents();
            assert.equal(boss.recoveryCodes.length, 10);
            await screenshot(page, '04-recovery-codes');
            await page.getByTestId('codes-done').click();
            await page.getByTestId('mfa-on').waitFor();
            assert.equal(await page.getByTestId('mfa-banner').count(), 0);
            await checkA11y(page, 'account');
            await screenshot(page, '05-account');
        }));

    it('signs out and back in with a TOTP code', () =>
        step('totp-sign-in', async () => {
            const { page } = boss;
            await signOut(page);
            await page.getByTestId('email').fill(boss.email);
            await page.getByTestId('password').fill(PASSWORD);
            await page.getByTestId('sign-in').click();
            await page.getByTestId('totp-code').waitFor();
            await checkA11y(page, 'sign-in-totp');
            await screenshot(page, '06-sign-in-totp');
            await page.getByTestId('totp-code').fill(await boss.totp.code());
            await page.getByTestId('verify').click();
            await page.getByTestId('dashboard-ready').waitFor();
            assert.equal(await page.getByTestId('mfa-banner').count(), 0);
            // A SuperAdmin holds every permission: every section of the statistics, each chart
            // named for assistive technology.
            for (const section of ['sales', 'nodes', 'traffic', 'tickets', 'staff']) await page.getByTestId(`dashboard-${section}`).waitFor();
            for (const chart of ['New customers per day', 'Revenue per day', 'Paid orders per day', 'Traffic per day', 'Tickets opened per day']) {
                await page.getByRole('img', { name: chart }).locator('svg').first().waitFor();
            }
            const stat = (id) => page.getByTestId(id).getByTestId('stat-value').textContent();
            assert.match(await stat('stat-revenue'), /^\D*0\.00$/, 'money in the shop currency');
            assert.equal(await stat('stat-download'), '0 B');
            assert.equal(await stat('stat-agents-offline'), '0');
            assert.equal(await page.getByTestId('stat-agents-offline').getAttribute('data-alert'), null, 'nothing offline, nothing flagged');
            assert.equal(await page.getByTestId('stat-tickets-open').getByTestId('stat-link').getAttribute('href'), '/admin/tickets?status=open');
            assert.equal(await page.getByTestId('stat-tickets-unassigned').getByTestId('stat-link').getAttribute('href'), '/admin/tickets?status=open&assignee=none');
            await checkA11y(page, 'dashboard');
            await screenshot(page, '07-dashboard');
        }));

    it('renews the 15-minute access token once for parallel requests, before expiry and after a 401', () =>
        step('refresh', async () => {
            const { page } = boss;
            const renewals = [];
            const count = (req) => {
                if (req.url().endsWith('/api/v1/admin/auth/token/refresh')) renewals.push(req.url());
            };
            page.on('request', count);
            const stored = () => page.evaluate(() => JSON.parse(localStorage.getItem('helium.admin.session')));
            const before = await stored();
            assert.ok(before.refreshToken, 'sign-in stored a refresh token');
            assert.ok(before.expiresAt - Date.now() <= 15 * 60_000 + 5_000, 'access tokens last 15 minutes');

            // Run out: the start-up requests (profile, roles, statistics) wait for one renewal.
            await page.evaluate(() => {
                const s = JSON.parse(localStorage.getItem('helium.admin.session'));
                localStorage.setItem('helium.admin.session', JSON.stringify({ ...s, expiresAt: Date.now() - 1_000 }));
            });
            await page.reload();
            await page.getByTestId('dashboard-ready').waitFor();
            assert.equal(renewals.length, 1, 'one renewal for every request of the page');
            const renewed = await stored();
            assert.notEqual(renewed.refreshToken, before.refreshToken, 'the refresh token rotated');
            assert.notEqual(renewed.token, before.token);

            // A token the server refuses (401): renewed once, the requests repeated, no sign-in.
            await page.evaluate(() => {
                const s = JSON.parse(localStorage.getItem('helium.admin.session'));
                localStorage.setItem('helium.admin.session', JSON.stringify({ ...s, token: 'not-a-valid-token' }));
            });
            await page.goto(`${server.url}/admin/customers`);
            await page.getByTestId('customers-table').or(page.getByTestId('empty')).first().waitFor();
            assert.equal(path(page), '/admin/customers');
            assert.equal(renewals.length, 2, 'one more renewal for the refused token');
            assert.notEqual((await stored()).token, 'not-a-valid-token');
            page.off('request', count);
        }));

    it('invites a CustomerSupport, who accepts in a second browser context', () =>
        step('invite', async () => {
            const { page } = boss;
            const email = uniqueEmail('support');
            await nav(page).locator('[data-nav="invitations"]').click();
            await page.getByTestId('invite-open').click();
            await page.getByTestId('invite-email').fill(email);
            await page.getByTestId('invite-name').fill('Sam Support');
            await choose(page, page.getByTestId('invite-role'), 'Customer support');
            await checkA11y(page, 'invite-dialog');
            await page.getByTestId('invite-send').click();
            await page.getByTestId('invite-email').waitFor({ state: 'detached' });
            const row = page.getByTestId('invitations-table').getByRole('row', { name: new RegExp(email) });
            await row.waitFor();
            assert.match(await row.textContent(), /Pending/);
            await checkA11y(page, 'invitations');
            await screenshot(page, '08-invitations');

            // A second, never accepted invitation: the list pages by cursor, newest first.
            const later = uniqueEmail('moderator');
            await page.getByTestId('invite-open').click();
            await page.getByTestId('invite-email').fill(later);
            await page.getByTestId('invite-name').fill('Mo Moderator');
            await choose(page, page.getByTestId('invite-role'), 'Moderator');
            await page.getByTestId('invite-send').click();
            await page.getByTestId('invite-email').waitFor({ state: 'detached' });
            await page.goto(`${server.url}/admin/invitations?limit=1`);
            const table = page.getByTestId('invitations-table');
            await table.getByRole('row', { name: new RegExp(later) }).waitFor();
            assert.equal(await table.getByRole('row', { name: new RegExp(email) }).count(), 0, 'one per page');
            await page.getByRole('button', { name: 'Next' }).click();
            await page.waitForURL(/cursor=/);
            await table.getByRole('row', { name: new RegExp(email) }).waitFor();
            await page.getByRole('button', { name: 'Previous' }).click();
            await table.getByRole('row', { name: new RegExp(later) }).waitFor();

            const { link, subject } = await mailedLink(server, email, '/admin/invitations/accept');
            assert.ok(link.startsWith(`${server.url}/admin/invitations/accept?token=`), link);
            assert.ok(subject, 'a real e-mail with a subject');
            const context = await newStaffContext(browser);
            const page2 = await context.newPage();
            support = { context, page: page2, email };
            await page2.goto(link);
            await page2.getByTestId('new-password').waitFor();
            await checkA11y(page2, 'invitation-accept');
            await screenshot(page2, '09-invitation-accept');
            await page2.getByTestId('new-password').fill(PASSWORD);
            await page2.getByTestId('confirm-password').fill(PASSWORD);
            await page2.getByTestId('accept').click();
            await page2.getByTestId('accept-done').waitFor();
            await page2.getByTestId('go-sign-in').click();
            assert.equal(await page2.getByTestId('email').inputValue(), email, 'the address is filled in');
            // Keyboard only: Tab from the address to the password, Enter submits.
            await page2.getByTestId('email').focus();
            await page2.keyboard.press('Tab');
            assert.equal(await page2.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'password');
            await page2.keyboard.type(PASSWORD);
            await page2.keyboard.press('Enter');
            await page2.getByTestId('dashboard-ready').waitFor();
            // The first Tab stop is the skip link; it moves focus to the main content.
            await page2.keyboard.press('Tab');
            assert.equal(await page2.evaluate(() => document.activeElement?.textContent), 'Skip to content');
            await page2.keyboard.press('Enter');
            assert.equal(await page2.evaluate(() => document.activeElement?.id), 'main');
        }));

    it("the CustomerSupport's navigation lacks the config, staff and payment-method screens", () =>
        step('support-nav', async () => {
            const { page } = support;
            assert.deepEqual(await navKeys(page), [
                'dashboard',
                'customers',
                'customerPackages',
                'groups',
                'tickets',
                'announcements',
                'orders',
                'packages',
                'products',
                'coupons',
                'giftCards',
                'nodeServers',
                'nodeClients',
                'nodeStatus',
                'account',
            ]);
            // The statistics follow the role: sales, nodes, traffic and tickets, but no staff
            // numbers (admins.manage).
            for (const section of ['sales', 'nodes', 'traffic', 'tickets']) await page.getByTestId(`dashboard-${section}`).waitFor();
            assert.equal(await page.getByTestId('dashboard-staff').count(), 0, 'no staff section without admins.manage');
            await page.getByRole('img', { name: 'Traffic per day' }).locator('svg').first().waitFor();
            await checkA11y(page, 'dashboard-support');
            await screenshot(page, '10-support-dashboard');
            await page.goto(`${server.url}/admin/config`);
            await page.getByTestId('forbidden').waitFor();
            await screenshot(page, '11-support-forbidden');
            await page.goto(`${server.url}/admin/staff`);
            await page.getByTestId('forbidden').waitFor();

            // A CustomerSupport may ban, but not before turning TOTP on.
            customer = await signUpCustomer(server);
            await page.goto(`${server.url}/admin/customers/${customer.id}`);
            await page.getByTestId('ban').click();
            await page.getByTestId('mfa-prompt-setup').waitFor();
            assert.equal(await page.getByTestId('reason').count(), 0, 'no ban dialog without TOTP');
            await screenshot(page, '11b-support-mfa-prompt');
            await page.getByRole('dialog').getByRole('button', { name: 'Not now' }).click();
        }));

    it('bans and unbans a customer with a reason; both are in the audit viewer', () =>
        step('ban', async () => {
            const other = await signUpCustomer(server);
            const { page } = boss;

            // Server pagination by cursor, page state in the URL: one row per page.
            await page.goto(`${server.url}/admin/customers?limit=1`);
            const firstPage = page.getByTestId('customers-table').getByRole('link');
            await firstPage.waitFor();
            assert.equal(await firstPage.textContent(), other.email, 'newest first');
            await page.getByRole('button', { name: 'Next' }).click();
            await page.waitForURL(/cursor=/);
            await page.getByTestId('customers-table').getByRole('link', { name: customer.email }).waitFor();
            assert.match(await page.getByText(/^Page \d+$/).textContent(), /Page 2/);
            await page.getByRole('button', { name: 'Previous' }).click();
            await page.getByTestId('customers-table').getByRole('link', { name: other.email }).waitFor();
            assert.ok(!new URL(page.url()).searchParams.has('cursor'));

            await nav(page).locator('[data-nav="customers"]').click();
            await page.getByTestId('customer-search').fill(customer.email.split('@')[0]);
            await page.getByTestId('customer-search-submit').click();
            await page.waitForURL(/\/admin\/customers\?q=/);
            const link = page.getByTestId('customers-table').getByRole('link', { name: customer.email });
            await link.waitFor();
            await checkA11y(page, 'customers');
            await screenshot(page, '12-customers');
            await link.click();
            await page.getByTestId('sessions-table').waitFor();
            await checkA11y(page, 'customer-detail');
            await screenshot(page, '13-customer-detail');

            await page.getByTestId('ban').click();
            await page.getByTestId('confirm').click();
            await page.getByText('Required.', { exact: true }).waitFor(); // the reason is required
            await page.getByTestId('reason').fill('E2E: chargeback abuse');
            await checkA11y(page, 'ban-dialog');
            await screenshot(page, '14-ban-dialog');
            await page.getByTestId('confirm').click();
            await page.getByTestId('unban').waitFor();
            assert.equal(await page.getByTestId('status').first().textContent(), 'Banned');
            await page.getByTestId('unban').click();
            await page.getByTestId('reason').fill('E2E: appeal accepted');
            await page.getByTestId('confirm').click();
            await page.getByTestId('ban').waitFor();

            await page.getByTestId('customer-audit').click();
            await page.waitForURL(/\/admin\/audit\?target_type=customer&target_id=/);
            const rows = page.getByTestId('audit-row');
            await rows.first().waitFor();
            const actions = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
            assert.deepEqual(actions, ['customer.unban', 'customer.ban'], 'newest first');
            const reasons = await page.getByTestId('audit-reason').allTextContents();
            assert.deepEqual(reasons, ['E2E: appeal accepted', 'E2E: chargeback abuse']);
            await page.getByTestId('audit-expand').nth(1).click();
            const diff = page.getByTestId('audit-diff');
            await diff.waitFor();
            assert.match(await diff.textContent(), /status.*active.*banned/s);
            await checkA11y(page, 'audit');
            await screenshot(page, '15-audit');
        }));

    it('shows the server\'s field error for an invalid config value, then saves a valid one', () =>
        step('config', async () => {
            const { page } = boss;
            await nav(page).locator('[data-nav="config"]').click();
            await page.getByTestId('config-table').waitFor();
            await checkA11y(page, 'config-list');
            await screenshot(page, '16-config');
            await page.getByTestId('config-admin-jwt').click();
            const field = page.locator('[data-path="invitation_expiration"]');
            await field.waitFor();
            const version = await page.getByTestId('config-version').textContent();
            await field.fill('0');
            await page.getByTestId('config-save').click();
            await page.getByTestId('config-invalid').waitFor();
            assert.equal(await field.getAttribute('aria-invalid'), 'true', 'the error is at the field');
            const describedBy = await field.getAttribute('aria-describedby');
            const message = await page.locator(`[id="${describedBy?.split(' ').find((id) => id.endsWith('error'))}"]`).textContent();
            assert.match(message, /greater than 0/);
            await checkA11y(page, 'config-editor-error');
            await screenshot(page, '17-config-field-error');
            await field.fill('259200');
            await page.getByTestId('config-save').click();
            await page.getByText(/Saved as version \d+/).waitFor();
            assert.notEqual(await page.getByTestId('config-version').textContent(), version);
            assert.equal(await server.sql("SELECT value->>'invitation_expiration' FROM application__config WHERE key = 'admin-jwt'"), '259200');

            // Someone else saves in between: the If-Match conflict is explained.
            await server.sql("UPDATE application__config SET version = version + 1 WHERE key = 'admin-jwt'");
            await field.fill('172800');
            await page.getByTestId('config-save').click();
            await page.getByTestId('config-conflict').waitFor();
            await screenshot(page, '18-config-conflict');
            await page.getByTestId('config-reload').click();
            await page.getByTestId('config-conflict').waitFor({ state: 'detached' });
            assert.equal(await field.inputValue(), '259200', 'the latest stored version is loaded');
        }));

    it('creates an API key shown once, and lists the staff', () =>
        step('api-keys', async () => {
            const { page } = boss;
            await nav(page).locator('[data-nav="apiKeys"]').click();
            await page.getByTestId('key-new').click();
            await page.getByTestId('key-name').fill('e2e support bot');
            await page.getByTestId('key-create').click();
            const secret = await page.getByTestId('key-secret').textContent();
            assert.match(secret.trim(), /^hel_key_/);
            await checkA11y(page, 'api-key-created');
            await screenshot(page, '19-api-key-once');
            await page.getByTestId('key-done').click();
            await page.getByTestId('keys-table').getByText('e2e support bot').waitFor();
            assert.equal(await page.getByText(secret.trim()).count(), 0, 'the secret is not shown again');
            await checkA11y(page, 'api-keys');
            await screenshot(page, '20-api-keys');

            await nav(page).locator('[data-nav="staff"]').click();
            await page.getByTestId('staff-table').getByRole('link', { name: 'Sam Support' }).waitFor();
            await checkA11y(page, 'staff');
            await screenshot(page, '21-staff');
        }));

    it("a demoted staff member's session ends: back to sign-in once, no loop", () =>
        step('session-end', async () => {
            const { page } = boss;
            await page.getByTestId('staff-table').getByRole('link', { name: 'Sam Support' }).click();
            await page.getByTestId('save-admin').waitFor();
            await checkA11y(page, 'staff-detail');
            await choose(page, page.getByTestId('admin-role'), 'Support bot');
            await page.getByTestId('save-admin').click();
            await page.getByText('Saved.').waitFor();

            const p2 = support.page;
            await p2.goto(`${server.url}/admin/customers`);
            await p2.getByTestId('notice').waitFor();
            assert.equal(path(p2), '/admin/login');
            assert.equal(new URL(p2.url()).searchParams.get('next'), '/customers');
            await p2.waitForTimeout(500);
            assert.equal(path(p2), '/admin/login', 'stays on sign-in (no redirect loop)');
            await screenshot(p2, '22-session-ended');
        }));

    it('switches to Chinese and back', () =>
        step('language', async () => {
            const { page } = boss;
            await nav(page).locator('[data-nav="dashboard"]').click();
            await page.getByTestId('dashboard-ready').waitFor();
            await choose(page, page.getByTestId('lang-switch'), '简体中文');
            await nav(page).getByText('仪表盘').waitFor();
            assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
            assert.ok(await nav(page).getByText('客户管理').isVisible());
            await checkA11y(page, 'dashboard-zh');
            await screenshot(page, '23-dashboard-zh');
            await choose(page, page.getByTestId('lang-switch'), 'English');
            await nav(page).getByText('Dashboard').waitFor();
            assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
        }));

    it('signs in with a recovery code', () =>
        step('recovery', async () => {
            const { page } = boss;
            await signOut(page);
            await signIn(page, boss.email, { recovery: boss.recoveryCodes[0] });
            await page.getByTestId('dashboard-ready').waitFor();
        }));

    it('measures time to interactive of the dashboard (fresh browser cache)', () =>
        step('tti', async () => {
            const state = await boss.context.storageState();
            const timings = [];
            for (const label of ['cold', 'warm']) {
                let context = timings.context;
                if (label === 'cold') {
                    context = await browser.newContext({ storageState: state });
                    await applyLocalBuild(context);
                }
                const page = await context.newPage();
                await page.goto(`${server.url}/admin/`);
                await page.getByTestId('dashboard-ready').waitFor();
                await page.getByRole('img', { name: 'New customers per day' }).locator('svg').first().waitFor();
                const ms = await page.evaluate(() => Math.round(performance.now()));
                const bytes = await page.evaluate(() =>
                    performance.getEntriesByType('resource').reduce((n, e) => n + (e.transferSize || 0), 0) +
                    (performance.getEntriesByType('navigation')[0]?.transferSize ?? 0),
                );
                timings.push({ label, ms, transferredBytes: bytes });
                timings.context = context;
                await page.close();
            }
            await timings.context.close();
            metrics.dashboardTimeToInteractive = timings.map(({ label, ms, transferredBytes }) => ({ label, ms, transferredBytes }));
            console.log(`dashboard time to interactive: ${JSON.stringify(metrics.dashboardTimeToInteractive)}`);
        }));
});
