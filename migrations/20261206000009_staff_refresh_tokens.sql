-- Staff access tokens are short-lived (15 minutes); a staff session is kept alive by opaque
-- refresh tokens, rotated on each use, stored as SHA-256. A token presented after its
-- rotation revokes the session. `staff.sessions.expires_at` stays the absolute end.
CREATE TABLE staff.refresh_tokens (
    token_hash BYTEA       PRIMARY KEY,
    session_id UUID        NOT NULL REFERENCES staff.sessions (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    used_at    TIMESTAMPTZ
);
CREATE INDEX staff_refresh_tokens_session ON staff.refresh_tokens (session_id);
