-- Least-privilege deployment: the tables belong to the migration role; the serving role
-- (DATABASE_URL of every helium process) may read and write rows but not change tables.
-- Without ownership it cannot `ALTER TABLE … DISABLE TRIGGER` to rewrite the audit log, and
-- it gets no UPDATE, DELETE or TRUNCATE on the audit log at all.
--
-- Run once as the migration role (the owner of the tables, MIGRATION_DATABASE_URL) after the
-- first `helium migrate`; ALTER DEFAULT PRIVILEGES covers tables later migrations create.
--   psql "$MIGRATION_DATABASE_URL" -v app_role=helium_app -f deploy/sql/serving-role.sql
-- The serving role itself is created by the operator: CREATE ROLE helium_app LOGIN PASSWORD '…';
-- See deploy/RUNBOOK.md, "Least-privilege database roles".
\set ON_ERROR_STOP on

SELECT format('GRANT USAGE ON SCHEMA %I TO %I', nspname, :'app_role')
  FROM pg_namespace
 WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
\gexec

SELECT format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', nspname, :'app_role')
  FROM pg_namespace
 WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
\gexec

SELECT format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', nspname, :'app_role')
  FROM pg_namespace
 WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
\gexec

SELECT format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', nspname, :'app_role')
  FROM pg_namespace
 WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
\gexec

SELECT format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO %I', nspname, :'app_role')
  FROM pg_namespace
 WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
\gexec

-- The audit log is append-only for the application.
SELECT format('REVOKE UPDATE, DELETE, TRUNCATE ON staff.audit_log FROM %I', :'app_role')
\gexec
-- The migration history is the migration role's business.
SELECT format('REVOKE INSERT, UPDATE, DELETE ON public._sqlx_migrations FROM %I', :'app_role')
\gexec
