-- The data key (it seals TOTP seeds, e-mailed secrets, merchant keys, webhook secrets and keys
-- lookup hashes and the audit chain) wrapped under DATA_ENCRYPTION_KEY. Rotating
-- DATA_ENCRYPTION_KEY re-wraps this one row; nothing sealed with the data key changes.
CREATE TABLE keyring_wrapped (
    name       TEXT        PRIMARY KEY,
    sealed     TEXT        NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
