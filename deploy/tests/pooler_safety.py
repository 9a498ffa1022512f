"""Nothing relies on session state, so every query may go through a transaction-mode pooler
(PgBouncer, HeliosProxy): a static scan of the SQL in api/src and infra/src for session-level
advisory locks, LISTEN, session SET/RESET, PREPARE, temporary tables, cursors WITH HOLD and
set_config(…, false). The one allowed exception is the cron leader's lock in
infra/src/cron.rs, held on its own direct connection (CRON_DATABASE_URL). Migrations are not
scanned: they run on MIGRATION_DATABASE_URL/CRON_DATABASE_URL, directly.

Usage: python3 deploy/tests/pooler_safety.py
"""

from __future__ import annotations

import re
import sys

import harness as h

SESSION_STATE = [
    (r"\bpg_(try_)?advisory_lock(_shared)?\s*\(", "session-level advisory lock (use pg_advisory_xact_lock)"),
    (r"\bpg_advisory_unlock(_all|_shared)?\s*\(", "session-level advisory unlock"),
    (r"[\"';]\s*LISTEN\s+[a-z_\"]", "LISTEN (notifications need a session)"),
    (r"(^|[\"';]\s*)(SET|RESET)\s+(SESSION\s+)?[a-z_\.]+\s*(=|TO\b)", "session SET/RESET (use SET LOCAL inside a transaction)"),
    (r"\bPREPARE\s+[a-z_]+\s+(\(|AS\b)", "SQL-level PREPARE"),
    (r"\bCREATE\s+(TEMP|TEMPORARY)\s+TABLE\b", "temporary table"),
    (r"\bWITH\s+HOLD\b", "cursor WITH HOLD"),
    (r"\bset_config\s*\([^)]*,\s*false\s*\)", "set_config(…, false) is session-scoped"),
]
ALLOWED = {("infra/src/cron.rs", "session-level advisory lock (use pg_advisory_xact_lock)"),
           ("infra/src/cron.rs", "session-level advisory unlock")}


def scan() -> None:
    found = []
    for path in sorted(list((h.REPO / "api/src").rglob("*.rs")) + list((h.REPO / "infra/src").rglob("*.rs"))):
        rel = str(path.relative_to(h.REPO))
        for n, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("//", 1)[0] if not line.lstrip().startswith("//") else ""
            for pattern, what in SESSION_STATE:
                if re.search(pattern, code, re.I) and (rel, what) not in ALLOWED:
                    found.append(f"{rel}:{n}: {what}: {line.strip()[:160]}")
    assert not found, "session state that breaks behind a transaction-mode pooler:\n" + "\n".join(found)


# A statement with parameters costs two protocol round trips (Parse/Sync, then Bind/Execute/
# Sync); between them a pooler may hand the server connection to someone else. So every
# query runs through `ex(…)` (unnamed statements in pooler mode) on a connection from
# `Db::conn`/`Db::begin` (a transaction in pooler mode), never on the pool itself.
RUN_CALL = re.compile(r"\.(fetch_one|fetch_optional|fetch_all|fetch|execute)\(\s*([^)\n]*)")
RUN_OK = re.compile(r"^(crate::db::|helium_infra::db::)?ex\(|^sqlx::raw_sql\(")
RUN_ALLOWED = {"infra/src/cron.rs"}  # the leader's own direct connection (session advisory lock)


def every_query_runs_through_ex() -> None:
    found = []
    for path in sorted(list((h.REPO / "api/src").rglob("*.rs")) + list((h.REPO / "infra/src").rglob("*.rs"))):
        rel = str(path.relative_to(h.REPO))
        text = path.read_text()
        if "sqlx::" not in text or rel in RUN_ALLOWED or rel == "infra/src/db.rs":
            continue
        for n, line in enumerate(text.splitlines(), 1):
            code = line.split("//", 1)[0]
            for m in RUN_CALL.finditer(code):
                if not RUN_OK.search(m.group(2).strip()):
                    found.append(f"{rel}:{n}: {line.strip()[:160]}")
    assert not found, "queries that bypass db::ex (unsafe behind a transaction-mode pooler):\n" + "\n".join(found)


def scanner_catches_each_pattern() -> None:
    samples = ['"SELECT pg_advisory_lock($1)"', '"LISTEN helium_events"', '"SET search_path = x"',
               '"PREPARE q AS SELECT 1"', '"CREATE TEMP TABLE t (x int)"', '"DECLARE c CURSOR WITH HOLD FOR SELECT 1"',
               '"SELECT set_config(\'a.b\', $1, false)"']
    for sample in samples:
        assert any(re.search(p, sample, re.I) for p, _ in SESSION_STATE), sample
    for fine in ['"UPDATE outbox SET published_at = now()"', '"SELECT pg_advisory_xact_lock($1)"',
                 '"SELECT set_config(\'a.b\', $1, true)"', '"SET LOCAL lock_timeout = \'1s\'"']:
        assert not any(re.search(p, fine, re.I) for p, _ in SESSION_STATE), fine
    for bad in [".fetch_one(&self.pool)", ".execute(&mut *tx)", ".fetch_all(pool)"]:
        m = RUN_CALL.search(bad)
        assert m and not RUN_OK.search(m.group(2).strip()), bad
    for good in [".fetch_one(ex(&mut c))", ".execute(crate::db::ex(tx))", ".execute(sqlx::raw_sql(\"SELECT 1\"))"]:
        m = RUN_CALL.search(good)
        assert m and RUN_OK.search(m.group(2).strip()), good


def main() -> int:
    checks = h.Checks("pooler safety")
    checks.run("the scanner recognises each session-state pattern (and not transaction-scoped ones)",
               scanner_catches_each_pattern)
    checks.run("no session state in api/src or infra/src outside the cron leader", scan)
    checks.run("every query runs through db::ex on a connection, never on the pool", every_query_runs_through_ex)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
