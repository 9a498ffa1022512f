// Dashboard statistics (tag admin): per-day series bucketed in the caller's time zone,
// sections gated by permission, parameters checked, briefly cached per range and zone.
// Reading needs no TOTP (staff writes do), so plainly signed-in staff are enough here; the
// customers are written straight into the server's database (the numbers are what is tested,
// not the sign-up flow).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { adminAnon, adminApi, bootstrapAdmin, expectProblem, useAdminServer } from './admin_kit.mjs';

const server = useAdminServer();

let bossPromise;
const boss = () => (bossPromise ??= bootstrapAdmin(server, { role: 'super_admin' }));

/** A customer who signed up today and has a session used just now: its id. */
async function customerActiveToday(label) {
    const id = randomUUID();
    await server.sql(`INSERT INTO auth.users (id, email) VALUES ('${id}', '${label}-${id}@example.test')`);
    await server.sql(
        `INSERT INTO auth.sessions (id, user_id, refresh_expires_at) VALUES ('${randomUUID()}', '${id}', now() + interval '1 day')`,
    );
    return id;
}

test('adminGetDashboardStats: customer and staff sections, one entry per day in the zone', async () => {
    const admin = await boss();
    const api = adminApi(server, admin.accessToken);
    // A range no other call used, so the cache cannot answer with numbers from before the sign-up.
    await customerActiveToday('stats');
    const stats = await api.adminGetDashboardStats({ days: 7, tz: 'Asia/Shanghai' });
    assert.equal(stats.days, 7);
    assert.equal(stats.tz, 'Asia/Shanghai');
    assert.ok(stats.generatedAt instanceof Date);

    const c = stats.customers;
    assert.ok(c, 'a SuperAdmin sees the customer section');
    assert.equal(c.newPerDay.length, 7);
    assert.equal(c.activePerDay.length, 7);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const last = c.newPerDay.at(-1);
    const day = (d) =>
        `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    assert.equal(day(last.day), today, 'the series ends today in the requested zone');
    assert.ok(last.count >= 1, 'the sign-up counts today');
    assert.ok(c.activePerDay.at(-1).count >= 1, 'its session counts as active today');
    assert.ok(c.total >= 1 && c.active1d >= 1 && c.active7d >= c.active1d && c.active30d >= c.active7d);
    assert.equal(typeof c.banned, 'number');

    assert.ok(stats.staff, 'a SuperAdmin sees the staff section');
    assert.ok(stats.staff.total >= 1 && stats.staff.active >= 1);
    assert.equal(typeof stats.staff.pendingInvitations, 'number');
    assert.equal(typeof stats.staff.mfaEnabled, 'number');

    // Defaults: 30 days in UTC.
    const defaults = await api.adminGetDashboardStats();
    assert.equal(defaults.days, 30);
    assert.equal(defaults.tz, 'UTC');
    assert.equal(defaults.customers.newPerDay.length, 30);
});

test('adminGetDashboardStats: a role without admins.manage gets no staff section', async () => {
    const bot = await bootstrapAdmin(server, { role: 'support_bot' });
    const stats = await adminApi(server, bot.accessToken).adminGetDashboardStats({ days: 3 });
    assert.ok(stats.customers, 'support bots read customers');
    assert.equal(stats.staff ?? null, null);
});

test('adminGetDashboardStats: a refreshed 15-minute staff token reads the dashboard too', async () => {
    const admin = await bootstrapAdmin(server, { role: 'customer_support' });
    const renewed = await adminAnon(server).adminRefreshToken({
        adminRefreshRequest: { refreshToken: admin.refreshToken },
    });
    assert.ok(renewed.expiresIn > 0 && renewed.expiresIn <= 900, `access tokens last at most 15 min: ${renewed.expiresIn}`);
    const stats = await adminApi(server, renewed.accessToken).adminGetDashboardStats({ days: 2 });
    assert.equal(stats.customers.newPerDay.length, 2);
    assert.equal(stats.staff ?? null, null);
});

test('admin error path: dashboard statistics refuse bad ranges, unknown zones and missing tokens', async () => {
    const admin = await boss();
    const api = adminApi(server, admin.accessToken);
    for (const days of [0, 91]) {
        const err = await expectProblem(api.adminGetDashboardStats({ days }), 422, 'validation_failed', `days=${days}`);
        assert.equal(err.errors[0]?.field, 'days');
    }
    for (const tz of ['Mars/Olympus_Mons', "UTC'--"]) {
        const err = await expectProblem(api.adminGetDashboardStats({ tz }), 422, 'validation_failed', `tz=${tz}`);
        assert.equal(err.errors[0]?.field, 'tz');
    }
    await expectProblem(adminAnon(server).adminGetDashboardStats(), 401, 'unauthenticated', 'no token');
    await expectProblem(
        adminApi(server, 'not-a-staff-token').adminGetDashboardStats(),
        401,
        'unauthenticated',
        'a forged token',
    );
});

test('adminGetDashboardStats: sales, traffic, nodes and tickets sections by permission', async () => {
    const admin = await boss();
    const stats = await adminApi(server, admin.accessToken).adminGetDashboardStats({ days: 4, tz: 'Europe/Berlin' });
    const { sales, traffic, nodes, tickets } = stats;
    assert.ok(sales && traffic && nodes && tickets, 'a SuperAdmin sees every section');
    assert.equal(typeof sales.currency, 'string');
    for (const series of [sales.revenuePerDay, sales.topUpsPerDay, sales.refundsPerDay]) {
        assert.equal(series.length, 4);
        assert.ok(series[0].day instanceof Date && typeof series[0].amount === 'number');
    }
    assert.equal(sales.paidOrdersPerDay.length, 4);
    assert.equal(
        sales.revenue,
        sales.revenuePerDay.reduce((sum, d) => sum + d.amount, 0),
        'the range total is the sum of its days',
    );
    assert.equal(typeof sales.unpaidOrders, 'number');
    assert.equal(traffic.perDay.length, 4);
    assert.equal(typeof traffic.perDay[0].upload, 'number');
    assert.equal(nodes.clientsOnline + nodes.clientsOffline, nodes.clients);
    assert.equal(tickets.openedPerDay.length, 4);
    assert.equal(typeof tickets.unassigned, 'number');

    const bot = await bootstrapAdmin(server, { role: 'support_bot' });
    const seen = await adminApi(server, bot.accessToken).adminGetDashboardStats({ days: 4, tz: 'Europe/Berlin' });
    assert.ok(seen.sales && seen.tickets, 'support bots read orders and tickets');
    assert.equal(seen.nodes ?? null, null);
    assert.equal(seen.traffic ?? null, null);
});
