// The notify operations (tag notify) through the SDK, against a live server: staff write
// announcements for everyone or for groups (Moderator writes, CustomerSupport reads), customers
// read the ones live for them (another group's, a future or an expired one is 404), e-mail
// preferences (security is locked on), the e-mail fan-out of an announcement (the cron runs
// every second here, SCAN_INTERVAL=1) that skips customers who turned its category off, and
// one-click unsubscribe.
//
// The one-click token is put into the e-mail by the mailer at send time (it is not in the
// outbox); unsubscribeToken() makes the same token from the server's data key, as
// infra/src/notify/unsubscribe.rs does: base64url(user id (16 bytes) ‖ category index ‖ the
// first 16 bytes of HMAC-SHA256 under SHA-256("helium unsubscribe v1" ‖ data key)).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { mailCount } from './auth_kit.mjs';
import { EVERYONE, GHOST, client, customer, expectProblem, sqlString, staff, tag, useShopServer } from './shop_kit.mjs';
import { eventually } from './telecom_kit.mjs';
import { uuidBytes } from './harness.mjs';

const server = useShopServer({ SCAN_INTERVAL: '1' });

const CATEGORIES = ['security', 'service', 'billing', 'support', 'marketing'];
const HOUR_MS = 3_600_000;

/** The one-click unsubscribe token the mailer would put into a `category` e-mail to `userId`. */
function unsubscribeToken(userId, category) {
    const key = createHash('sha256').update('helium unsubscribe v1').update(server.dataKey).digest();
    const body = Buffer.concat([uuidBytes(userId), Buffer.from([CATEGORIES.indexOf(category)])]);
    const mac = createHmac('sha256', key).update(body).digest().subarray(0, 16);
    return Buffer.concat([body, mac]).toString('base64url');
}

/** As a Moderator: adminCreateAnnouncement with a unique title and `fields`. */
async function announce(fields = {}) {
    const moderator = await staff('moderator');
    return moderator.client.notify.adminCreateAnnouncement({
        createAnnouncementRequest: { title: `News ${tag()}`, body: 'Maintenance tonight.', ...fields },
    });
}

/** As a SuperAdmin: a new group with `members` (customers) in it besides Everyone. */
async function groupWith(...members) {
    const boss = await staff('super_admin');
    const group = await boss.client.customers.adminCreateGroup({ groupCreateRequest: { name: `Notify ${tag()}` } });
    for (const m of members) {
        await boss.client.customers.adminSetCustomerGroups({ id: m.id, customerGroupsRequest: { groupIds: [EVERYONE, group.id] } });
    }
    return group;
}

/** The ids of `items` that are in `mine`, in list order. */
const onlyMine = (items, mine) => items.map((i) => i.id).filter((id) => mine.includes(id));

test('adminCreateAnnouncement: defaults filled in, live at once, audited; an unknown group is 422; CustomerSupport 403', async () => {
    const raw = await (await staff('moderator')).client.notify.adminCreateAnnouncementRaw({
        createAnnouncementRequest: { title: 'Welcome', body: 'Hello everyone' },
    });
    assert.equal(raw.raw.status, 201);
    const a = await raw.value();
    assert.equal(a.title, 'Welcome');
    assert.equal(a.body, 'Hello everyone');
    assert.deepEqual(a.groupIds, [], 'everyone');
    assert.equal(a.pinned, false);
    assert.equal(a.priority, 0);
    assert.equal(a.email, false);
    assert.equal(a.emailCategory, 'marketing', 'the default category');
    assert.equal(a.emailedAt ?? null, null);
    assert.equal(a.active, true);
    assert.ok(Math.abs(a.publishAt.getTime() - Date.now()) < 60_000, 'published now');
    assert.equal(a.expiresAt ?? null, null);
    assert.equal(
        await server.sql(`SELECT action FROM staff.audit_log WHERE target_id = ${sqlString(a.id)}`),
        'announcement.create',
    );

    const err = await expectProblem(announce({ groupIds: [GHOST] }), 422, 'validation_failed', 'an unknown group');
    assert.ok(err.errors.some((e) => e.field.startsWith('group_ids')), JSON.stringify(err.errors));
    await expectProblem(announce({ title: '' }), 422, 'validation_failed', 'an empty title');
    await expectProblem(announce({ priority: 101 }), 422, 'validation_failed', 'priority above 100');
    const support = await staff('customer_support');
    await expectProblem(
        support.client.notify.adminCreateAnnouncement({ createAnnouncementRequest: { title: 't', body: 'b' } }),
        403,
        'permission_denied',
    );
});

test('listAnnouncements: the live ones for everyone and my groups, pinned first, then priority, then newest', async () => {
    const member = await customer('member');
    const outsider = await customer('outsider');
    const group = await groupWith(member);
    const old = await announce({ priority: 5 });
    const newer = await announce({ priority: 5 });
    const high = await announce({ priority: 50 });
    const pinned = await announce({ pinned: true });
    const mine = await announce({ groupIds: [group.id], priority: 50 });
    const future = await announce({ publishAt: new Date(Date.now() + HOUR_MS) });
    const expired = await announce({ publishAt: new Date(Date.now() - 2 * HOUR_MS), expiresAt: new Date(Date.now() - HOUR_MS) });
    const all = [old, newer, high, pinned, mine, future, expired].map((a) => a.id);

    const feed = await member.client.notify.listAnnouncements({ limit: 100 });
    assert.deepEqual(onlyMine(feed.items, all).slice(0, 1), [pinned.id], 'pinned first');
    assert.deepEqual(onlyMine(feed.items, all), [pinned.id, mine.id, high.id, newer.id, old.id]);
    const shown = feed.items.find((i) => i.id === mine.id);
    assert.deepEqual([shown.title, shown.body, shown.pinned, shown.priority], [mine.title, mine.body, false, 50]);
    assert.ok(shown.publishedAt instanceof Date);

    const theirs = await outsider.client.notify.listAnnouncements({ limit: 100 });
    assert.deepEqual(onlyMine(theirs.items, all), [pinned.id, high.id, newer.id, old.id], "not the other group's");

    const first = await member.client.notify.listAnnouncements({ limit: 1 });
    assert.equal(first.items.length, 1);
    assert.equal(typeof first.nextCursor, 'string');
    const second = await member.client.notify.listAnnouncements({ limit: 1, cursor: first.nextCursor });
    assert.notEqual(second.items[0].id, first.items[0].id);
});

test("getAnnouncement: one live announcement; another group's, a future one or an unknown id is 404", async () => {
    const member = await customer('reader');
    const outsider = await customer('not-a-member');
    const group = await groupWith(member);
    const a = await announce({ groupIds: [group.id], title: 'For the group', body: 'Line 1\nLine 2', priority: 7 });
    const got = await member.client.notify.getAnnouncement({ id: a.id });
    assert.deepEqual([got.id, got.title, got.body, got.priority, got.pinned], [a.id, 'For the group', 'Line 1\nLine 2', 7, false]);
    await expectProblem(outsider.client.notify.getAnnouncement({ id: a.id }), 404, 'not_found', "another group's");
    const future = await announce({ publishAt: new Date(Date.now() + HOUR_MS) });
    await expectProblem(member.client.notify.getAnnouncement({ id: future.id }), 404, 'not_found', 'not yet published');
    await expectProblem(member.client.notify.getAnnouncement({ id: GHOST }), 404, 'not_found');
});

test('adminListAnnouncements: every announcement, filtered by active and group; SupportBot 403', async () => {
    const group = await groupWith();
    const live = await announce({ groupIds: [group.id] });
    const later = await announce({ groupIds: [group.id], publishAt: new Date(Date.now() + HOUR_MS) });
    const everyone = await announce();
    const support = await staff('customer_support');

    const byGroup = await support.client.notify.adminListAnnouncements({ groupId: group.id, limit: 100 });
    assert.deepEqual(byGroup.items.map((a) => a.id), [later.id, live.id], 'newest first, only that group');
    const active = await support.client.notify.adminListAnnouncements({ groupId: group.id, active: true });
    assert.deepEqual(active.items.map((a) => [a.id, a.active]), [[live.id, true]]);
    const inactive = await support.client.notify.adminListAnnouncements({ groupId: group.id, active: false });
    assert.deepEqual(inactive.items.map((a) => [a.id, a.active]), [[later.id, false]]);
    const all = await support.client.notify.adminListAnnouncements({ limit: 100 });
    assert.ok(all.items.some((a) => a.id === everyone.id));

    const bot = await staff('support_bot');
    await expectProblem(bot.client.notify.adminListAnnouncements(), 403, 'permission_denied');
});

test('adminGetAnnouncement: as staff see it, whatever its group or schedule; unknown 404', async () => {
    const group = await groupWith();
    const a = await announce({ groupIds: [group.id], pinned: true, priority: 3, publishAt: new Date(Date.now() + HOUR_MS), email: true, emailCategory: 'service' });
    const support = await staff('customer_support');
    const got = await support.client.notify.adminGetAnnouncement({ id: a.id });
    assert.deepEqual(
        [got.id, got.groupIds, got.pinned, got.priority, got.email, got.emailCategory, got.active],
        [a.id, [group.id], true, 3, true, 'service', false],
    );
    assert.equal(got.publishAt.getTime(), a.publishAt.getTime());
    await expectProblem(support.client.notify.adminGetAnnouncement({ id: GHOST }), 404, 'not_found');
});

test('adminUpdateAnnouncement: absent fields unchanged, an end in the past takes it off the feed (not before publish_at: 422), expires_at null puts it back', async () => {
    const moderator = await staff('moderator');
    const reader = await customer('update-reader');
    const a = await announce({ title: 'Before', priority: 1, publishAt: new Date(Date.now() - HOUR_MS) });
    const updated = await moderator.client.notify.adminUpdateAnnouncement({
        id: a.id,
        updateAnnouncementRequest: { title: 'After', pinned: true },
    });
    assert.deepEqual([updated.title, updated.body, updated.pinned, updated.priority], ['After', a.body, true, 1]);
    assert.equal((await reader.client.notify.getAnnouncement({ id: a.id })).title, 'After');

    const ended = await moderator.client.notify.adminUpdateAnnouncement({
        id: a.id,
        updateAnnouncementRequest: { expiresAt: new Date(Date.now() - 1000) },
    });
    assert.equal(ended.active, false);
    await expectProblem(reader.client.notify.getAnnouncement({ id: a.id }), 404, 'not_found', 'expired');
    const err = await expectProblem(
        moderator.client.notify.adminUpdateAnnouncement({ id: a.id, updateAnnouncementRequest: { expiresAt: new Date(Date.now() - 2 * HOUR_MS) } }),
        422,
        'validation_failed',
        'an end before publish_at',
    );
    assert.deepEqual(err.errors.map((e) => e.field), ['expires_at']);

    const reopened = await moderator.client.notify.adminUpdateAnnouncement({ id: a.id, updateAnnouncementRequest: { expiresAt: null } });
    assert.equal(reopened.expiresAt ?? null, null);
    assert.equal(reopened.active, true);
    assert.equal((await reader.client.notify.getAnnouncement({ id: a.id })).title, 'After');

    await expectProblem(
        moderator.client.notify.adminUpdateAnnouncement({ id: GHOST, updateAnnouncementRequest: { title: 'x' } }),
        404,
        'not_found',
    );
    await expectProblem(
        moderator.client.notify.adminUpdateAnnouncement({ id: a.id, updateAnnouncementRequest: { emailCategory: 'security' } }),
        422,
        'validation_failed',
    );
    await expectProblem(
        (await staff('customer_support')).client.notify.adminUpdateAnnouncement({ id: a.id, updateAnnouncementRequest: { title: 'x' } }),
        403,
        'permission_denied',
    );
});

test('adminDeleteAnnouncement: 204, gone for staff and customers; deleting again 404', async () => {
    const moderator = await staff('moderator');
    const reader = await customer('delete-reader');
    const a = await announce();
    assert.equal((await reader.client.notify.getAnnouncement({ id: a.id })).id, a.id);
    const raw = await moderator.client.notify.adminDeleteAnnouncementRaw({ id: a.id });
    assert.equal(raw.raw.status, 204);
    await expectProblem(moderator.client.notify.adminGetAnnouncement({ id: a.id }), 404, 'not_found');
    await expectProblem(reader.client.notify.getAnnouncement({ id: a.id }), 404, 'not_found');
    await expectProblem(moderator.client.notify.adminDeleteAnnouncement({ id: a.id }), 404, 'not_found');
    assert.equal(
        await server.sql(`SELECT count(*) FROM staff.audit_log WHERE target_id = ${sqlString(a.id)} AND action = 'announcement.delete'`),
        '1',
    );
});

test('getNotificationPreferences: every category on by default, security locked', async () => {
    const me = await customer('prefs');
    const prefs = await me.client.notify.getNotificationPreferences();
    assert.deepEqual(
        prefs.items.map((p) => [p.category, p.email, p.locked]),
        CATEGORIES.map((c) => [c, true, c === 'security']),
    );
});

test('updateNotificationPreferences: absent categories stay, changes persist; security off is 422 preference_locked', async () => {
    const me = await customer('prefs-change');
    const changed = await me.client.notify.updateNotificationPreferences({
        updateNotificationPreferencesRequest: { marketing: { email: false }, billing: { email: false } },
    });
    const state = (items) => Object.fromEntries(items.map((p) => [p.category, p.email]));
    assert.deepEqual(state(changed.items), { security: true, service: true, billing: false, support: true, marketing: false });
    const back = await me.client.notify.updateNotificationPreferences({ updateNotificationPreferencesRequest: { billing: { email: true } } });
    assert.deepEqual(state(back.items), { security: true, service: true, billing: true, support: true, marketing: false });
    assert.deepEqual(state((await me.client.notify.getNotificationPreferences()).items), state(back.items));

    await expectProblem(
        me.client.notify.updateNotificationPreferences({ updateNotificationPreferencesRequest: { security: { email: false } } }),
        422,
        'preference_locked',
    );
    // Keeping security on is allowed.
    const kept = await me.client.notify.updateNotificationPreferences({ updateNotificationPreferencesRequest: { security: { email: true } } });
    assert.equal(state(kept.items).security, true);
});

test('unsubscribeOneClick: the e-mail\'s token turns that category off without signing in; a bad token is 410 link_invalid', async () => {
    const me = await customer('unsub');
    const anonymous = client().notify;
    const raw = await anonymous.unsubscribeOneClickRaw({ token: unsubscribeToken(me.id, 'marketing') });
    assert.equal(raw.raw.status, 200);
    assert.deepEqual(await raw.value(), { category: 'marketing', email: false });
    const prefs = await me.client.notify.getNotificationPreferences();
    assert.deepEqual(prefs.items.filter((p) => !p.email).map((p) => p.category), ['marketing']);
    // Again: still off, same answer.
    assert.deepEqual(await anonymous.unsubscribeOneClick({ token: unsubscribeToken(me.id, 'marketing') }), { category: 'marketing', email: false });

    await expectProblem(anonymous.unsubscribeOneClick({ token: 'not-a-token' }), 410, 'link_invalid');
    await expectProblem(anonymous.unsubscribeOneClick({ token: unsubscribeToken(me.id, 'security') }), 410, 'link_invalid', 'security has no link');
    const forged = Buffer.from(unsubscribeToken(me.id, 'billing'), 'base64url');
    forged[forged.length - 1] ^= 1;
    await expectProblem(anonymous.unsubscribeOneClick({ token: forged.toString('base64url') }), 410, 'link_invalid', 'a forged MAC');
    assert.equal((await me.client.notify.getNotificationPreferences()).items.find((p) => p.category === 'billing').email, true);
});

test('adminCreateAnnouncement: with email, the targeted customers are e-mailed once by the cron, except one who turned marketing off', async () => {
    const reader = await customer('mail-reader');
    const optedOut = await customer('mail-optout');
    const outsider = await customer('mail-outsider');
    await optedOut.client.notify.updateNotificationPreferences({ updateNotificationPreferencesRequest: { marketing: { email: false } } });
    const group = await groupWith(reader, optedOut);
    const a = await announce({ groupIds: [group.id], email: true });
    assert.equal(a.email, true);
    const support = await staff('customer_support');
    const done = await eventually(async () => {
        const now = await support.client.notify.adminGetAnnouncement({ id: a.id });
        return now.emailedAt ? now : undefined;
    }, 'the announcement e-mail fan-out', { timeoutMs: 30_000 });
    assert.ok(done.emailedAt instanceof Date);
    assert.equal(await mailCount(reader.email, 'announcement'), 1, 'the member is e-mailed');
    assert.equal(await mailCount(optedOut.email, 'announcement'), 0, 'marketing off: not e-mailed');
    assert.equal(await mailCount(outsider.email, 'announcement'), 0, 'not in the group');
    const context = JSON.parse(
        await server.sql(
            `SELECT payload->'context' FROM outbox WHERE event_type = 'email.requested' AND payload->>'to' = ${sqlString(reader.email)} AND payload->>'template' = 'announcement'`,
        ),
    );
    assert.equal(context.title, a.title);
    assert.equal(context.body, a.body);

    // Editing it does not send it again.
    const moderator = await staff('moderator');
    await moderator.client.notify.adminUpdateAnnouncement({ id: a.id, updateAnnouncementRequest: { body: 'Updated text', email: true } });
    // A later e-mailed announcement to the same group: once the cron finished it, it has seen
    // the edited one again too.
    const next = await announce({ groupIds: [group.id], email: true });
    await eventually(async () => ((await support.client.notify.adminGetAnnouncement({ id: next.id })).emailedAt ? true : undefined), 'the second fan-out', { timeoutMs: 30_000 });
    assert.equal(await mailCount(reader.email, 'announcement'), 2, 'the edited one is not sent again, the new one is');
    assert.equal((await support.client.notify.adminGetAnnouncement({ id: a.id })).emailedAt.getTime(), done.emailedAt.getTime());
});

test('notify error path: security off 422 preference_locked, another group\'s announcement 404, a bad unsubscribe token 410 link_invalid', async () => {
    const me = await customer('notify-errors');
    const err = await expectProblem(
        me.client.notify.updateNotificationPreferences({ updateNotificationPreferencesRequest: { security: { email: false }, marketing: { email: false } } }),
        422,
        'preference_locked',
    );
    assert.equal(err.status, 422);
    assert.ok(
        (await me.client.notify.getNotificationPreferences()).items.every((p) => p.email),
        'nothing changed, marketing included',
    );
    const group = await groupWith();
    const theirs = await announce({ groupIds: [group.id] });
    await expectProblem(me.client.notify.getAnnouncement({ id: theirs.id }), 404, 'not_found');
    await expectProblem(client().notify.unsubscribeOneClick({ token: 'AAAA' }), 410, 'link_invalid');
});
