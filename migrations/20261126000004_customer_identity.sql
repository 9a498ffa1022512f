-- Customer identity (schema auth.). Secrets are stored only as hashes: one-time tokens and
-- refresh tokens as SHA-256, passwords and recovery codes as Argon2id PHC strings.
CREATE TABLE auth.users (
    id                 UUID        PRIMARY KEY,
    email              TEXT        NOT NULL,
    password_hash      TEXT,
    display_name       TEXT,
    locale             TEXT,
    timezone           TEXT,
    status             TEXT        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'banned')),
    referral_code      TEXT,
    -- Access tokens issued before this instant are dead (password reset, ban, log out everywhere).
    tokens_valid_after TIMESTAMPTZ NOT NULL DEFAULT 'epoch',
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_email_lowercase CHECK (email = lower(email))
);

-- A session is one sign-in on one device; its refresh tokens form one rotation family.
CREATE TABLE auth.sessions (
    id                 UUID        PRIMARY KEY,
    user_id            UUID        NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    device             TEXT,
    ip                 TEXT,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    refresh_expires_at TIMESTAMPTZ NOT NULL,
    revoked_at         TIMESTAMPTZ,
    revoke_reason      TEXT
);
CREATE INDEX sessions_user_live ON auth.sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE auth.refresh_tokens (
    token_hash BYTEA       PRIMARY KEY,
    session_id UUID        NOT NULL REFERENCES auth.sessions (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    used_at    TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_session ON auth.refresh_tokens (session_id);

-- TOTP: the seed is encrypted by the application; last_step blocks replays.
CREATE TABLE auth.totp (
    user_id    UUID        PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
    secret     TEXT        NOT NULL,
    enabled_at TIMESTAMPTZ,
    last_step  BIGINT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE auth.recovery_codes (
    id        UUID        PRIMARY KEY,
    user_id   UUID        NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    code_hash TEXT        NOT NULL,
    used_at   TIMESTAMPTZ
);
CREATE INDEX recovery_codes_user ON auth.recovery_codes (user_id) WHERE used_at IS NULL;

-- Linked OAuth/OIDC identities, identified by (provider, subject); never linked by e-mail.
CREATE TABLE auth.oauth_identities (
    id           UUID        PRIMARY KEY,
    user_id      UUID        NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    provider     TEXT        NOT NULL,
    subject      TEXT        NOT NULL,
    email        TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at TIMESTAMPTZ,
    CONSTRAINT oauth_identities_provider_subject_key UNIQUE (provider, subject)
);
CREATE INDEX oauth_identities_user ON auth.oauth_identities (user_id);

-- One-time tokens carry what their purpose needs (e.g. the referral code of a registration).
ALTER TABLE auth.one_time_tokens ADD COLUMN data JSONB NOT NULL DEFAULT '{}'::jsonb;
