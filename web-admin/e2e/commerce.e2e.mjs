// The commerce screens end to end in headless Chromium against a live helium (its own database,
// Redis prefix and MQ prefix): customer groups; a package series, a version with its terms, the
// version published, a product selling it (price typed in major units, stored in minor units);
// a coupon (percentage typed, stored as a decimal rate); a deposit to a customer's wallet under
// one Idempotency-Key (a double click posts once) and its ledger row; the customer's manual
// groups, shown from the server after a reload; a customer's order marked paid and refunded to
// the wallet in two parts that add up to its total (then no refund is left to offer), and a
// top-up order that offers none; a gift-card batch issued and exported as CSV, one of
// its codes looked up; a payment method whose key is never shown; and a CustomerSupport who
// sees the commerce screens but not Payment methods. axe-core on every new screen; screenshots
// under test-artifacts/commerce-*.png.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
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
            if (s?.page && !s.page.isClosed()) await screenshot(s.page, `FAILED-commerce-${name}-${who}`).catch(() => {});
        }
        throw err;
    }
}

const nav = (page) => page.getByTestId('nav');
async function navKeys(page) {
    return nav(page).locator('[data-nav]').evaluateAll((els) => els.map((e) => e.getAttribute('data-nav')));
}
const toast = (page, text) => page.locator('.mantine-Notification-root').filter({ hasText: text }).first();

/** The customer's own API (their setup, not the SPA's traffic). */
async function asCustomer(method, p, body) {
    const res = await fetch(`${server.url}${p}`, {
        method,
        headers: {
            authorization: `Bearer ${customer.accessToken}`,
            'content-type': 'application/json',
            'idempotency-key': randomUUID(),
            'user-agent': 'Mozilla/5.0 (e2e) HeliumPhone/1.0',
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${p}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
}

describe('admin SPA: commerce', { concurrency: false }, () => {
    before(async () => {
        server = await startServer({ mqPrefix: 'webadmin_e2e_commerce' });
        browser = await launchBrowser();
        boss = await staffMember(server, browser, { role: 'super_admin', name: 'Cora Commerce', totp: true });
    });

    after(async () => {
        writeReport('a11y-commerce.json', a11yReport);
        writeReport('metrics-commerce.json', { servedFromDisk: servingLocalBuild() });
        csp.push(...[boss?.context, support?.context].flatMap((c) => c?.cspViolations ?? []));
        await browser?.close();
        const stopped = await server?.stop();
        server?.mail.stop();
        console.log(`screenshots and reports: ${artifacts}`);
        assert.deepEqual(csp, [], 'no Content-Security-Policy violation and no uncaught page error');
        assert.ok(!stopped || stopped.code === 0, `helium exited with ${JSON.stringify(stopped)}`);
    });

    it('a SuperAdmin sees the commerce screens, Payment methods among them', () =>
        step('nav', async () => {
            const keys = await navKeys(boss.page);
            for (const k of ['groups', 'orders', 'packages', 'products', 'coupons', 'giftCards', 'paymentMethods']) assert.ok(keys.includes(k), `${k} in ${keys}`);
        }));

    it('creates a customer group', () =>
        step('groups', async () => {
            const { page } = boss;
            await nav(page).locator('[data-nav="groups"]').click();
            await page.getByTestId('groups-table').waitFor();
            await page.getByTestId('group-new').click();
            created.group = `E2E Hong Kong ${Date.now() % 100000}`;
            await page.getByTestId('group-name').fill(created.group);
            await page.getByTestId('group-save').click();
            await page.getByTestId('groups-table').getByRole('row', { name: new RegExp(created.group) }).waitFor();
            await checkA11y(page, 'groups');
            await screenshot(page, 'commerce-01-groups');
        }));

    it('creates a package series, a version, publishes it, and sells it as a product', () =>
        step('catalog', async () => {
            const { page } = boss;
            await nav(page).locator('[data-nav="packages"]').click();
            await page.getByTestId('series-new').click();
            created.series = 'E2E Pro monthly';
            await page.getByTestId('series-name').fill(created.series);
            await checkA11y(page, 'series-new-dialog');
            await page.getByTestId('series-create').click();
            await page.waitForURL(/\/admin\/packages\/[0-9a-f-]{36}$/);
            created.seriesId = page.url().split('/').pop();
            await page.getByTestId('series-unpublished').waitFor();

            // A version: 100 GB, 30 days, 200 Mbit/s, 3 devices, the new group as node group.
            await page.getByTestId('version-new').click();
            await page.getByTestId('version-traffic').fill('100');
            await page.getByTestId('version-days').fill('30');
            await page.getByTestId('version-speed').fill('200');
            await page.getByTestId('version-devices').fill('3');
            await choose(page, page.getByTestId('version-groups'), created.group);
            await page.keyboard.press('Escape'); // close the dropdown, not the dialog
            await checkA11y(page, 'version-new-dialog');
            await screenshot(page, 'commerce-02-version-dialog');
            await page.getByTestId('version-create').click();
            const row = page.getByTestId('version-row').first();
            await row.waitFor();
            assert.equal(await row.getAttribute('data-current'), 'false', 'a new version is a draft');
            assert.match(await row.textContent(), /100 GB.*30 days.*200 Mbit\/s.*3/s);
            assert.equal(
                await server.sql(`SELECT traffic_bytes || ',' || duration_days || ',' || speed_limit_mbps || ',' || device_limit FROM shop.package_versions WHERE series_id = '${created.seriesId}'`),
                `${100 * 1024 ** 3},30,200,3`,
                'GB became bytes',
            );

            await row.getByTestId('version-publish').click();
            await page.getByTestId('confirm').click();
            await page.locator('[data-testid="version-row"][data-current="true"]').waitFor();
            assert.equal(await page.getByTestId('series-current').textContent(), 'v1');
            await nav(page).locator('[data-nav="packages"]').click();
            await page.getByTestId('series-table').getByRole('link', { name: created.series }).waitFor();
            await checkA11y(page, 'packages');
            await page.getByTestId('series-table').getByRole('link', { name: created.series }).click();
            assert.equal(await page.getByTestId('series-unpublished').count(), 0);
            await checkA11y(page, 'package-detail');
            await screenshot(page, 'commerce-03-package');

            // A product for it, from the package page (the series is preselected).
            await page.getByTestId('series-new-product').click();
            await page.waitForURL(/\/admin\/products\?new=1&series=/);
            created.product = 'E2E Pro 30 days';
            await page.getByTestId('product-name').fill(created.product);
            await page.getByTestId('product-price').fill('19.90');
            await checkA11y(page, 'product-new-dialog');
            await page.getByTestId('product-create').click();
            await page.getByTestId('product-name').waitFor({ state: 'detached' });
            const productRow = page.getByTestId('products-table').getByRole('row', { name: new RegExp(created.product) });
            await productRow.waitFor();
            assert.match(await productRow.textContent(), /19\.90/);
            assert.match(await productRow.textContent(), /v1: 100 GB, 30 days/);
            created.productId = await server.sql(`SELECT id FROM shop.products WHERE name = '${created.product}'`);
            assert.equal(await server.sql(`SELECT price FROM shop.products WHERE id = '${created.productId}'`), '1990', '19.90 became 1990 minor units');

            // It shows in the unfiltered list too.
            await nav(page).locator('[data-nav="products"]').click();
            await page.getByTestId('products-table').getByRole('link', { name: created.product }).waitFor();
            await checkA11y(page, 'products');
            await screenshot(page, 'commerce-04-products');
            await page.getByTestId('products-table').getByRole('link', { name: created.product }).click();
            await page.getByTestId('product-save').waitFor();
            await checkA11y(page, 'product-detail');
        }));

    it('creates a coupon from a percentage, then switches it off and deletes it', () =>
        step('coupons', async () => {
            const { page } = boss;
            await nav(page).locator('[data-nav="coupons"]').click();
            await page.getByTestId('coupon-new').click();
            await page.getByTestId('coupon-code').fill('e2e-spring15');
            await page.getByTestId('coupon-percent').fill('15');
            await page.getByTestId('coupon-max-uses').fill('100');
            await checkA11y(page, 'coupon-new-dialog');
            await screenshot(page, 'commerce-05-coupon-dialog');
            await page.getByTestId('coupon-create').click();
            const row = page.getByTestId('coupons-table').getByRole('row', { name: /E2E-SPRING15/ });
            await row.waitFor();
            assert.match(await row.textContent(), /15% off/);
            assert.match(await row.textContent(), /0 \/ 100/);
            assert.equal(await server.sql("SELECT rate = 0.15 FROM shop.coupons WHERE code = 'E2E-SPRING15'"), 't', '15 % became the rate 0.15');
            await checkA11y(page, 'coupons');
            await screenshot(page, 'commerce-06-coupons');

            await row.getByRole('link', { name: 'E2E-SPRING15' }).click();
            await page.getByTestId('coupon-active').waitFor();
            await page.getByTestId('coupon-active').uncheck();
            await page.getByTestId('coupon-save').click();
            await toast(page, 'Saved.').waitFor();
            await page.getByTestId('status').filter({ hasText: 'Inactive' }).waitFor();
            await checkA11y(page, 'coupon-detail');
            await page.getByTestId('coupon-delete').click();
            await page.getByTestId('confirm').click();
            await page.waitForURL(/\/admin\/coupons$/);
            assert.equal(await server.sql("SELECT count(*) FROM shop.coupons WHERE code = 'E2E-SPRING15'"), '0');
        }));

    it('deposits to a customer wallet once, even on a double click, and shows the ledger row', () =>
        step('wallet', async () => {
            const { page } = boss;
            customer = await signUpCustomer(server, 'wallet');
            await page.goto(`${server.url}/admin/customers/${customer.id}`);
            await page.getByTestId('wallet-available').waitFor();
            assert.match(await page.getByTestId('wallet-available').textContent(), /0\.00/);
            await page.getByTestId('wallet-adjust').click();
            await page.getByTestId('adjust-amount').fill('25.50');
            await page.getByTestId('reason').fill('E2E: goodwill credit');
            await checkA11y(page, 'wallet-adjust-dialog');
            await screenshot(page, 'commerce-07-wallet-dialog');
            await page.getByTestId('confirm').dblclick();
            const ledgerRow = page.getByTestId('ledger-row').filter({ hasText: 'E2E: goodwill credit' });
            await ledgerRow.waitFor();
            assert.match(await ledgerRow.textContent(), /Staff adjustment.*\+CN¥25\.50.*Available/s);
            assert.match(await page.getByTestId('wallet-available').textContent(), /25\.50/);
            assert.equal(await page.getByTestId('ledger-row').count(), 1, 'one posting for the double click');
            assert.equal(await server.sql(`SELECT count(*) FROM wallet.entries WHERE user_id = '${customer.id}'`), '1', 'one posting in the database too');

            // Freezing more than is available is refused before it is sent.
            await page.getByTestId('wallet-adjust').click();
            await page.getByTestId('adjust-kind').getByText('Freeze', { exact: true }).click();
            await page.getByTestId('adjust-amount').fill('30');
            await page.getByTestId('reason').fill('E2E: too much');
            await page.getByTestId('confirm').click();
            await page.getByText(/More than the balance it comes from/).waitFor();
            await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

            // The customer's manual groups: the editor starts from the set in force (the default
            // group every new customer joins, which the product is visible to); add the new group,
            // save, reload.
            const groupsCard = page.getByTestId('customer-groups');
            const pills = () => groupsCard.locator('.mantine-Pill-label').allTextContents();
            await groupsCard.locator('.mantine-Pill-label').filter({ hasText: 'Everyone' }).waitFor();
            assert.deepEqual(await pills(), ['Everyone'], 'the editor starts from the customer’s groups');
            assert.match(await page.getByTestId('customer-groups-current').textContent(), /Everyone/);
            await choose(page, page.getByTestId('customer-groups-select'), created.group);
            await page.keyboard.press('Escape');
            assert.deepEqual(await pills(), ['Everyone', created.group]);
            await page.getByTestId('customer-groups-save').click();
            await toast(page, 'Groups saved.').waitFor();
            assert.match(await page.getByTestId('customer-groups-current').textContent(), new RegExp(created.group));
            assert.equal(
                await server.sql(`SELECT string_agg(g.name, ',' ORDER BY g.is_default DESC) FROM shop.customer_group_members m JOIN shop.customer_groups g ON g.id = m.group_id WHERE m.user_id = '${customer.id}'`),
                `Everyone,${created.group}`,
                'the new group joined',
            );
            await page.reload();
            await groupsCard.locator('.mantine-Pill-label').filter({ hasText: created.group }).waitFor();
            assert.deepEqual((await pills()).sort(), ['Everyone', created.group].sort(), 'after a reload the editor shows the saved groups');
            const current = await page.getByTestId('customer-groups-current').textContent();
            assert.ok(current.includes(created.group) && current.includes('Everyone'), current);
            await checkA11y(page, 'customer-detail-commerce');
            await screenshot(page, 'commerce-08-customer-wallet');
        }));

    it('marks a customer order paid, refunds it to the wallet in two parts, and offers no refund of a top-up', () =>
        step('orders', async () => {
            const { page } = boss;
            const order = await asCustomer('POST', '/api/v1/orders', { product_id: created.productId });
            await nav(page).locator('[data-nav="orders"]').click();
            await page.getByTestId('orders-filter-trade-no').fill(order.trade_no);
            await page.getByTestId('orders-filter-apply').click();
            await page.waitForURL(/trade_no=/);
            const link = page.getByTestId('orders-table').getByRole('link', { name: order.trade_no });
            await link.waitFor();
            assert.match(await page.getByTestId('orders-table').textContent(), /Unpaid/);
            await checkA11y(page, 'orders');
            await screenshot(page, 'commerce-09-orders');
            await link.click();
            await page.getByTestId('order-mark-paid').click();
            await page.getByTestId('paid-reference').fill('BANK-E2E-1');
            await page.getByTestId('reason').fill('E2E: paid by bank transfer');
            await checkA11y(page, 'order-mark-paid-dialog');
            await page.getByTestId('confirm').dblclick();
            await page.getByTestId('order-refund').waitFor();
            assert.equal(await server.sql(`SELECT count(*) FROM shop.payments WHERE order_id = '${order.id}' AND via = 'staff'`), '1', 'paid once');

            // First refund: the dialog offers what is left (all of it), more is refused before
            // it is sent, 5.00 goes through.
            const refundedSoFar = () => server.sql(`SELECT coalesce(refund_amount, 0) FROM shop.orders WHERE id = '${order.id}'`);
            await page.getByTestId('order-refund').click();
            assert.equal(await page.getByTestId('refund-amount').inputValue(), '19.90', 'the amount defaults to what is left');
            assert.match(await page.getByTestId('refund-summary').textContent(), /refunded so far CN¥0\.00, left to refund CN¥19\.90/);
            await page.getByTestId('refund-amount').fill('19.91');
            await page.getByTestId('reason').fill('E2E: partial refund');
            await page.getByTestId('confirm').click();
            await page.getByText('An amount above zero, at most CN¥19.90 (what is left to refund).').waitFor();
            assert.equal(await refundedSoFar(), '0', 'not sent');
            await page.getByTestId('refund-amount').fill('5');
            await checkA11y(page, 'order-refund-dialog');
            await screenshot(page, 'commerce-10-refund-dialog');
            await page.getByTestId('confirm').click();
            await page.getByTestId('status').filter({ hasText: 'Refunded' }).waitFor();
            await page.getByTestId('order-refunded-so-far').filter({ hasText: 'CN¥5.00' }).waitFor();
            assert.match(await page.getByTestId('order-refund-remaining').textContent(), /CN¥14\.90/);
            assert.equal(await refundedSoFar(), '500');
            await checkA11y(page, 'order-detail');
            await screenshot(page, 'commerce-11-order');

            // Second refund: a refunded order with something left is offered again, the amount
            // defaulting to the 14.90 left; after it nothing is left and the action is gone.
            await page.getByTestId('order-refund').click();
            assert.equal(await page.getByTestId('refund-amount').inputValue(), '14.90');
            assert.match(await page.getByTestId('refund-summary').textContent(), /refunded so far CN¥5\.00, left to refund CN¥14\.90/);
            await page.getByTestId('refund-amount').fill('14.91');
            await page.getByTestId('reason').fill('E2E: the rest');
            await page.getByTestId('confirm').click();
            await page.getByText('An amount above zero, at most CN¥14.90 (what is left to refund).').waitFor();
            await page.getByTestId('refund-amount').fill('14.90');
            await page.getByTestId('confirm').click();
            await page.getByTestId('order-refunded-so-far').filter({ hasText: 'CN¥19.90' }).waitFor();
            assert.match(await page.getByTestId('order-refund-remaining').textContent(), /CN¥0\.00/);
            await page.getByTestId('order-refund').waitFor({ state: 'detached' });
            assert.equal(await refundedSoFar(), '1990', 'the two refunds add up to the total');
            await page.reload();
            await page.getByTestId('order-refunded-so-far').waitFor();
            assert.equal(await page.getByTestId('order-refund').count(), 0, 'nothing left to refund');

            await page.goto(`${server.url}/admin/customers/${customer.id}`);
            const refundRow = page.getByTestId('ledger-row').filter({ hasText: 'E2E: partial refund' });
            await refundRow.waitFor();
            assert.match(await refundRow.textContent(), /Refund.*\+CN¥5\.00/s);
            assert.match(await page.getByTestId('ledger-row').filter({ hasText: 'E2E: the rest' }).textContent(), /Refund.*\+CN¥14\.90/s);
            assert.match(await page.getByTestId('wallet-available').textContent(), /45\.40/, '25.50 + 5.00 + 14.90');

            // A top-up order, once paid, is never offered for refund (its money is in the wallet).
            const topUp = await asCustomer('POST', '/api/v1/wallet/top-ups', { amount: 1000 });
            assert.equal(topUp.kind, 'top_up');
            await page.goto(`${server.url}/admin/orders/${topUp.id}`);
            await page.getByTestId('order-mark-paid').click();
            await page.getByTestId('reason').fill('E2E: top-up paid by bank transfer');
            await page.getByTestId('confirm').click();
            await page.getByTestId('order-mark-paid').waitFor({ state: 'detached' });
            await page.getByTestId('status').filter({ hasText: /Paid|Delivered/ }).waitFor();
            assert.equal(await page.getByTestId('order-refund').count(), 0, 'no refund of a top-up');
            assert.equal(await page.getByTestId('order-refund-remaining').count(), 0);
        }));

    it('shows the sales on the dashboard: revenue, top-ups and refunds in the shop currency', () =>
        step('dashboard-sales', async () => {
            const { page } = boss;
            // 7 days: a range nobody asked for yet, so no answer cached before the sales.
            await page.goto(`${server.url}/admin/?days=7`);
            await page.getByTestId('dashboard-sales').waitFor();
            const stat = (id) => page.getByTestId(id).getByTestId('stat-value').textContent();
            assert.equal(await stat('stat-revenue'), 'CN¥19.90', 'the order, paid');
            assert.equal(await stat('stat-top-ups'), 'CN¥10.00', 'the top-up, apart');
            assert.equal(await stat('stat-refunds'), 'CN¥19.90', 'both refunds');
            assert.equal(await stat('stat-paid-orders'), '1');
            const revenue = page.getByRole('img', { name: 'Revenue per day' });
            await revenue.locator('svg').first().waitFor();
            assert.equal(
                await page.locator('#chart-revenue-sum').textContent(),
                'CN¥19.90 in sales, CN¥10.00 in top-ups and CN¥19.90 refunded in 7 days.',
            );
            // The money axis speaks the currency too.
            await revenue.locator('.recharts-yAxis-tick-labels', { hasText: 'CN¥' }).first().waitFor();
            await page.getByRole('img', { name: 'Paid orders per day' }).locator('svg').first().waitFor();
            await checkA11y(page, 'dashboard-sales');
            await screenshot(page, 'commerce-11b-dashboard-sales');
        }));

    it('issues a gift-card batch, exports its codes as CSV and looks one up', () =>
        step('gift-cards', async () => {
            const { page } = boss;
            await nav(page).locator('[data-nav="giftCards"]').click();
            await page.getByTestId('batch-new').click();
            await page.getByTestId('batch-name').fill('E2E launch');
            await page.getByTestId('batch-count').fill('5');
            await page.getByTestId('batch-value').fill('10');
            await checkA11y(page, 'batch-new-dialog');
            await page.getByTestId('batch-create').dblclick();
            const row = page.getByTestId('batch-row').filter({ hasText: 'E2E launch' });
            await row.waitFor();
            assert.equal(await page.getByTestId('batch-row').count(), 1, 'one batch for the double click');
            assert.match(await row.textContent(), /Not exported/);
            await checkA11y(page, 'gift-cards');
            await screenshot(page, 'commerce-12-gift-cards');

            const [download] = await Promise.all([page.waitForEvent('download'), row.getByTestId('batch-export').click()]);
            assert.match(download.suggestedFilename(), /^gift-cards-E2E-launch-[0-9a-f]{8}\.csv$/);
            const csv = readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/);
            assert.equal(csv[0], 'code,value,currency,expires_at');
            assert.equal(csv.length, 6, 'a header and five codes');
            const code = csv[1].split(',')[0];
            assert.ok(code.length >= 8, code);
            await row.getByTestId('batch-exported').locator('time').waitFor();

            // The batch's cards, codes masked.
            await row.getByRole('button', { name: 'Cards of batch E2E launch' }).click();
            await page.waitForURL(/tab=cards&batch=/);
            await page.getByTestId('cards-table').waitFor();
            assert.equal(await page.getByTestId('cards-table').locator('tbody tr').count(), 5);
            assert.ok(!(await page.getByTestId('cards-table').textContent()).includes(code), 'codes are masked');
            await checkA11y(page, 'gift-cards-cards');

            // Look a code up: it goes in a POST body, never in the address.
            const lookups = [];
            page.on('request', (r) => {
                if (r.url().includes('/gift-cards/lookup')) lookups.push({ method: r.method(), url: r.url(), body: r.postData() });
            });
            await page.getByTestId('gift-lookup').fill(code);
            await page.getByTestId('gift-lookup-submit').click();
            await page.waitForURL(/\/admin\/gift-cards\/[0-9a-f-]{36}$/);
            assert.ok(!page.url().includes(code));
            assert.equal(lookups.length, 1);
            assert.equal(lookups[0].method, 'POST');
            assert.ok(!lookups[0].url.includes(code) && lookups[0].body.includes(code));
            assert.match(await page.getByTestId('card-redemptions').textContent(), /0 of 1/);
            await checkA11y(page, 'gift-card-detail');
            await screenshot(page, 'commerce-13-gift-card');
        }));

    it('adds a payment method whose key is never shown again', () =>
        step('payment-methods', async () => {
            const { page } = boss;
            await nav(page).locator('[data-nav="paymentMethods"]').click();
            await page.getByTestId('pm-new').click();
            await page.getByTestId('pm-name').fill('E2E Alipay');
            await page.getByTestId('pm-channel').fill('alipay');
            await page.getByTestId('pm-pid').fill('1001');
            await page.getByTestId('pm-url').fill('https://pay.example.com');
            await page.getByTestId('pm-key').fill('e2e-merchant-secret-key');
            await checkA11y(page, 'payment-method-dialog');
            await page.getByTestId('pm-save').click();
            const row = page.getByTestId('pm-table').getByRole('row', { name: /E2E Alipay/ });
            await row.waitFor();
            assert.equal(await page.getByText('e2e-merchant-secret-key').count(), 0, 'the key is not shown');
            await row.getByRole('button', { name: 'Edit payment method E2E Alipay' }).click();
            assert.equal(await page.getByTestId('pm-key').inputValue(), '', 'the key field starts empty');
            await page.getByTestId('pm-name').fill('E2E Alipay HK');
            await page.getByTestId('pm-save').click();
            await page.getByTestId('pm-table').getByRole('row', { name: /E2E Alipay HK/ }).waitFor();
            // A new gateway URL needs the key again (the stored one is never sent to a new host).
            await page.getByTestId('pm-table').getByRole('button', { name: 'Edit payment method E2E Alipay HK' }).click();
            await page.getByTestId('pm-url').fill('https://pay2.example.com');
            await page.getByTestId('pm-save').click();
            await page.getByText('The gateway URL changed: enter the merchant key again.').waitFor();
            await page.getByTestId('pm-key').fill('e2e-second-merchant-key');
            await page.getByTestId('pm-save').click();
            await page.getByTestId('pm-table').getByText('https://pay2.example.com').waitFor();
            await checkA11y(page, 'payment-methods');
            await screenshot(page, 'commerce-14-payment-methods');
        }));

    it('opens in Chinese when that is the saved language (its dictionary loads before the first render)', () =>
        step('chinese', async () => {
            const { page } = boss;
            await page.evaluate(() => localStorage.setItem('helium.admin.lang', 'zh'));
            await page.goto(`${server.url}/admin/gift-cards`);
            await page.getByRole('heading', { name: '礼品卡' }).waitFor();
            assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
            assert.ok(await nav(page).getByText('支付方式').isVisible());
            assert.match(await page.getByTestId('batch-row').first().textContent(), /导出 CSV/);
            await checkA11y(page, 'gift-cards-zh');
            await screenshot(page, 'commerce-16-gift-cards-zh');
            await page.evaluate(() => localStorage.setItem('helium.admin.lang', 'en'));
            await page.reload();
            await page.getByRole('heading', { name: 'Gift cards' }).waitFor();
        }));

    it('a CustomerSupport sees the commerce screens but not Payment methods', () =>
        step('support-nav', async () => {
            support = await staffMember(server, browser, { role: 'customer_support', name: 'Sue Support' });
            const { page } = support;
            const keys = await navKeys(page);
            assert.ok(!keys.includes('paymentMethods'), `no payment methods in ${keys}`);
            for (const k of ['orders', 'packages', 'products', 'coupons', 'giftCards']) assert.ok(keys.includes(k), `${k} in ${keys}`);
            await page.goto(`${server.url}/admin/payment-methods`);
            await page.getByTestId('forbidden').waitFor();
            // Read-only catalog: no "new" buttons.
            await page.goto(`${server.url}/admin/products`);
            await page.getByTestId('products-table').waitFor();
            assert.equal(await page.getByTestId('product-new').count(), 0);
            await checkA11y(page, 'products-support');
            await screenshot(page, 'commerce-15-support');
        }));
});
