// The support operations (tag support) through the SDK, against a live server: customers open,
// read, answer and close their tickets (someone else's is 404, a closed one refuses replies);
// staff list and read them with internal notes, reply (the customer is e-mailed), note,
// assign and move them through the allowed transitions, within their roles (SupportBot
// answers but writes no internal notes and manages nothing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mailCount } from './auth_kit.mjs';
import { GHOST, customer, expectProblem, ik, sellProduct, sqlString, staff, tag, useShopServer } from './shop_kit.mjs';

const server = useShopServer();

/** As `who` (a customer): createTicket with a unique subject. */
async function openTicket(who, fields = {}) {
    return who.client.support.createTicket({
        createTicketRequest: { subject: `Cannot connect ${tag()}`, body: 'The client says timeout.\nSince today.', priority: 'normal', ...fields },
    });
}

test('createTicket: an open ticket with its first message; order_id must be one of my orders', async () => {
    const me = await customer('asker');
    const raw = await me.client.support.createTicketRaw({
        createTicketRequest: { subject: '  Refund question  ', body: 'Where is my refund?\tThanks', priority: 'high' },
    });
    assert.equal(raw.raw.status, 201);
    const ticket = await raw.value();
    assert.equal(ticket.status, 'open', "staff's turn");
    assert.equal(ticket.subject, 'Refund question', 'trimmed');
    assert.equal(ticket.priority, 'high');
    assert.equal(ticket.orderId ?? null, null);
    assert.equal(ticket.closedAt ?? null, null);
    assert.ok(ticket.createdAt instanceof Date && ticket.updatedAt instanceof Date);

    const detail = await me.client.support.getTicket({ id: ticket.id });
    assert.deepEqual(detail.messages.map((m) => [m.author, m.body]), [['customer', 'Where is my refund?\tThanks']]);

    // About one of my orders; someone else's order is refused like an unknown one.
    const boss = await staff('super_admin');
    const { product } = await sellProduct(boss.client, { price: 900 });
    const mine = await me.client.shop.createOrder({ idempotencyKey: ik(), createOrderRequest: { productId: product.id } });
    const about = await openTicket(me, { orderId: mine.id, priority: 'urgent' });
    assert.equal(about.orderId, mine.id);
    const other = await customer('other-asker');
    for (const orderId of [mine.id, GHOST]) {
        const err = await expectProblem(openTicket(other, { orderId }), 422, 'validation_failed', `order ${orderId}`);
        assert.ok(err.errors.some((e) => e.field === 'order_id'), JSON.stringify(err.errors));
    }
});

test('listTickets: my tickets only, newest first, filtered by status and paged', async () => {
    const me = await customer('lister');
    const first = await openTicket(me);
    const second = await openTicket(me);
    await me.client.support.closeTicket({ id: first.id });
    const other = await customer('someone-else');
    await openTicket(other);

    const page = await me.client.support.listTickets();
    assert.deepEqual(page.items.map((t) => t.id), [second.id, first.id]);
    assert.deepEqual((await me.client.support.listTickets({ status: 'closed' })).items.map((t) => t.id), [first.id]);
    assert.deepEqual((await me.client.support.listTickets({ status: 'open' })).items.map((t) => t.id), [second.id]);
    assert.deepEqual((await me.client.support.listTickets({ status: 'pending' })).items, []);
    const one = await me.client.support.listTickets({ limit: 1 });
    assert.deepEqual(one.items.map((t) => t.id), [second.id]);
    const rest = await me.client.support.listTickets({ limit: 1, cursor: one.nextCursor });
    assert.deepEqual(rest.items.map((t) => t.id), [first.id]);
    await expectProblem(me.client.support.listTickets({ status: 'bogus' }), 422, 'validation_failed');
});

test("getTicket: messages oldest first, staff replies as `staff`, internal notes never shown; another customer's ticket is 404", async () => {
    const me = await customer('reader');
    const ticket = await openTicket(me, { body: 'first' });
    const support = await staff('customer_support');
    await support.client.support.adminReplyTicket({ id: ticket.id, adminReplyTicketRequest: { body: 'secret note', internal: true } });
    await support.client.support.adminReplyTicket({ id: ticket.id, adminReplyTicketRequest: { body: 'Try port 443.' } });
    await me.client.support.replyTicket({ id: ticket.id, replyTicketRequest: { body: 'Works now' } });

    const detail = await me.client.support.getTicket({ id: ticket.id });
    assert.equal(detail.ticket.id, ticket.id);
    assert.deepEqual(
        detail.messages.map((m) => [m.author, m.body]),
        [['customer', 'first'], ['staff', 'Try port 443.'], ['customer', 'Works now']],
        'the internal note is not there',
    );
    assert.ok(!JSON.stringify(detail).includes('secret note'));

    const other = await customer('snoop');
    await expectProblem(other.client.support.getTicket({ id: ticket.id }), 404, 'not_found');
    await expectProblem(me.client.support.getTicket({ id: GHOST }), 404, 'not_found');
});

test('replyTicket: it becomes staff\'s turn again (pending → open), a resolved ticket reopens', async () => {
    const me = await customer('replier');
    const ticket = await openTicket(me);
    const support = await staff('customer_support');
    await support.client.support.adminReplyTicket({ id: ticket.id, adminReplyTicketRequest: { body: 'Which device?' } });
    assert.equal((await me.client.support.getTicket({ id: ticket.id })).ticket.status, 'pending', 'my turn');

    const raw = await me.client.support.replyTicketRaw({ id: ticket.id, replyTicketRequest: { body: 'An iPhone' } });
    assert.equal(raw.raw.status, 201);
    const message = await raw.value();
    assert.equal(message.author, 'customer');
    assert.equal(message.body, 'An iPhone');
    assert.equal((await me.client.support.getTicket({ id: ticket.id })).ticket.status, 'open');

    await support.client.support.adminSetTicketStatus({ id: ticket.id, setTicketStatusRequest: { status: 'resolved' } });
    await me.client.support.replyTicket({ id: ticket.id, replyTicketRequest: { body: 'It broke again' } });
    assert.equal((await me.client.support.getTicket({ id: ticket.id })).ticket.status, 'open', 'reopened');

    const other = await customer('intruder');
    await expectProblem(other.client.support.replyTicket({ id: ticket.id, replyTicketRequest: { body: 'hi' } }), 404, 'not_found');
    await expectProblem(me.client.support.replyTicket({ id: ticket.id, replyTicketRequest: { body: '   ' } }), 422, 'validation_failed');
});

test('closeTicket: closed is final; replying or closing again is 409 ticket_closed', async () => {
    const me = await customer('closer');
    const ticket = await openTicket(me);
    const closed = await me.client.support.closeTicket({ id: ticket.id });
    assert.equal(closed.id, ticket.id);
    assert.equal(closed.status, 'closed');
    assert.ok(closed.closedAt instanceof Date);
    await expectProblem(me.client.support.replyTicket({ id: ticket.id, replyTicketRequest: { body: 'one more thing' } }), 409, 'ticket_closed');
    await expectProblem(me.client.support.closeTicket({ id: ticket.id }), 409, 'ticket_closed');
    const other = await customer('other-closer');
    await expectProblem(other.client.support.closeTicket({ id: (await openTicket(me)).id }), 404, 'not_found');
});

test('adminListTickets: every customer\'s tickets, filtered by user, status, priority and text', async () => {
    const support = await staff('customer_support');
    const alice = await customer('alice');
    const word = `zebra${tag().toLowerCase()}`;
    const urgent = await openTicket(alice, { priority: 'urgent', subject: `VPN down ${word}` });
    const low = await openTicket(alice, { priority: 'low' });
    await alice.client.support.closeTicket({ id: low.id });

    const mine = await support.client.support.adminListTickets({ userId: alice.id });
    assert.deepEqual(mine.items.map((t) => t.id), [low.id, urgent.id], 'newest first');
    assert.ok(mine.items.every((t) => t.userId === alice.id));
    assert.deepEqual((await support.client.support.adminListTickets({ userId: alice.id, status: 'closed' })).items.map((t) => t.id), [low.id]);
    assert.deepEqual((await support.client.support.adminListTickets({ userId: alice.id, priority: 'urgent' })).items.map((t) => t.id), [urgent.id]);
    assert.deepEqual((await support.client.support.adminListTickets({ q: word })).items.map((t) => t.id), [urgent.id]);

    await support.client.support.adminAssignTicket({ id: urgent.id, assignTicketRequest: { assigneeId: support.id } });
    const assigned = await support.client.support.adminListTickets({ assigneeId: support.id, userId: alice.id });
    assert.deepEqual(assigned.items.map((t) => [t.id, t.assigneeId]), [[urgent.id, support.id]]);

    const bot = await staff('support_bot');
    assert.ok((await bot.client.support.adminListTickets({ userId: alice.id })).items.length === 2, 'SupportBot reads tickets');
    await expectProblem(support.client.support.adminListTickets({ priority: 'extreme' }), 422, 'validation_failed');
});

test('adminGetTicket: the ticket with its messages and internal notes, authors named', async () => {
    const me = await customer('detail');
    const ticket = await openTicket(me, { body: 'hello' });
    const support = await staff('customer_support');
    await support.client.support.adminReplyTicket({ id: ticket.id, adminReplyTicketRequest: { body: 'checking logs', internal: true } });
    const detail = await support.client.support.adminGetTicket({ id: ticket.id });
    assert.equal(detail.ticket.userId, me.id);
    assert.equal(detail.ticket.status, 'open', 'a note changes nothing');
    assert.deepEqual(
        detail.messages.map((m) => [m.authorType, m.authorId, m.internal, m.body]),
        [
            ['customer', me.id, false, 'hello'],
            ['admin', support.id, true, 'checking logs'],
        ],
    );
    await expectProblem(support.client.support.adminGetTicket({ id: GHOST }), 404, 'not_found');
});

test('adminReplyTicket: a reply makes the ticket pending and e-mails the customer; an internal note does neither; SupportBot may reply but not note', async () => {
    const me = await customer('mailed');
    const ticket = await openTicket(me);
    const support = await staff('customer_support');
    const before = await mailCount(me.email, 'ticket_reply');

    const note = await support.client.support.adminReplyTicket({ id: ticket.id, adminReplyTicketRequest: { body: 'internal only', internal: true } });
    assert.equal(note.internal, true);
    assert.equal((await support.client.support.adminGetTicket({ id: ticket.id })).ticket.status, 'open');
    assert.equal(await mailCount(me.email, 'ticket_reply'), before, 'no e-mail for a note');

    const raw = await support.client.support.adminReplyTicketRaw({ id: ticket.id, adminReplyTicketRequest: { body: 'We are on it' } });
    assert.equal(raw.raw.status, 201);
    const reply = await raw.value();
    assert.deepEqual([reply.authorType, reply.authorId, reply.internal, reply.body], ['admin', support.id, false, 'We are on it']);
    assert.equal((await support.client.support.adminGetTicket({ id: ticket.id })).ticket.status, 'pending');
    assert.equal(await mailCount(me.email, 'ticket_reply'), before + 1, 'the customer is e-mailed');

    const bot = await staff('support_bot');
    const botReply = await bot.client.support.adminReplyTicket({ id: ticket.id, adminReplyTicketRequest: { body: 'Automated hint' } });
    assert.equal(botReply.internal, false);
    await expectProblem(
        bot.client.support.adminReplyTicket({ id: ticket.id, adminReplyTicketRequest: { body: 'bot note', internal: true } }),
        403,
        'permission_denied',
        'SupportBot writing an internal note',
    );
    const bodies = (await support.client.support.adminGetTicket({ id: ticket.id })).messages.map((m) => m.body);
    assert.ok(!bodies.includes('bot note'));

    await me.client.support.closeTicket({ id: ticket.id });
    await expectProblem(
        support.client.support.adminReplyTicket({ id: ticket.id, adminReplyTicketRequest: { body: 'late' } }),
        409,
        'ticket_closed',
    );
});

test('adminAssignTicket: to a staff member who answers tickets, null unassigns; unknown assignee 422 assignee_invalid; SupportBot 403', async () => {
    const me = await customer('assign');
    const ticket = await openTicket(me);
    const moderator = await staff('moderator');
    const support = await staff('customer_support');
    const assigned = await moderator.client.support.adminAssignTicket({ id: ticket.id, assignTicketRequest: { assigneeId: support.id } });
    assert.equal(assigned.id, ticket.id);
    assert.equal(assigned.assigneeId, support.id);
    assert.equal((await support.client.support.adminGetTicket({ id: ticket.id })).ticket.assigneeId, support.id);

    const cleared = await moderator.client.support.adminAssignTicket({ id: ticket.id, assignTicketRequest: { assigneeId: null } });
    assert.equal(cleared.assigneeId ?? null, null);

    await expectProblem(
        moderator.client.support.adminAssignTicket({ id: ticket.id, assignTicketRequest: { assigneeId: GHOST } }),
        422,
        'assignee_invalid',
    );
    const bot = await staff('support_bot');
    await expectProblem(
        bot.client.support.adminAssignTicket({ id: ticket.id, assignTicketRequest: { assigneeId: support.id } }),
        403,
        'permission_denied',
    );
    await expectProblem(
        moderator.client.support.adminAssignTicket({ id: GHOST, assignTicketRequest: { assigneeId: support.id } }),
        404,
        'not_found',
    );
});

test('adminSetTicketStatus: allowed transitions, the note kept internal and audited; leaving closed is 409 invalid_ticket_transition', async () => {
    const me = await customer('status');
    const ticket = await openTicket(me);
    const support = await staff('customer_support');
    const set = (status, note) =>
        support.client.support.adminSetTicketStatus({ id: ticket.id, setTicketStatusRequest: { status, ...(note ? { note } : {}) } });

    assert.equal((await set('pending')).status, 'pending');
    assert.equal((await set('open')).status, 'open');
    const resolved = await set('resolved', 'fixed by restart');
    assert.equal(resolved.status, 'resolved');
    await expectProblem(set('resolved'), 409, 'invalid_ticket_transition', 'the current status again');
    await expectProblem(set('pending'), 409, 'invalid_ticket_transition', 'resolved → pending');
    const detail = await support.client.support.adminGetTicket({ id: ticket.id });
    const noteRow = detail.messages.find((m) => m.body === 'fixed by restart');
    assert.ok(noteRow, 'the note is kept');
    assert.equal(noteRow.internal, true);
    assert.ok(!(await me.client.support.getTicket({ id: ticket.id })).messages.some((m) => m.body === 'fixed by restart'));
    assert.equal(
        await server.sql(
            `SELECT count(*) FROM staff.audit_log WHERE target_id = ${sqlString(ticket.id)} AND reason = 'fixed by restart'`,
        ),
        '1',
        'the note is the audit reason',
    );
    assert.ok(Number(await server.sql(`SELECT count(*) FROM outbox WHERE event_type = 'email.requested' AND payload->>'to' = ${sqlString(me.email)} AND payload->>'template' = 'ticket_status_changed'`)) >= 1, 'resolving e-mails the customer');

    const closed = await set('closed');
    assert.equal(closed.status, 'closed');
    assert.ok(closed.closedAt instanceof Date);
    await expectProblem(set('open'), 409, 'invalid_ticket_transition', 'closed → open');
    await expectProblem(set('bogus'), 422, 'validation_failed');
    const bot = await staff('support_bot');
    await expectProblem(
        bot.client.support.adminSetTicketStatus({ id: ticket.id, setTicketStatusRequest: { status: 'open' } }),
        403,
        'permission_denied',
    );
});

test('support error path: a closed ticket refuses replies (409 ticket_closed), another customer\'s is 404, bad fields 422', async () => {
    const me = await customer('errors');
    const ticket = await openTicket(me);
    await me.client.support.closeTicket({ id: ticket.id });
    await expectProblem(me.client.support.replyTicket({ id: ticket.id, replyTicketRequest: { body: 'hello?' } }), 409, 'ticket_closed');
    const other = await customer('errors-other');
    await expectProblem(other.client.support.getTicket({ id: ticket.id }), 404, 'not_found');
    const err = await expectProblem(
        me.client.support.createTicket({ createTicketRequest: { subject: 'two\nlines', body: 'x', priority: 'whenever' } }),
        422,
        'validation_failed',
    );
    const fields = err.errors.map((e) => e.field).sort();
    assert.ok(fields.includes('priority'), JSON.stringify(err.errors));
    assert.ok(fields.includes('subject'), JSON.stringify(err.errors));
});
