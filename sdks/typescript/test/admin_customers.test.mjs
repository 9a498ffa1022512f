// Staff invitations (tag admin) and staff operations on customer accounts (tag customers):
// single-use invitation links, customer search / details, ban and unban (live tokens die at
// once), MFA reset, sign-out everywhere, the mandatory reason and the audit rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createHeliumClient, HeliumProblemError } from '../dist/index.js';
import {
    adminAnon,
    adminApi,
    adminSignIn,
    bootstrapAdmin,
    bootstrapAdminWithMfa,
    uniqueAdminEmail,
} from './admin_kit.mjs';
import {
    PASSWORD,
    anon,
    bearer,
    challenge,
    expectProblem,
    mail,
    signUp,
    signUpWithMfa,
    sqlString,
    useAuthServer,
} from './auth_kit.mjs';

// useAuthServer also feeds auth_kit's customer helpers (signUp, mail, ...) with this server.
const server = useAuthServer();
const INVITEE_PASSWORD = 'Invited-Correct-Horse-3';

/** The generated CustomersApi, sending `Authorization: Bearer <accessToken>`. */
function customersApi(accessToken) {
    return createHeliumClient({ baseUrl: server.url, accessToken }).customers;
}

// One staff account per role, made on first use (the CLI and argon2 are slow in debug builds),
// with TOTP on: staff of every role need it before any write.
const staffCache = new Map();
function staff(role) {
    if (!staffCache.has(role)) {
        const made = bootstrapAdminWithMfa(server, { role });
        staffCache.set(role, made);
        made.catch(() => staffCache.delete(role)); // a failed bootstrap is retried by the next test
    }
    return staffCache.get(role);
}

/** A SuperAdmin with TOTP on (staff writes need it): its AdminApi. */
async function inviter() {
    return adminApi(server, (await staff('super_admin')).accessToken);
}

async function support() {
    return customersApi((await staff('customer_support')).accessToken);
}

/** Invites `email`; returns { invitation, token } (the token read from the e-mail). */
async function invite(email, role = 'support_bot') {
    const invitation = await (await inviter()).adminCreateInvitation({
        createInvitationRequest: { email, name: 'New Colleague', role },
    });
    const { link } = await mail(invitation.email, 'admin_invitation');
    assert.match(link, /\/admin\/invitations\/accept\?token=/);
    return { invitation, token: new URL(link).searchParams.get('token') };
}

/** "action|reason|actor_role" of the audit rows about `targetId`, oldest first. */
async function auditRows(targetId) {
    const out = await server.sql(
        "SELECT action || '|' || coalesce(reason, '') || '|' || coalesce(actor_role, '') FROM staff.audit_log " +
            `WHERE target_id = ${sqlString(targetId)} ORDER BY at, id`,
    );
    return out ? out.split('\n') : [];
}

/** The call must fail with 401 or 403 (a dead customer token). */
async function expectRefused(promise, what) {
    const err = await promise.then(
        (value) => assert.fail(`${what} should be refused, got ${JSON.stringify(value)}`),
        (e) => e,
    );
    assert.ok(err instanceof HeliumProblemError, `${what}: ${err?.message}`);
    assert.ok([401, 403].includes(err.status), `${what}: expected 401/403, got ${err.status} ${err.code}`);
    return err;
}

/** Password sign-in that must hand out tokens without an MFA challenge: the result. */
async function signInDirectly(email) {
    const result = await anon().auth.login({ loginRequest: { email, password: PASSWORD } });
    assert.equal(result.mfaRequired, false, `login of ${email} should not ask for MFA`);
    assert.equal(typeof result.accessToken, 'string');
    return result;
}

// ---------------------------------------------------------------- invitations (tag admin)

test('adminCreateInvitation: e-mails a single-use link, never answers the token', async () => {
    const email = uniqueAdminEmail('invitee');
    const boss = await staff('super_admin');
    const { invitation, token } = await invite(email.toUpperCase(), 'moderator');
    assert.equal(invitation.email, email, 'the address is normalised');
    assert.equal(invitation.name, 'New Colleague');
    assert.equal(invitation.role, 'moderator');
    assert.equal(invitation.status, 'pending');
    assert.equal(invitation.invitedBy, boss.id);
    assert.ok(invitation.expiresAt > new Date(Date.now() + 71 * 3600_000), '72 h by default');
    assert.equal(invitation.acceptedAt ?? null, null);
    assert.ok(!JSON.stringify(invitation).includes(token));
    const context = await mail(email, 'admin_invitation');
    assert.equal(context.recipient, email);
    assert.equal(context.inviter_name, boss.name);

    // The address now has an open invitation; a staff address is taken too.
    await expectProblem(
        (await inviter()).adminCreateInvitation({
            createInvitationRequest: { email, name: 'Twice', role: 'moderator' },
        }),
        409,
        'admin_email_taken',
    );
    await expectProblem(
        (await inviter()).adminCreateInvitation({
            createInvitationRequest: { email: boss.email, name: 'Me', role: 'moderator' },
        }),
        409,
        'admin_email_taken',
    );
    assert.deepEqual(await auditRows(invitation.id), ['invitation.create||super_admin']);
});

test('adminListInvitations: newest first, filtered by status, keyset pages, limit 1–100', async () => {
    const a = await invite(uniqueAdminEmail('list-a'));
    const b = await invite(uniqueAdminEmail('list-b'));
    const api = await inviter();
    const pending = (await api.adminListInvitations({ status: 'pending', limit: 100 })).items.map((i) => i.id);
    const [ia, ib] = [pending.indexOf(a.invitation.id), pending.indexOf(b.invitation.id)];
    assert.ok(ib >= 0 && ib < ia, 'newest first');

    // Keyset pages of one: every pending invitation once, in the same order.
    const paged = [];
    let cursor;
    for (let i = 0; i <= pending.length; i++) {
        const page = await api.adminListInvitations({ status: 'pending', limit: 1, cursor });
        assert.ok(page.items.length <= 1, 'limit 1');
        paged.push(...page.items.map((x) => x.id));
        cursor = page.nextCursor ?? undefined;
        if (!cursor) break;
    }
    assert.deepEqual(paged, pending, 'pages of one list the same invitations');
    const first = await api.adminListInvitations({ status: 'pending', limit: 1 });
    assert.equal(typeof first.nextCursor, 'string', 'more than one pending invitation: a next page');
    await expectProblem(
        api.adminListInvitations({ status: 'revoked', limit: 1, cursor: first.nextCursor }),
        400,
        'invalid_cursor',
        'a cursor reused with another status',
    );
    for (const limit of [0, 101]) {
        const err = await expectProblem(api.adminListInvitations({ limit }), 422, 'validation_failed', `limit ${limit}`);
        assert.ok(err.errors.some((e) => e.field === 'limit'), JSON.stringify(err.errors));
    }

    await adminAnon(server).adminAcceptInvitation({
        acceptInvitationRequest: { token: a.token, password: INVITEE_PASSWORD },
    });
    const accepted = await api.adminListInvitations({ status: 'accepted' });
    const row = accepted.items.find((i) => i.id === a.invitation.id);
    assert.equal(row?.status, 'accepted');
    assert.ok(row.acceptedAt instanceof Date);
    assert.equal(accepted.nextCursor ?? null, null);
    assert.ok(!(await api.adminListInvitations({ status: 'pending' })).items.some((i) => i.id === a.invitation.id));
    const all = await api.adminListInvitations();
    assert.ok(all.items.some((i) => i.id === a.invitation.id) && all.items.some((i) => i.id === b.invitation.id));
    await expectProblem(api.adminListInvitations({ status: 'bogus' }), 422, 'validation_failed');
});

test('adminRevokeInvitation: the link stops working (410 link_invalid)', async () => {
    const { invitation, token } = await invite(uniqueAdminEmail('revoked'));
    const api = await inviter();
    await api.adminRevokeInvitation({ id: invitation.id });
    await api.adminRevokeInvitation({ id: invitation.id }); // again: still 204
    await expectProblem(
        adminAnon(server).adminAcceptInvitation({ acceptInvitationRequest: { token, password: INVITEE_PASSWORD } }),
        410,
        'link_invalid',
    );
    const revoked = await api.adminListInvitations({ status: 'revoked' });
    assert.equal(revoked.items.find((i) => i.id === invitation.id)?.status, 'revoked');
    assert.deepEqual(await auditRows(invitation.id), [
        'invitation.create||super_admin',
        'invitation.revoke||super_admin',
    ]);
    // The address may be invited again.
    await invite(invitation.email);
    await expectProblem(api.adminRevokeInvitation({ id: '01900000-0000-7000-8000-000000000000' }), 404, 'not_found');
});

test('adminRevokeInvitation: an accepted invitation answers 409 invitation_used', async () => {
    const { invitation, token } = await invite(uniqueAdminEmail('used'));
    await adminAnon(server).adminAcceptInvitation({ acceptInvitationRequest: { token, password: INVITEE_PASSWORD } });
    await expectProblem((await inviter()).adminRevokeInvitation({ id: invitation.id }), 409, 'invitation_used');
});

test('adminAcceptInvitation: creates the account once; expired and unknown links are gone', async () => {
    const email = uniqueAdminEmail('accept');
    const { token } = await invite(email, 'customer_support');
    const anonAdmin = adminAnon(server);
    const admin = await anonAdmin.adminAcceptInvitation({
        acceptInvitationRequest: { token, password: INVITEE_PASSWORD },
    });
    assert.equal(admin.email, email);
    assert.equal(admin.role, 'customer_support');
    await expectProblem(
        anonAdmin.adminAcceptInvitation({ acceptInvitationRequest: { token, password: INVITEE_PASSWORD } }),
        410,
        'invitation_used',
    );
    assert.equal(await server.sql(`SELECT count(*) FROM staff.admins WHERE email = ${sqlString(email)}`), '1');
    const accessToken = await adminSignIn(server, email, INVITEE_PASSWORD);
    assert.equal((await adminApi(server, accessToken).adminGetMe()).role, 'customer_support');
    assert.deepEqual(await auditRows(admin.id), ['invitation.accept||customer_support']);

    const late = await invite(uniqueAdminEmail('late'));
    await server.sql(
        "UPDATE staff.invitations SET expires_at = now() - interval '1 second' " +
            `WHERE id = ${sqlString(late.invitation.id)}`,
    );
    await expectProblem(
        anonAdmin.adminAcceptInvitation({ acceptInvitationRequest: { token: late.token, password: INVITEE_PASSWORD } }),
        410,
        'invitation_expired',
    );
    await expectProblem(
        anonAdmin.adminAcceptInvitation({
            acceptInvitationRequest: { token: 'no-such-token', password: INVITEE_PASSWORD },
        }),
        410,
        'link_invalid',
    );
});

// ---------------------------------------------------------------- customers (tag customers)

test('adminListCustomers: search by e-mail fragment and by id, cursor pagination', async () => {
    const tag = randomBytes(5).toString('hex');
    const made = [];
    for (let n = 0; n < 3; n++) made.push((await signUp(`find${tag}n${n}`)).account.id);
    const newestFirst = [...made].reverse();
    const api = await customersApi((await staff('support_bot')).accessToken);

    const page = await api.adminListCustomers({ q: tag });
    assert.deepEqual(page.items.map((c) => c.id), newestFirst);
    assert.equal(page.nextCursor ?? null, null);
    assert.equal(page.items[0].status, 'active');
    assert.equal(page.items[0].mfaEnabled, false);
    assert.ok(page.items[0].createdAt instanceof Date);
    const upper = await api.adminListCustomers({ q: `FIND${tag.toUpperCase()}` });
    assert.deepEqual(upper.items.map((c) => c.id), newestFirst, 'case-insensitive');
    assert.deepEqual((await api.adminListCustomers({ q: made[1] })).items.map((c) => c.id), [made[1]]);

    const seen = [];
    let cursor;
    for (let i = 0; i < 10; i++) {
        const p = await api.adminListCustomers({ q: tag, limit: 1, cursor });
        assert.equal(p.items.length, 1);
        seen.push(p.items[0].id);
        cursor = p.nextCursor ?? undefined;
        if (!cursor) break;
    }
    assert.deepEqual(seen, newestFirst);
    const first = await api.adminListCustomers({ q: tag, limit: 1 });
    const otherFilter = api.adminListCustomers({ q: 'find', limit: 1, cursor: first.nextCursor });
    await expectProblem(otherFilter, 400, 'invalid_cursor');
    await expectProblem(api.adminListCustomers({ limit: 0 }), 422, 'validation_failed');

    await (await support()).adminBanCustomer({ id: made[0], reasonRequest: { reason: 'list filter' } });
    assert.deepEqual((await api.adminListCustomers({ q: tag, status: 'banned' })).items.map((c) => c.id), [made[0]]);
    const active = await api.adminListCustomers({ q: tag, status: 'active' });
    assert.deepEqual(active.items.map((c) => c.id), [made[2], made[1]]);
});

test('adminGetCustomer: account, login methods, sessions and MFA state, never secrets', async () => {
    const user = await signUpWithMfa('detail');
    const bot = await staff('support_bot');
    const detail = await customersApi(bot.accessToken).adminGetCustomer({ id: user.account.id });
    assert.equal(detail.id, user.account.id);
    assert.equal(detail.email, user.email);
    assert.equal(detail.status, 'active');
    assert.equal(detail.mfaEnabled, true);
    assert.ok(detail.loginMethods.some((m) => m.kind === 'password'));
    assert.ok(!detail.loginMethods.some((m) => m.kind === 'oauth'));
    assert.equal(detail.sessions.length, 1);
    assert.ok(detail.sessions[0].createdAt instanceof Date && detail.sessions[0].lastUsedAt instanceof Date);

    const raw = await fetch(`${server.url}/api/v1/admin/customers/${user.account.id}`, {
        headers: { authorization: `Bearer ${bot.accessToken}` },
    });
    assert.equal(raw.status, 200);
    const text = (await raw.text()).toLowerCase();
    assert.ok(!text.includes('hash') && !text.includes('secret'), `no secrets in ${text}`);
});

test('adminBanCustomer: every session ends at once; the account cannot sign in', async () => {
    const user = await signUp('ban');
    const second = await signInDirectly(user.email);
    await bearer(user.tokens.accessToken).auth.getMe();
    await bearer(second.accessToken).auth.getMe();

    const banned = await (await support()).adminBanCustomer({
        id: user.account.id,
        reasonRequest: { reason: 'chargeback fraud' },
    });
    assert.equal(banned.status, 'banned');
    assert.equal(banned.id, user.account.id);
    await expectRefused(bearer(user.tokens.accessToken).auth.getMe(), 'the sign-up token right after the ban');
    await expectRefused(bearer(second.accessToken).auth.getMe(), 'the second token right after the ban');
    await expectRefused(anon().auth.refreshToken({ refreshRequest: { refreshToken: second.refreshToken } }), 'refresh');
    const login = anon().auth.login({ loginRequest: { email: user.email, password: PASSWORD } });
    await expectProblem(login, 403, 'account_banned');
    await expectProblem(
        (await support()).adminBanCustomer({ id: user.account.id, reasonRequest: { reason: 'again' } }),
        409,
        'invalid_state',
    );
    const detail = await (await support()).adminGetCustomer({ id: user.account.id });
    assert.equal(detail.status, 'banned');
    assert.deepEqual(detail.sessions, []);
    assert.deepEqual(await auditRows(user.account.id), ['customer.ban|chargeback fraud|customer_support']);
});

test('adminUnbanCustomer: the customer signs in again; 409 invalid_state when not banned', async () => {
    const user = await signUp('unban');
    const api = await support();
    await expectProblem(
        api.adminUnbanCustomer({ id: user.account.id, reasonRequest: { reason: 'not banned' } }),
        409,
        'invalid_state',
    );
    await api.adminBanCustomer({ id: user.account.id, reasonRequest: { reason: 'spam' } });
    const active = await api.adminUnbanCustomer({ id: user.account.id, reasonRequest: { reason: 'appeal accepted' } });
    assert.equal(active.status, 'active');
    await expectRefused(bearer(user.tokens.accessToken).auth.getMe(), 'a pre-ban token after the unban');
    const fresh = await signInDirectly(user.email);
    assert.equal((await bearer(fresh.accessToken).auth.getMe()).id, user.account.id);
    assert.deepEqual(await auditRows(user.account.id), [
        'customer.ban|spam|customer_support',
        'customer.unban|appeal accepted|customer_support',
    ]);
});

test('adminResetCustomerMfa: removes TOTP; the customer signs in without a challenge', async () => {
    const user = await signUpWithMfa('reset');
    await challenge(user.email);
    const api = await support();
    await api.adminResetCustomerMfa({ id: user.account.id, reasonRequest: { reason: 'identity verified' } });
    assert.equal((await api.adminGetCustomer({ id: user.account.id })).mfaEnabled, false);
    await signInDirectly(user.email);
    const notice = await mail(user.email, 'security_mfa_changed');
    assert.equal(notice.enabled, false);
    await expectProblem(
        api.adminResetCustomerMfa({ id: user.account.id, reasonRequest: { reason: 'again' } }),
        409,
        'mfa_not_enabled',
    );
    assert.equal(
        await server.sql(`SELECT count(*) FROM auth.totp WHERE user_id = ${sqlString(user.account.id)}`),
        '0',
    );
    assert.deepEqual(await auditRows(user.account.id), ['customer.mfa_reset|identity verified|customer_support']);
});

test('adminRevokeCustomerSessions: signs the customer out everywhere', async () => {
    const user = await signUp('everywhere');
    const second = await signInDirectly(user.email);
    const api = await support();
    await api.adminRevokeCustomerSessions({ id: user.account.id });
    await expectRefused(bearer(user.tokens.accessToken).auth.getMe(), 'first session');
    await expectRefused(bearer(second.accessToken).auth.getMe(), 'second session');
    await expectRefused(anon().auth.refreshToken({ refreshRequest: { refreshToken: second.refreshToken } }), 'refresh');
    const detail = await api.adminGetCustomer({ id: user.account.id });
    assert.equal(detail.status, 'active');
    assert.deepEqual(detail.sessions, []);
    await signInDirectly(user.email);
    assert.deepEqual(await auditRows(user.account.id), ['customer.sessions_revoke||customer_support']);
});

test('customers error path: 404 unknown id, 422 missing reason, 403 for SupportBot, 403 mfa_required without TOTP, 401 without a token', async () => {
    const user = await signUp('errors');
    const api = await support();
    const ghost = '01900000-0000-7000-8000-000000000000';
    await expectProblem(api.adminGetCustomer({ id: ghost }), 404, 'not_found');
    await expectProblem(api.adminBanCustomer({ id: ghost, reasonRequest: { reason: 'x' } }), 404, 'not_found');
    await expectProblem(api.adminRevokeCustomerSessions({ id: ghost }), 404, 'not_found');

    for (const reasonRequest of [{}, { reason: '' }]) {
        const err = await expectProblem(
            api.adminBanCustomer({ id: user.account.id, reasonRequest }),
            422,
            'validation_failed',
        );
        assert.ok(err.errors.some((e) => e.field === 'reason'), JSON.stringify(err.errors));
        const reset = api.adminResetCustomerMfa({ id: user.account.id, reasonRequest });
        await expectProblem(reset, 422, 'validation_failed');
    }
    await expectProblem(api.adminListCustomers({ status: 'deleted' }), 422, 'validation_failed');

    const bot = customersApi((await staff('support_bot')).accessToken);
    const withReason = { id: user.account.id, reasonRequest: { reason: 'r' } };
    await expectProblem(bot.adminBanCustomer(withReason), 403, 'permission_denied');
    await expectProblem(bot.adminUnbanCustomer(withReason), 403, 'permission_denied');
    await expectProblem(bot.adminResetCustomerMfa(withReason), 403, 'permission_denied');
    await expectProblem(bot.adminRevokeCustomerSessions({ id: user.account.id }), 403, 'permission_denied');
    // Staff of any role write only with TOTP on: refused before the target is even looked up.
    for (const role of ['customer_support', 'moderator', 'super_admin']) {
        const noTotp = customersApi((await bootstrapAdmin(server, { role })).accessToken);
        await expectProblem(noTotp.adminBanCustomer(withReason), 403, 'mfa_required', `${role} without TOTP`);
        await expectProblem(
            noTotp.adminBanCustomer({ id: ghost, reasonRequest: { reason: 'r' } }),
            403,
            'mfa_required',
            `${role} without TOTP, unknown customer`,
        );
        assert.equal((await noTotp.adminGetCustomer({ id: user.account.id })).id, user.account.id, `${role} reads`);
    }
    const nobody = createHeliumClient({ baseUrl: server.url }).customers;
    await expectProblem(nobody.adminListCustomers(), 401, 'unauthenticated');
    await expectProblem(customersApi(user.tokens.accessToken).adminListCustomers(), 401, 'unauthenticated');

    // Nothing above touched the account.
    await bearer(user.tokens.accessToken).auth.getMe();
    assert.deepEqual(await auditRows(user.account.id), []);
});
