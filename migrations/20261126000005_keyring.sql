-- Data-encryption keys generated on first use when DATA_ENCRYPTION_KEY is not set (e.g. the
-- key that seals TOTP seeds). Production sets DATA_ENCRYPTION_KEY so the key lives outside
-- the database.
CREATE TABLE keyring (
    name       TEXT        PRIMARY KEY,
    key        BYTEA       NOT NULL CHECK (length(key) = 32),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
