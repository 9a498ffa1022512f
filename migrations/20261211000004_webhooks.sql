-- Outgoing webhooks (Standard Webhooks): staff-managed endpoints with a sealed signing secret
-- (and, during a rotation's grace, the previous one), one delivery per (event, endpoint) and
-- every attempt made for it.
CREATE SCHEMA IF NOT EXISTS notify;

CREATE TABLE notify.webhook_endpoints (
    id                  UUID        PRIMARY KEY,
    url                 TEXT        NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
    description         TEXT        CHECK (length(description) <= 500),
    -- Exact event types, `<domain>.*` or `*`.
    event_types         TEXT[]      NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 32),
    enabled             BOOLEAN     NOT NULL DEFAULT true,
    -- `whsec_…`, sealed under the data key and bound to the endpoint id.
    secret_sealed       TEXT        NOT NULL,
    previous_secret_sealed TEXT,
    -- The previous secret signs too until then.
    previous_expires_at TIMESTAMPTZ,
    secret_rotated_at   TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_page ON notify.webhook_endpoints (created_at DESC, id DESC);

CREATE TABLE notify.webhook_deliveries (
    id              UUID        PRIMARY KEY,
    endpoint_id     UUID        NOT NULL REFERENCES notify.webhook_endpoints (id) ON DELETE CASCADE,
    -- The outbox event (a fresh id for a test send).
    event_id        UUID        NOT NULL,
    event_type      TEXT        NOT NULL,
    -- `webhook-id`: the same on every attempt.
    message_id      TEXT        NOT NULL,
    -- The exact JSON sent (`{type, timestamp, data}`), so every attempt signs the same bytes.
    body            TEXT        NOT NULL,
    status          TEXT        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER     NOT NULL DEFAULT 0,
    -- Attempts made before the current back-off series began (a staff retry starts a new one).
    series_start    INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ,
    last_attempt_at TIMESTAMPTZ,
    last_status_code INTEGER,
    last_error      TEXT,
    delivered_at    TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The consumer may see an event twice: it fans out once.
    CONSTRAINT webhook_deliveries_once UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON notify.webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_page ON notify.webhook_deliveries (endpoint_id, created_at DESC, id DESC);

CREATE TABLE notify.webhook_attempts (
    id               UUID        PRIMARY KEY,
    delivery_id      UUID        NOT NULL REFERENCES notify.webhook_deliveries (id) ON DELETE CASCADE,
    attempt          INTEGER     NOT NULL,
    attempted_at     TIMESTAMPTZ NOT NULL,
    status_code      INTEGER,
    latency_ms       INTEGER     NOT NULL,
    -- At most 1 KiB of the receiver's answer.
    response_excerpt TEXT        CHECK (octet_length(response_excerpt) <= 1024),
    error            TEXT        CHECK (length(error) <= 500),
    UNIQUE (delivery_id, attempt)
);
