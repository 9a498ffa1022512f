-- Module configuration documents (auth, admin-jwt, telecom, shop, mailer, affiliate).
-- PostgreSQL is the source of truth; Redis only caches these rows.
CREATE TABLE application__config (
    key        TEXT PRIMARY KEY,
    value      JSONB       NOT NULL,
    version    BIGINT      NOT NULL DEFAULT 1 CHECK (version >= 1),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
