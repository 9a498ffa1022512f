-- Telecom: node servers and the protocol endpoints (node clients) their agents serve, each
-- customer's subscription credentials, packages delivered from paid orders, and the push
-- receipts that make a retried traffic report count once.
CREATE SCHEMA IF NOT EXISTS telecom;

CREATE TABLE telecom.node_servers (
    id                  UUID         PRIMARY KEY,
    name                TEXT         NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    address             TEXT         NOT NULL CHECK (length(address) BETWEEN 1 AND 253),
    region              TEXT         CHECK (length(region) <= 100),
    rate                NUMERIC(8, 2) NOT NULL DEFAULT 1 CHECK (rate > 0),
    tags                TEXT[]       NOT NULL DEFAULT '{}',
    maintenance         BOOLEAN      NOT NULL DEFAULT false,
    maintenance_message TEXT         CHECK (length(maintenance_message) <= 500),
    maintenance_until   TIMESTAMPTZ,
    created_at          TIMESTAMPTZ  NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ  NOT NULL DEFAULT now()
);

CREATE TABLE telecom.node_clients (
    id              UUID          PRIMARY KEY,
    server_id       UUID          NOT NULL REFERENCES telecom.node_servers (id) ON DELETE RESTRICT,
    -- The integer an agent is configured with; unique per protocol (agents ask by both).
    node_id         INTEGER       NOT NULL CHECK (node_id >= 1),
    protocol        TEXT          NOT NULL,
    name            TEXT          NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    port            INTEGER       NOT NULL CHECK (port BETWEEN 1 AND 65535),
    hop_ports       JSONB,
    settings        JSONB         NOT NULL,
    group_ids       UUID[]        NOT NULL DEFAULT '{}',
    tags            TEXT[]        NOT NULL DEFAULT '{}',
    show            BOOLEAN       NOT NULL DEFAULT true,
    sort            INTEGER       NOT NULL DEFAULT 0,
    rate            NUMERIC(8, 2) CHECK (rate > 0),
    alivelist_shape TEXT          NOT NULL DEFAULT 'count' CHECK (alivelist_shape IN ('count', 'ips')),
    routes          JSONB         NOT NULL DEFAULT '[]',
    last_pull_at    TIMESTAMPTZ,
    last_push_at    TIMESTAMPTZ,
    online          BOOLEAN       NOT NULL DEFAULT false,
    load            JSONB,
    created_at      TIMESTAMPTZ   NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ   NOT NULL DEFAULT now(),
    UNIQUE (protocol, node_id)
);
CREATE INDEX node_clients_server ON telecom.node_clients (server_id);

-- One per customer, made on first use. `agent_id` is the integer agents count traffic by,
-- `uuid` the proxy credential; the subscription token is kept as a keyed hash (lookups)
-- and sealed (to show it to its owner).
CREATE TABLE telecom.subscriptions (
    user_id      UUID        PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
    agent_id     BIGINT      GENERATED ALWAYS AS IDENTITY UNIQUE,
    uuid         UUID        NOT NULL UNIQUE,
    token_hash   BYTEA       NOT NULL UNIQUE,
    token_sealed TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    rotated_at   TIMESTAMPTZ
);

-- What a delivered order gives, with the terms of the version it bought (kept forever).
CREATE TABLE telecom.packages (
    id                  UUID        PRIMARY KEY,
    user_id             UUID        NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    order_id            UUID        UNIQUE,
    product_id          UUID,
    package_version_id  UUID,
    name                TEXT        NOT NULL,
    status              TEXT        NOT NULL CHECK (status IN ('in_queue', 'active', 'consumed', 'cancelled')),
    traffic_bytes       BIGINT      NOT NULL CHECK (traffic_bytes > 0),
    duration_days       INTEGER     NOT NULL CHECK (duration_days > 0),
    speed_limit_mbps    INTEGER,
    device_limit        INTEGER,
    traffic_reset       TEXT        NOT NULL CHECK (traffic_reset IN ('none', 'monthly_on_purchase_day', 'first_of_month')),
    group_ids           UUID[]      NOT NULL DEFAULT '{}',
    upload              BIGINT      NOT NULL DEFAULT 0 CHECK (upload >= 0),
    download            BIGINT      NOT NULL DEFAULT 0 CHECK (download >= 0),
    activated_at        TIMESTAMPTZ,
    expires_at          TIMESTAMPTZ,
    last_reset_at       TIMESTAMPTZ,
    expiring_notified   BOOLEAN     NOT NULL DEFAULT false,
    ended_at            TIMESTAMPTZ,
    end_reason          TEXT        CHECK (length(end_reason) <= 1000),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((status = 'active') <= (activated_at IS NOT NULL AND expires_at IS NOT NULL))
);
-- Exactly one active package per customer; the queue in purchase order.
CREATE UNIQUE INDEX packages_one_active ON telecom.packages (user_id) WHERE status = 'active';
CREATE INDEX packages_queue ON telecom.packages (user_id, created_at, id) WHERE status = 'in_queue';
CREATE INDEX packages_active_expiry ON telecom.packages (expires_at) WHERE status = 'active';
CREATE INDEX packages_user ON telecom.packages (user_id, created_at DESC, id DESC);

-- A traffic report a node sent, by the hash of its body: an identical retry within the
-- window is acknowledged without counting twice.
CREATE TABLE telecom.push_receipts (
    node_client_id UUID        NOT NULL,
    body_hash      BYTEA       NOT NULL,
    received_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (node_client_id, body_hash)
);
CREATE INDEX push_receipts_age ON telecom.push_receipts (received_at);
