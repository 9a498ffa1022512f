-- Notify: per-customer e-mail preferences, announcements targeted by customer group.
CREATE SCHEMA IF NOT EXISTS notify;

-- A missing row means the category is on (the default); `security` is never stored off.
CREATE TABLE notify.preferences (
    user_id    UUID        NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    category   TEXT        NOT NULL CHECK (category IN ('service', 'billing', 'support', 'marketing')),
    email      BOOLEAN     NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, category)
);

CREATE TABLE notify.announcements (
    id             UUID        PRIMARY KEY,
    title          TEXT        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body           TEXT        NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    -- Empty = every customer.
    group_ids      UUID[]      NOT NULL DEFAULT '{}',
    pinned         BOOLEAN     NOT NULL DEFAULT false,
    priority       INTEGER     NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 100),
    publish_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at     TIMESTAMPTZ CHECK (expires_at IS NULL OR expires_at > publish_at),
    -- E-mail the targeted customers once published, under this preference category.
    email          BOOLEAN     NOT NULL DEFAULT false,
    email_category TEXT        NOT NULL DEFAULT 'marketing' CHECK (email_category IN ('marketing', 'service')),
    -- Progress of the e-mail fan-out: the last customer id mailed, and when it finished.
    email_cursor   UUID,
    emailed_at     TIMESTAMPTZ,
    created_by     UUID,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX announcements_feed ON notify.announcements (pinned DESC, priority DESC, publish_at DESC, id DESC);
CREATE INDEX announcements_mail_due ON notify.announcements (publish_at) WHERE email AND emailed_at IS NULL;

ALTER TABLE email_log DROP CONSTRAINT IF EXISTS email_log_status_check;
ALTER TABLE email_log ADD CONSTRAINT email_log_status_check
    CHECK (status IN ('sending', 'sent', 'retrying', 'failed', 'suppressed'));
