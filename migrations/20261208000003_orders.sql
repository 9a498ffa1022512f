-- Coupons, orders, payment methods, payments and auto-renewal.

CREATE TABLE shop.coupons (
    id                UUID        PRIMARY KEY,
    code              TEXT        NOT NULL CHECK (length(code) BETWEEN 3 AND 64),
    discount_type     TEXT        NOT NULL CHECK (discount_type IN ('percentage', 'fixed')),
    -- `percentage`: the share taken off, (0, 1]; `fixed`: minor units taken off.
    rate              NUMERIC(5, 4) CHECK (rate > 0 AND rate <= 1),
    amount            BIGINT      CHECK (amount > 0),
    starts_at         TIMESTAMPTZ NOT NULL,
    ends_at           TIMESTAMPTZ NOT NULL,
    max_uses          INTEGER     CHECK (max_uses > 0),
    max_uses_per_user INTEGER     NOT NULL DEFAULT 1 CHECK (max_uses_per_user > 0),
    min_amount        BIGINT      CHECK (min_amount >= 0),
    -- Empty = every product.
    product_ids       UUID[]      NOT NULL DEFAULT '{}',
    active            BOOLEAN     NOT NULL DEFAULT true,
    -- Live uses (orders not cancelled); the guarded counter behind `max_uses`.
    uses              INTEGER     NOT NULL DEFAULT 0 CHECK (uses >= 0 AND (max_uses IS NULL OR uses <= max_uses)),
    -- Ever used: such a coupon can be deactivated but not deleted.
    ever_used         BOOLEAN     NOT NULL DEFAULT false,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    CHECK ((discount_type = 'percentage') = (rate IS NOT NULL) AND (discount_type = 'fixed') = (amount IS NOT NULL))
);
CREATE UNIQUE INDEX coupons_code_key ON shop.coupons (upper(code));

CREATE TABLE shop.orders (
    id                 UUID        PRIMARY KEY,
    -- What the gateway sees (`out_trade_no`): short, unique, not guessable from another.
    trade_no           TEXT        NOT NULL UNIQUE,
    user_id            UUID        NOT NULL REFERENCES auth.users (id),
    kind               TEXT        NOT NULL CHECK (kind IN ('purchase', 'renewal', 'top_up')),
    product_id         UUID        REFERENCES shop.products (id),
    package_version_id UUID        REFERENCES shop.package_versions (id),
    product_name       TEXT        NOT NULL,
    status             TEXT        NOT NULL CHECK (status IN ('unpaid', 'paid', 'delivered', 'cancelled', 'refunded')),
    subtotal           BIGINT      NOT NULL CHECK (subtotal >= 0),
    discount           BIGINT      NOT NULL DEFAULT 0 CHECK (discount >= 0 AND discount <= subtotal),
    total              BIGINT      NOT NULL CHECK (total >= 0 AND total = subtotal - discount),
    currency           TEXT        NOT NULL,
    coupon_id          UUID        REFERENCES shop.coupons (id),
    paid_via           TEXT        CHECK (paid_via IN ('wallet', 'gateway', 'staff', 'free')),
    -- (principal, route, Idempotency-Key) of the create request: a retry finds this order.
    request_key        TEXT        UNIQUE,
    cancel_reason      TEXT,
    refund_amount      BIGINT      CHECK (refund_amount > 0 AND refund_amount <= total),
    refund_reason      TEXT,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at         TIMESTAMPTZ NOT NULL,
    paid_at            TIMESTAMPTZ,
    delivered_at       TIMESTAMPTZ,
    cancelled_at       TIMESTAMPTZ,
    refunded_at        TIMESTAMPTZ,
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((kind = 'top_up') = (product_id IS NULL)),
    CHECK ((status IN ('paid', 'delivered', 'refunded')) = (paid_at IS NOT NULL))
);
CREATE INDEX orders_user ON shop.orders (user_id, created_at DESC, id DESC);
CREATE INDEX orders_unpaid_expiry ON shop.orders (expires_at) WHERE status = 'unpaid';
CREATE INDEX orders_paid_undelivered ON shop.orders (paid_at) WHERE status = 'paid';
CREATE INDEX orders_created ON shop.orders (created_at DESC, id DESC);

-- One live use of a coupon per order; released (once) when the unpaid order is cancelled.
CREATE TABLE shop.coupon_uses (
    order_id    UUID        PRIMARY KEY REFERENCES shop.orders (id),
    coupon_id   UUID        NOT NULL REFERENCES shop.coupons (id),
    user_id     UUID        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    released_at TIMESTAMPTZ
);
CREATE INDEX coupon_uses_live ON shop.coupon_uses (coupon_id, user_id) WHERE released_at IS NULL;

CREATE TABLE shop.payment_methods (
    id          UUID        PRIMARY KEY,
    kind        TEXT        NOT NULL CHECK (kind IN ('epay')),
    name        TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    channel     TEXT        NOT NULL CHECK (channel ~ '^[a-z0-9_]{1,32}$'),
    url         TEXT        NOT NULL,
    pid         TEXT        NOT NULL CHECK (length(pid) BETWEEN 1 AND 64),
    -- The merchant key, sealed under the data key; never returned.
    key_sealed  TEXT        NOT NULL,
    enabled     BOOLEAN     NOT NULL DEFAULT true,
    sort        INTEGER     NOT NULL DEFAULT 0,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Attempts to pay an order. A gateway payment has its own number (`out_trade_no`, what the
-- gateway signs) and stays `pending` until the gateway's notify (or the reconciling query)
-- settles it; `(gateway, gateway_trade_no)` settles at most once.
CREATE TABLE shop.payments (
    id                 UUID        PRIMARY KEY,
    order_id           UUID        NOT NULL REFERENCES shop.orders (id),
    method_id          UUID        REFERENCES shop.payment_methods (id),
    via                TEXT        NOT NULL CHECK (via IN ('wallet', 'gateway', 'staff', 'free')),
    status             TEXT        NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    amount             BIGINT      NOT NULL CHECK (amount >= 0),
    currency           TEXT        NOT NULL,
    out_trade_no       TEXT        UNIQUE,
    gateway            TEXT,
    gateway_trade_no   TEXT,
    external_reference TEXT,
    -- This payment is the one that paid the order (a later one for a paid or cancelled
    -- order is credited to the wallet instead).
    settled_order      BOOLEAN     NOT NULL DEFAULT false,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    settled_at         TIMESTAMPTZ,
    UNIQUE (gateway, gateway_trade_no)
);
CREATE INDEX payments_order ON shop.payments (order_id);
CREATE INDEX payments_pending ON shop.payments (created_at) WHERE status = 'pending' AND via = 'gateway';
CREATE UNIQUE INDEX payments_one_settlement ON shop.payments (order_id) WHERE settled_order;

-- Auto-renewal of a product a customer holds: paid from the wallet before the package ends.
CREATE TABLE shop.auto_renewals (
    user_id       UUID        NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    product_id    UUID        NOT NULL REFERENCES shop.products (id),
    enabled       BOOLEAN     NOT NULL DEFAULT true,
    -- The package end this rule last acted for (renewed or reminded): once per period.
    handled_until TIMESTAMPTZ,
    last_order_id UUID        REFERENCES shop.orders (id),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, product_id)
);
