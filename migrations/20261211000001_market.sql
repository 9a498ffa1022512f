-- Market: invite codes, who referred whom (once, forever), per-customer affiliate policy,
-- commissions and each customer's commission balance.
CREATE SCHEMA IF NOT EXISTS market;

CREATE TABLE market.invite_codes (
    id         UUID        PRIMARY KEY,
    user_id    UUID        NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    code       TEXT        NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{4,32}$'),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Deleted codes stop working but keep their sign-ups' history.
    deleted_at TIMESTAMPTZ
);
-- Codes are unique case-insensitively forever (a deleted code is never reissued to someone else).
CREATE UNIQUE INDEX invite_codes_code ON market.invite_codes (lower(code));
CREATE INDEX invite_codes_user ON market.invite_codes (user_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;

-- One row per referred customer: the relation never changes once made.
CREATE TABLE market.referrals (
    referee_id  UUID        PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
    referrer_id UUID        NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    code_id     UUID        NOT NULL REFERENCES market.invite_codes (id),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (referee_id <> referrer_id)
);
CREATE INDEX referrals_referrer ON market.referrals (referrer_id, created_at DESC, referee_id);
CREATE INDEX referrals_code ON market.referrals (code_id, created_at);

-- Staff overrides; NULL = the `affiliate` config default.
CREATE TABLE market.policies (
    user_id          UUID          PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
    enabled          BOOLEAN       NOT NULL DEFAULT true,
    reward_rate      NUMERIC(5, 4) CHECK (reward_rate >= 0 AND reward_rate <= 1),
    trigger_limit    INTEGER       CHECK (trigger_limit BETWEEN 0 AND 1000),
    max_invite_codes INTEGER       CHECK (max_invite_codes BETWEEN 0 AND 1000),
    updated_at       TIMESTAMPTZ   NOT NULL DEFAULT now()
);

CREATE TABLE market.commissions (
    id             UUID          PRIMARY KEY,
    beneficiary_id UUID          NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    referee_id     UUID          NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    order_id       UUID          NOT NULL REFERENCES shop.orders (id),
    order_amount   BIGINT        NOT NULL CHECK (order_amount > 0),
    rate           NUMERIC(5, 4) NOT NULL CHECK (rate > 0 AND rate <= 1),
    amount         BIGINT        NOT NULL CHECK (amount > 0 AND amount <= order_amount),
    currency       TEXT          NOT NULL,
    status         TEXT          NOT NULL CHECK (status IN ('pending', 'available', 'reversed')),
    available_at   TIMESTAMPTZ   NOT NULL,
    created_at     TIMESTAMPTZ   NOT NULL DEFAULT now(),
    reversed_at    TIMESTAMPTZ,
    CHECK ((status = 'reversed') = (reversed_at IS NOT NULL)),
    -- Exactly once per (order, beneficiary), however often the event arrives.
    UNIQUE (order_id, beneficiary_id)
);
CREATE INDEX commissions_beneficiary ON market.commissions (beneficiary_id, created_at DESC, id DESC);
CREATE INDEX commissions_referee ON market.commissions (referee_id);
CREATE INDEX commissions_due ON market.commissions (available_at) WHERE status = 'pending';

-- A customer's commission balance. `owed` is what a refund reversed after it was withdrawn
-- and the wallet could not cover: later commissions pay it first.
CREATE TABLE market.accounts (
    user_id    UUID        PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
    pending    BIGINT      NOT NULL DEFAULT 0 CHECK (pending >= 0),
    available  BIGINT      NOT NULL DEFAULT 0 CHECK (available >= 0),
    withdrawn  BIGINT      NOT NULL DEFAULT 0 CHECK (withdrawn >= 0),
    owed       BIGINT      NOT NULL DEFAULT 0 CHECK (owed >= 0),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Withdrawals to the wallet; `posting_id` is the wallet ledger posting made in the same
-- transaction. `request_key` makes a retried request find its withdrawal.
CREATE TABLE market.withdrawals (
    id          UUID        PRIMARY KEY,
    user_id     UUID        NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    amount      BIGINT      NOT NULL CHECK (amount > 0),
    posting_id  UUID        NOT NULL REFERENCES wallet.postings (id),
    request_key TEXT        UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX withdrawals_user ON market.withdrawals (user_id, created_at DESC);

-- A refund that reverses an already-withdrawn commission takes it back from the wallet.
ALTER TABLE wallet.postings DROP CONSTRAINT IF EXISTS postings_kind_check;
ALTER TABLE wallet.postings ADD CONSTRAINT postings_kind_check CHECK (kind IN ('gift_card', 'order_payment', 'refund',
    'adjustment', 'freeze', 'unfreeze', 'commission_withdrawal', 'top_up', 'overpayment', 'commission_reversal'));
