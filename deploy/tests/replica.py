"""Helium with a real PostgreSQL streaming replica (DATABASE_READ_URL): the lag-tolerant reads
are served by the replica, everything else by the primary, and the replica refuses writes.

Set-up: a hot standby of the local PostgreSQL 15 (PG_ADMIN_URL, default 127.0.0.1:5432,
superuser postgres, trust) made here with `pg_basebackup -R -X stream` into a temporary
directory and started with `pg_ctl` on a free port with its own socket directory (as the
`postgres` user via `runuser` when we are root: PostgreSQL refuses to run as root). It is
stopped and its directory removed at the end, also after a failure or SIGTERM.

The primary must accept replication connections from 127.0.0.1. If it does not (the dev
machine's pg_hba.conf has `host all all 127.0.0.1/32 trust`, and `all` does not cover
replication), this script puts the line
    host    replication     postgres        127.0.0.1/32            trust
at the top of the primary's pg_hba.conf (`SHOW hba_file`, once, marked with a comment; it is
left there) and reloads PostgreSQL. Local development only, like the trust rules of
deploy/dev-services.sh.

Then, on a fresh database (created on the primary, streamed to the replica), `helium --mode
all` with DATABASE_URL → primary and DATABASE_READ_URL → the same database on the replica:

  helium-cli init-config → start-up → staff bootstrap with helium-cli + TOTP MFA sign-in → a
  customer registers → a product on sale to the default group and an announcement for
  everyone: the anonymous catalog and the customer's feed show them once the replica caught
  up → `pg_wal_replay_pause()` on the replica → staff create a second product and a second
  announcement and rename the first product: the admin API shows all three (primary) while
  the public catalog (`GET /api/v1/products`, `/products/{id}` → 404, the old name) and the
  feed (`GET /api/v1/announcements`, `/announcements/{id}` → 404) do not — the replica has
  received that WAL but not replayed it, so these reads come from the replica; meanwhile a
  new customer registers, signs in and reads /me (primary) → `pg_wal_replay_resume()`: all
  of it appears within 10 s → the replica's pg_stat_activity has `helium-replica` sessions
  (and no `helium`), the primary's has `helium` (and no `helium-replica`) → an INSERT on the
  replica fails with "read-only transaction" → helium's log has no ERROR line.

Exit codes: 0 every check passed; 1 a check failed; 3 the replica could not be set up.
Usage: .tools/venv/bin/python deploy/tests/replica.py   (HELIUM_BIN as in harness.py;
       PG_BIN, default /usr/lib/postgresql/15/bin; KEEP_LOGS=1 keeps the logs)
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import harness as h

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PRIMARY = urlsplit(h.PG_ADMIN_URL)
PG_USER = PRIMARY.username or "postgres"
HBA_MARK = "# helium deploy/tests/replica.py: streaming replication from loopback (local development only)"
HBA_RULE = f"host    replication     {PG_USER:<15} 127.0.0.1/32            trust"
# A hot standby needs at least the primary's values of these.
COPIED = ("max_connections", "max_worker_processes", "max_wal_senders", "max_prepared_transactions",
          "max_locks_per_transaction")


def as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def replication_allowed() -> bool:
    conninfo = (f"host={PRIMARY.hostname} port={PRIMARY.port or 5432} user={PG_USER} dbname=postgres "
                "replication=true connect_timeout=5")
    out = subprocess.run(["psql", conninfo, "-X", "-A", "-t", "-c", "IDENTIFY_SYSTEM"],
                         capture_output=True, text=True, timeout=20)
    return out.returncode == 0


def ensure_replication_hba() -> None:
    if replication_allowed():
        return
    hba = Path(h.psql("SHOW hba_file"))
    text = hba.read_text()
    if HBA_RULE in text:
        raise RuntimeError(f"{hba} has {HBA_RULE!r} but replication connections are still refused")
    # pg_hba.conf is first-match: ahead of every other rule. Written in place (owner and mode stay).
    hba.write_text(f"{HBA_MARK}\n{HBA_RULE}\n{text}")
    h.log(f"added {HBA_RULE!r} to {hba}, reloading PostgreSQL")
    h.psql("SELECT pg_reload_conf()")
    h.wait_for("replication connections after the reload", replication_allowed, 15, 0.3)


class Replica:
    """A hot standby of the primary on a free port: pg_basebackup -R -X stream + pg_ctl start."""

    def __init__(self, work: Path) -> None:
        self.work, self.data, self.sock = work, work / "data", work / "sock"
        self.log_path = work / "postgresql.log"
        self.port = h.free_port()
        self.started = False
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    def _start(self) -> None:
        work = self.work
        settings = dict(line.split("|", 1) for line in h.psql(
            "SELECT name, setting FROM pg_settings WHERE name IN ("
            + ", ".join(f"'{n}'" for n in COPIED) + ")").splitlines())
        ensure_replication_hba()
        self.sock.mkdir()
        owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        if owner:
            for path in (work, self.sock):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        os.chmod(self.sock, 0o700)
        started = time.monotonic()
        h.run(as_postgres([str(PG_BIN / "pg_basebackup"), "-D", str(self.data), "-R", "-X", "stream",
                           "-c", "fast", "-h", PRIMARY.hostname or "127.0.0.1", "-p", str(PRIMARY.port or 5432),
                           "-U", PG_USER, "-w"]), timeout=300)
        size = sum(f.stat().st_size for f in self.data.rglob("*") if f.is_file())
        h.log(f"pg_basebackup: {size / 2**20:.0f} MiB in {time.monotonic() - started:.1f} s")
        # Debian keeps the configuration under /etc: the copy has none, write a standby's own.
        conf = {
            "postgresql.conf": "\n".join([
                "listen_addresses = '127.0.0.1'", f"port = {self.port}", f"unix_socket_directories = '{self.sock}'",
                "cluster_name = 'helium-deploy-replica'", "hot_standby = on", "shared_buffers = 32MB",
                "fsync = off", "logging_collector = off", "log_line_prefix = '%m [%p] %q%a@%d '",
                *(f"{name} = {value}" for name, value in settings.items()), ""]),
            "pg_hba.conf": "local all all trust\nhost all all 127.0.0.1/32 trust\n",
            "pg_ident.conf": "",
        }
        for name, text in conf.items():
            path = self.data / name
            path.write_text(text)
            os.chmod(path, 0o600)
            if owner:
                os.chown(path, owner.pw_uid, owner.pw_gid)
        assert (self.data / "standby.signal").exists(), "pg_basebackup -R wrote no standby.signal"
        self.started = True
        h.run(as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log_path),
                           "-w", "-t", "60", "start"]), timeout=90)
        h.wait_for("replica in recovery", lambda: self.sql("SELECT pg_is_in_recovery()") == "t", 30, 0.2)
        h.wait_for("replica streaming", lambda: self.sql("SELECT status FROM pg_stat_wal_receiver") == "streaming",
                   30, 0.2)
        h.log(f"hot standby on 127.0.0.1:{self.port} streaming from {PRIMARY.hostname}:{PRIMARY.port or 5432}")

    def url(self, db: str) -> str:
        return f"postgres://{PG_USER}@127.0.0.1:{self.port}/{db}"

    def sql(self, sql: str, db: str = "postgres") -> str:
        return h.psql(sql, self.url(db))

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def close(self) -> None:
        if self.started:
            ctl = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", "30", "stop"]
            for mode in ("fast", "immediate"):
                out = subprocess.run(as_postgres([*ctl, "-m", mode]), capture_output=True, text=True, timeout=60)
                if out.returncode == 0 or not (self.data / "postmaster.pid").exists():
                    break
                print(f"replica: pg_ctl stop -m {mode}: {out.stderr.strip()}", file=sys.stderr)
        if os.environ.get("KEEP_LOGS"):
            shutil.rmtree(self.data, ignore_errors=True)
        else:
            shutil.rmtree(self.work, ignore_errors=True)


# The AMQP client's own report of a connection the broker closed (e.g. 541 INTERNAL_ERROR
# from a struggling local RabbitMQ): helium reconnects; it says nothing about the database
# routing this check is about.
BROKER_CLOSED = re.compile(r"ERROR (io_loop: Connection closed .*reply_code: 541|Connection error error=(invalid channel state"
                           r"|protocol error: AMQP hard error: INTERNAL-ERROR))")


def error_lines(log: str) -> list[str]:
    """Log lines at level ERROR (plain or JSON tracing output, ANSI colours stripped), except
    the AMQP client's report of a broker-side connection failure."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", log)
    return [line for line in plain.splitlines()
            if re.search(r'^\S+\s+ERROR\b|"level"\s*:\s*"ERROR"', line) and not BROKER_CLOSED.search(line)]


def main() -> int:
    # run.sh or a CI timeout ends us with SIGTERM: still stop the replica and drop the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    checks = h.Checks("replica")
    work = Path(tempfile.mkdtemp(prefix="helium-replica-"))
    replica = db = sink = helium = None
    state: dict = {}
    try:
        try:
            replica = Replica(work)
            db, sink = h.Database("replica"), h.Sink()
            h.wait_for(f"database {db.name} on the replica", lambda: replica.sql("SELECT 1", db.name) == "1", 30, 0.2)
        except Exception as e:  # noqa: BLE001 - an environment problem, not a Helium result
            print(f"replica: cannot set up the streaming replica: {type(e).__name__}: {e}", flush=True)
            if replica:
                print(replica.output()[-3000:], flush=True)
            return 3
        prefix = f"replica-{db.name[-12:]}"
        common = {"REDIS_URL": h.REDIS_URL, "REDIS_KEY_PREFIX": f"{prefix}:", "MQ_URL": h.MQ_URL, "MQ_PREFIX": prefix,
                  "DATABASE_URL": db.url}
        read_url = replica.url(db.name)

        def api(method, path, body=None, token=None):
            return h.http(method, f"{helium.base}{path}", body, token)

        def on_replica(sql):
            return replica.sql(sql, db.name)

        def public_ids():
            return [p["id"] for p in h.expect(api("GET", "/api/v1/products?limit=100"), 200, "products")["items"]]

        def feed_ids():
            return [a["id"] for a in h.expect(api("GET", "/api/v1/announcements?limit=100", token=state["customer"]),
                                              200, "announcements")["items"]]

        def start():
            nonlocal helium
            h.run([h.HELIUM_CLI, "init-config"], common)
            h.configure_mailer(db.url, sink.port)
            helium = h.Helium("all", {**common, "DATABASE_READ_URL": read_url, "PUBLIC_URL": "https://app.helium.test"},
                              log_path=str(work / "helium.log"))
            helium.wait_ready(60)

        def staff():
            state["admin_email"] = h.unique_email("root")
            token = h.staff_bootstrap(helium.base, common, state["admin_email"])
            state["staff"] = h.staff_totp_sign_in(helium.base, state["admin_email"], token)

        def customer():
            state["customer"] = h.register_customer(helium.base, sink, h.unique_email("replica"))["access"]

        def caught_up():
            staff = state["staff"]
            state["group"] = h.default_group(helium.base, staff)
            state["product_a"] = h.create_product(helium.base, staff, "Replica plan A", state["group"])
            state["news_a"] = h.expect(api("POST", "/api/v1/admin/announcements",
                                           {"title": "Replica news A", "body": "Streamed to the replica."},
                                           token=staff), 201, "create announcement")["id"]
            h.wait_for("product A in the public catalog", lambda: state["product_a"] in public_ids(), 15, 0.2)
            h.wait_for("announcement A in the customer's feed", lambda: state["news_a"] in feed_ids(), 15, 0.2)
            body = h.expect(api("GET", f"/api/v1/products/{state['product_a']}"), 200, "product A")
            assert body["name"] == "Replica plan A", body

        def paused():
            staff = state["staff"]
            on_replica("SELECT pg_wal_replay_pause()")
            state["paused"] = True
            h.wait_for("replay paused", lambda: on_replica("SELECT pg_get_wal_replay_pause_state()") == "paused", 10, 0.1)
            product_b = state["product_b"] = h.create_product(helium.base, staff, "Replica plan B", state["group"])
            news_b = state["news_b"] = h.expect(api("POST", "/api/v1/admin/announcements",
                                                    {"title": "Replica news B", "body": "Not replayed yet."},
                                                    token=staff), 201, "create announcement")["id"]
            renamed = h.expect(api("PATCH", f"/api/v1/admin/products/{state['product_a']}",
                                   {"name": "Replica plan A, renamed"}, token=staff), 200, "rename product A")
            assert renamed["name"] == "Replica plan A, renamed", renamed
            # The replica has received these writes' WAL and not replayed it.
            lsn = h.psql("SELECT pg_current_wal_lsn()", db.url)
            h.wait_for(f"replica received WAL up to {lsn}",
                       lambda: on_replica(f"SELECT pg_last_wal_receive_lsn() >= '{lsn}'::pg_lsn") == "t", 10, 0.1)
            assert on_replica(f"SELECT pg_last_wal_replay_lsn() < '{lsn}'::pg_lsn") == "t", "replayed while paused"
            # Staff reads: the primary.
            body = h.expect(api("GET", f"/api/v1/admin/products/{product_b}", token=staff), 200, "admin product B")
            assert body["on_sale"] and body["group_ids"] == [state["group"]], body
            h.expect(api("GET", f"/api/v1/admin/announcements/{news_b}", token=staff), 200, "admin announcement B")
            body = h.expect(api("GET", f"/api/v1/admin/products/{state['product_a']}", token=staff), 200, "admin A")
            assert body["name"] == "Replica plan A, renamed", body
            # Catalog and feed: the paused replica.
            ids = public_ids()
            assert state["product_a"] in ids and product_b not in ids, f"public catalog while paused: {ids}"
            h.expect(api("GET", f"/api/v1/products/{product_b}"), 404, "product B from the paused replica")
            body = h.expect(api("GET", f"/api/v1/products/{state['product_a']}"), 200, "product A")
            assert body["name"] == "Replica plan A", f"product A from the paused replica: {body}"
            ids = feed_ids()
            assert state["news_a"] in ids and news_b not in ids, f"feed while paused: {ids}"
            h.expect(api("GET", f"/api/v1/announcements/{news_b}", token=state["customer"]), 404,
                     "announcement B from the paused replica")
            h.log("paused replica: product B, announcement B and the rename are on the primary only")

        def writes_while_paused():
            # register → complete → sign in → /me: written and read back on the primary.
            h.register_customer(helium.base, sink, h.unique_email("paused"))

        def resumed():
            on_replica("SELECT pg_wal_replay_resume()")
            state["paused"] = False
            started = time.monotonic()

            def visible():
                status, body = api("GET", f"/api/v1/products/{state['product_a']}")
                return (state["product_b"] in public_ids() and state["news_b"] in feed_ids()
                        and status == 200 and body["name"] == "Replica plan A, renamed")
            h.wait_for("product B, announcement B and the rename after resume", visible, 10, 0.1)
            h.expect(api("GET", f"/api/v1/products/{state['product_b']}"), 200, "product B after resume")
            h.expect(api("GET", f"/api/v1/announcements/{state['news_b']}", token=state["customer"]), 200,
                     "announcement B after resume")
            h.log(f"visible {time.monotonic() - started:.1f} s after pg_wal_replay_resume()")

        def sessions():
            q = f"SELECT DISTINCT application_name FROM pg_stat_activity WHERE datname = '{db.name}'"
            on_standby = set(on_replica(q).splitlines())
            on_primary = set(h.psql(q, db.url).splitlines())
            h.log(f"application_name on the replica: {sorted(on_standby)}; on the primary: {sorted(on_primary)}")
            assert "helium-replica" in on_standby and "helium" not in on_standby, on_standby
            assert "helium" in on_primary and "helium-replica" not in on_primary, on_primary

        def read_only():
            assert on_replica("SHOW transaction_read_only") == "on"
            try:
                on_replica("INSERT INTO application__config (key, value) VALUES ('replica-check', '{}'::jsonb)")
            except RuntimeError as e:
                assert "read-only transaction" in str(e), e
                h.log(f"replica: {str(e).split(': ', 1)[-1]}")
                return
            raise AssertionError("an INSERT on the replica succeeded")

        def clean_log():
            lines = error_lines(helium.output())
            assert not lines, f"{len(lines)} ERROR line(s) in helium's log:\n" + "\n".join(lines[:20])

        # (name, flow, the flows it needs)
        flows = [("helium --mode all with DATABASE_READ_URL → the replica", start, []),
                 ("staff bootstrap via helium-cli, TOTP MFA sign-in", staff, ["start"]),
                 ("a customer registers and signs in", customer, ["start"]),
                 ("product and announcement served once the replica caught up", caught_up, ["staff", "customer"]),
                 ("replay paused: admin reads see new writes, catalog and feed do not", paused, ["caught_up"]),
                 ("writes while the replica is paused: register, sign in, /me", writes_while_paused, ["paused"]),
                 ("replay resumed: the writes reach catalog and feed", resumed, ["paused"]),
                 ("sessions: helium-replica on the replica, helium on the primary", sessions, ["caught_up"]),
                 ("the replica refuses writes", read_only, []),
                 ("no ERROR in helium's log", clean_log, ["start"])]
        checks.run_flows(flows)
    finally:
        if replica and state.get("paused"):
            try:
                replica.sql("SELECT pg_wal_replay_resume()")
            except Exception:  # noqa: BLE001 - it is stopped next anyway
                pass
        if helium:
            helium.close()
        if replica:
            replica.close()
        if sink:
            sink.close()
        if db:
            db.close()
        if os.environ.get("KEEP_LOGS"):
            print(f"    logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
