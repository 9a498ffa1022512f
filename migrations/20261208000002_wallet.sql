-- Wallets and their append-only double-entry ledger.
--
-- Every change of money is one posting made of entries that sum to zero (a deferred
-- constraint trigger refuses anything else at commit). A customer's wallet is two accounts
-- (`available`, `frozen`); the counter-parties are system accounts (`gateway`, `revenue`,
-- `gift_cards`, `adjustments`, `commissions`). The cached balances on `wallet.wallets` move
-- in the same transaction; a nightly job compares them with the entries.
CREATE SCHEMA IF NOT EXISTS wallet;

CREATE TABLE wallet.wallets (
    user_id    UUID        PRIMARY KEY REFERENCES auth.users (id) ON DELETE RESTRICT,
    available  BIGINT      NOT NULL DEFAULT 0 CHECK (available >= 0),
    frozen     BIGINT      NOT NULL DEFAULT 0 CHECK (frozen >= 0),
    currency   TEXT        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE wallet.postings (
    id          UUID        PRIMARY KEY,
    kind        TEXT        NOT NULL CHECK (kind IN ('gift_card', 'order_payment', 'refund', 'adjustment', 'freeze',
                                                      'unfreeze', 'commission_withdrawal', 'top_up', 'overpayment')),
    reason      TEXT        CHECK (length(reason) <= 1000),
    order_id    UUID,
    -- Who caused it: `customer:<id>`, `admin:<id>`, `api_key:<id>`, `gateway`, `system`.
    actor       TEXT        NOT NULL,
    -- (principal, route, Idempotency-Key) of the request that made it: a retried request
    -- finds its posting instead of making a second one.
    request_key TEXT        UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX postings_order ON wallet.postings (order_id) WHERE order_id IS NOT NULL;

CREATE TABLE wallet.entries (
    id         BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    posting_id UUID        NOT NULL REFERENCES wallet.postings (id),
    -- A customer's wallet (`user_id` set) or a system account (`user_id` NULL).
    user_id    UUID        REFERENCES wallet.wallets (user_id),
    account    TEXT        NOT NULL CHECK (account IN ('available', 'frozen', 'gateway', 'revenue', 'gift_cards',
                                                        'adjustments', 'commissions')),
    amount     BIGINT      NOT NULL CHECK (amount <> 0),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((user_id IS NOT NULL) = (account IN ('available', 'frozen')))
);
CREATE INDEX entries_posting ON wallet.entries (posting_id);
CREATE INDEX entries_user ON wallet.entries (user_id, created_at DESC, id DESC) WHERE user_id IS NOT NULL;

-- Append-only: no entry or posting is ever changed or removed.
CREATE FUNCTION wallet.append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the wallet ledger is append-only' USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON wallet.entries
    FOR EACH ROW EXECUTE FUNCTION wallet.append_only();
CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON wallet.postings
    FOR EACH ROW EXECUTE FUNCTION wallet.append_only();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON wallet.entries
    FOR EACH STATEMENT EXECUTE FUNCTION wallet.append_only();
CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON wallet.postings
    FOR EACH STATEMENT EXECUTE FUNCTION wallet.append_only();

-- Each posting balances: checked at commit, once per posting touched.
CREATE FUNCTION wallet.posting_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    total NUMERIC;
    n     BIGINT;
BEGIN
    SELECT coalesce(sum(amount), 0), count(*) INTO total, n FROM wallet.entries WHERE posting_id = NEW.posting_id;
    IF total <> 0 OR n < 2 THEN
        RAISE EXCEPTION 'posting % does not balance (sum %, % entries)', NEW.posting_id, total, n
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER entries_balance AFTER INSERT ON wallet.entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION wallet.posting_balances();

-- What reconciliation found: a cached balance that differs from its entries.
CREATE TABLE wallet.reconciliation_findings (
    id                 UUID        PRIMARY KEY,
    user_id            UUID        NOT NULL,
    cached_available   BIGINT      NOT NULL,
    ledger_available   BIGINT      NOT NULL,
    cached_frozen      BIGINT      NOT NULL,
    ledger_frozen      BIGINT      NOT NULL,
    found_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Gift cards: batch codes (≥ 128 bits) and special branded codes with a redemption limit.
-- A code is stored as a keyed hash (the lookup) and sealed (the one-time CSV export).
CREATE TABLE wallet.gift_card_batches (
    id          UUID        PRIMARY KEY,
    name        TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    count       INTEGER     NOT NULL CHECK (count BETWEEN 1 AND 10000),
    value       BIGINT      NOT NULL CHECK (value > 0),
    currency    TEXT        NOT NULL,
    expires_at  TIMESTAMPTZ,
    created_by  TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    exported_at TIMESTAMPTZ
);

CREATE TABLE wallet.gift_cards (
    id              UUID        PRIMARY KEY,
    batch_id        UUID        REFERENCES wallet.gift_card_batches (id),
    kind            TEXT        NOT NULL CHECK (kind IN ('batch', 'special')),
    code_hash       BYTEA       NOT NULL UNIQUE,
    code_sealed     TEXT        NOT NULL,
    -- The last four characters, for lists and support.
    code_hint       TEXT        NOT NULL,
    value           BIGINT      NOT NULL CHECK (value > 0),
    currency        TEXT        NOT NULL,
    max_redemptions INTEGER     NOT NULL DEFAULT 1 CHECK (max_redemptions BETWEEN 1 AND 1000000),
    redemptions     INTEGER     NOT NULL DEFAULT 0 CHECK (redemptions >= 0 AND redemptions <= max_redemptions),
    expires_at      TIMESTAMPTZ,
    disabled        BOOLEAN     NOT NULL DEFAULT false,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX gift_cards_batch ON wallet.gift_cards (batch_id);

-- One redemption per card and customer (a special code once per customer, a batch code once).
CREATE TABLE wallet.gift_card_redemptions (
    gift_card_id UUID        NOT NULL REFERENCES wallet.gift_cards (id),
    user_id      UUID        NOT NULL REFERENCES auth.users (id),
    posting_id   UUID        NOT NULL REFERENCES wallet.postings (id),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (gift_card_id, user_id)
);
CREATE INDEX gift_card_redemptions_user ON wallet.gift_card_redemptions (user_id);
