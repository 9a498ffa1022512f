-- Transactional outbox: written in the same transaction as the state change it announces.
CREATE TABLE outbox (
    id             UUID        PRIMARY KEY,            -- UUID v7; also the AMQP message id
    event_type     TEXT        NOT NULL,                -- <domain>.<event>
    aggregate_id   TEXT        NOT NULL,
    occurred_at    TIMESTAMPTZ NOT NULL,
    schema_version INTEGER     NOT NULL DEFAULT 1,
    payload        JSONB       NOT NULL,
    published_at   TIMESTAMPTZ
);
CREATE INDEX outbox_unpublished ON outbox (occurred_at, id) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;

-- Consumer dedupe: a (consumer, event) pair is processed at most once; the row is written in
-- the handler's own transaction so a redelivered event has no second effect.
CREATE TABLE consumer_inbox (
    consumer     TEXT        NOT NULL,
    event_id     UUID        NOT NULL,
    processed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
CREATE INDEX consumer_inbox_processed_at ON consumer_inbox (processed_at);

-- Every email send attempt (never the body: it holds one-time tokens).
CREATE TABLE email_log (
    event_id   UUID        PRIMARY KEY,
    recipient  TEXT        NOT NULL,
    template   TEXT        NOT NULL,
    status     TEXT        NOT NULL CHECK (status IN ('sending', 'sent', 'retrying', 'failed')),
    attempts   INTEGER     NOT NULL DEFAULT 0,
    last_error TEXT,
    message_id TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- End-to-end pipeline probe: `system.probe` events leave one receipt each (operators use it to
-- check relay + broker + consumers; the chaos test counts effects with it).
CREATE TABLE probe_receipts (
    event_id    UUID        PRIMARY KEY,
    effects     INTEGER     NOT NULL DEFAULT 1,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One-time secrets of customer and staff identity (magic links, e-mail codes): only hashes.
CREATE SCHEMA IF NOT EXISTS auth;
CREATE TABLE auth.one_time_tokens (
    token_hash  BYTEA       PRIMARY KEY,               -- SHA-256 of the token (or of email+code)
    kind        TEXT        NOT NULL CHECK (kind IN ('magic_link', 'otp')),
    purpose     TEXT        NOT NULL,
    email       TEXT        NOT NULL,
    subject_id  UUID,
    attempts    INTEGER     NOT NULL DEFAULT 0,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX one_time_tokens_created_at ON auth.one_time_tokens (kind, created_at);
CREATE INDEX one_time_tokens_email ON auth.one_time_tokens (email, purpose);
