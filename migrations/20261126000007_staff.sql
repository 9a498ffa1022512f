-- Staff identity and governance (schema staff.). Secrets are stored only as hashes.
CREATE SCHEMA IF NOT EXISTS staff;

CREATE TABLE staff.admins (
    id                 UUID        PRIMARY KEY,
    email              TEXT,
    name               TEXT        NOT NULL,
    avatar_url         TEXT,
    role               TEXT        NOT NULL CHECK (role IN ('super_admin', 'moderator', 'customer_support', 'support_bot')),
    status             TEXT        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    password_hash      TEXT,
    -- Tokens issued before this instant are dead (password change, role change, disable).
    tokens_valid_after TIMESTAMPTZ NOT NULL DEFAULT 'epoch',
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT admins_email_lowercase CHECK (email = lower(email))
);
CREATE UNIQUE INDEX admins_email_key ON staff.admins (email) WHERE email IS NOT NULL;

-- One sign-in of one admin; the admin JWT names it (sid) so it can be revoked.
CREATE TABLE staff.sessions (
    id           UUID        PRIMARY KEY,
    admin_id     UUID        NOT NULL REFERENCES staff.admins (id) ON DELETE CASCADE,
    device       TEXT,
    ip           TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX staff_sessions_admin_live ON staff.sessions (admin_id) WHERE revoked_at IS NULL;

-- Single-use links: `setup` (CLI-created admins set their password).
CREATE TABLE staff.one_time_tokens (
    token_hash BYTEA       PRIMARY KEY,
    admin_id   UUID        NOT NULL REFERENCES staff.admins (id) ON DELETE CASCADE,
    purpose    TEXT        NOT NULL CHECK (purpose IN ('setup')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE staff.invitations (
    id          UUID        PRIMARY KEY,
    email       TEXT        NOT NULL CHECK (email = lower(email)),
    name        TEXT        NOT NULL,
    role        TEXT        NOT NULL CHECK (role IN ('super_admin', 'moderator', 'customer_support', 'support_bot')),
    token_hash  BYTEA       NOT NULL UNIQUE,
    invited_by  UUID        REFERENCES staff.admins (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    accepted_at TIMESTAMPTZ,
    revoked_at  TIMESTAMPTZ,
    admin_id    UUID        REFERENCES staff.admins (id) ON DELETE SET NULL
);
-- At most one open invitation per address.
CREATE UNIQUE INDEX invitations_open_email ON staff.invitations (email) WHERE accepted_at IS NULL AND revoked_at IS NULL;

CREATE TABLE staff.totp (
    admin_id   UUID        PRIMARY KEY REFERENCES staff.admins (id) ON DELETE CASCADE,
    secret     TEXT        NOT NULL,
    enabled_at TIMESTAMPTZ,
    last_step  BIGINT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE staff.recovery_codes (
    id        UUID        PRIMARY KEY,
    admin_id  UUID        NOT NULL REFERENCES staff.admins (id) ON DELETE CASCADE,
    code_hash TEXT        NOT NULL,
    used_at   TIMESTAMPTZ
);

CREATE TABLE staff.api_keys (
    id           UUID        PRIMARY KEY,
    name         TEXT        NOT NULL,
    prefix       TEXT        NOT NULL,           -- shown in lists: "hel_key_" + 8 characters
    key_hash     BYTEA       NOT NULL UNIQUE,    -- SHA-256 of the whole key (256 random bits)
    role         TEXT        NOT NULL CHECK (role IN ('super_admin', 'moderator', 'customer_support', 'support_bot')),
    permissions  TEXT[],                         -- optional narrowing of the role
    created_by   UUID        REFERENCES staff.admins (id) ON DELETE SET NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);

-- Append-only record of every staff write; the database refuses to change or remove rows.
CREATE TABLE staff.audit_log (
    id          UUID        PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor_type  TEXT        NOT NULL CHECK (actor_type IN ('admin', 'api_key', 'cli', 'system')),
    actor_id    UUID,
    actor_role  TEXT,
    action      TEXT        NOT NULL,
    target_type TEXT        NOT NULL,
    target_id   TEXT,
    before      JSONB,
    after       JSONB,
    reason      TEXT,
    request_id  TEXT,
    ip          TEXT,
    user_agent  TEXT
);
CREATE INDEX audit_log_at ON staff.audit_log (at DESC, id DESC);
CREATE INDEX audit_log_actor ON staff.audit_log (actor_id, at DESC);
CREATE INDEX audit_log_target ON staff.audit_log (target_type, target_id, at DESC);

CREATE FUNCTION staff.audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'staff.audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON staff.audit_log
    FOR EACH ROW EXECUTE FUNCTION staff.audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON staff.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION staff.audit_log_is_append_only();
