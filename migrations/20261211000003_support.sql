-- Support tickets (issue 15): a customer's conversation with staff, plus staff-only internal
-- notes. No attachments. Message bodies are plain text of at most 10 000 characters.
CREATE SCHEMA IF NOT EXISTS support;

CREATE TABLE support.tickets (
    id           UUID        PRIMARY KEY,
    user_id      UUID        NOT NULL REFERENCES auth.users (id),
    subject      TEXT        NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 200),
    status       TEXT        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'resolved', 'closed')),
    priority     TEXT        NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    -- One of the customer's own orders (checked by the use case).
    order_id     UUID        REFERENCES shop.orders (id),
    assignee_id  UUID        REFERENCES staff.admins (id) ON DELETE SET NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    closed_at    TIMESTAMPTZ,
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);

-- listTickets (own, newest first) and the live-ticket cap per customer.
CREATE INDEX tickets_user ON support.tickets (user_id, created_at DESC, id DESC);
-- adminListTickets: newest first, usually filtered by status or assignee.
CREATE INDEX tickets_created ON support.tickets (created_at DESC, id DESC);
CREATE INDEX tickets_status ON support.tickets (status, created_at DESC, id DESC);
CREATE INDEX tickets_assignee ON support.tickets (assignee_id, created_at DESC, id DESC) WHERE assignee_id IS NOT NULL;

CREATE TABLE support.messages (
    id           UUID        PRIMARY KEY,
    ticket_id    UUID        NOT NULL REFERENCES support.tickets (id),
    -- customer: the ticket's customer; admin / api_key: the staff account or key (kept when
    -- the account is deleted, hence no foreign key).
    author_type  TEXT        NOT NULL CHECK (author_type IN ('customer', 'admin', 'api_key')),
    author_id    UUID        NOT NULL,
    internal     BOOLEAN     NOT NULL DEFAULT false,
    body         TEXT        NOT NULL CHECK (char_length(body) BETWEEN 1 AND 10000),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (NOT internal OR author_type <> 'customer')
);

CREATE INDEX messages_ticket ON support.messages (ticket_id, created_at, id);
