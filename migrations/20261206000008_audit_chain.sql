-- Tamper evidence for the staff audit log: each row carries its position in the chain and a
-- keyed hash over the previous row's hash and its own fields (HMAC-SHA256 under a key derived
-- from the data key, which need not live in the database). `helium-cli audit verify` and a
-- cron job recompute the chain; an edited, removed or inserted row breaks it at that row.
-- Rows written before this migration carry no hash and are outside the chain.
ALTER TABLE staff.audit_log ADD COLUMN seq BIGINT, ADD COLUMN hash BYTEA;
CREATE UNIQUE INDEX audit_log_seq ON staff.audit_log (seq);
