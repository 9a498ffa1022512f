-- Stored first responses for Idempotency-Key (Stripe semantics), scoped per principal and route.
CREATE TABLE idempotency_keys (
    principal    TEXT        NOT NULL,
    route        TEXT        NOT NULL,
    key          TEXT        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash BYTEA       NOT NULL,
    status       SMALLINT    NOT NULL,
    content_type TEXT,
    body         BYTEA       NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (principal, route, key)
);
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);
