-- Idempotency keys become claims: the first request writes a pending row in a short
-- transaction and runs without holding a database connection (a held transaction across
-- the handler needed a second pooled connection and could deadlock the pool). A pending
-- claim whose holder died expires at claimed_until and may be taken over.
ALTER TABLE idempotency_keys
    ALTER COLUMN status DROP NOT NULL,
    ALTER COLUMN body DROP NOT NULL,
    ADD COLUMN claim UUID,
    ADD COLUMN claimed_until TIMESTAMPTZ,
    ADD CONSTRAINT idempotency_keys_pending_or_done CHECK (
        (status IS NULL AND body IS NULL AND claim IS NOT NULL AND claimed_until IS NOT NULL)
        OR (status IS NOT NULL AND body IS NOT NULL)
    );
