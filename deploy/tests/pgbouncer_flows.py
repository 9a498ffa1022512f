"""Helium behind PgBouncer in transaction mode (Debian's pgbouncer, started here on a free
port in front of the local PostgreSQL): `helium --mode all` with DATABASE_URL through the
pooler and DATABASE_STATEMENT_CACHE=0, the cron leader and start-up migrations on the direct
CRON_DATABASE_URL, `helium-cli` through the pooler too. Drives the core flows; each is
reported on its own, a flow whose prerequisite failed is reported as skipped:

  helium-cli init-config → start-up → register (link from the SMTP sink) → complete → sign in
  → /me → staff bootstrap with helium-cli (setup link, password, sign-in) → TOTP on and MFA
  sign-in → ban the customer (their token dies, their sign-in is refused).

Then it counts PostgreSQL/PgBouncer errors in the logs (e.g. `prepared statement "sqlx_s_N"
already exists`). Exit codes: 0 every flow passed; 10 flows failed and the logs show the
known named-prepared-statement clash; 1 flows failed otherwise; 3 the harness itself could
not start (pgbouncer, database, sink).

Usage: deploy/tests/pgbouncer_flows.sh  (installs pgbouncer and the venv, builds, runs this)
       KEEP_LOGS=1 keeps the helium and pgbouncer logs and prints where.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import harness as h

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


class PgBouncer:
    """pgbouncer -u postgres, transaction pooling, trust auth, on a free port."""

    def __init__(self, workdir: Path) -> None:
        self.port = h.free_port()
        self.dir = workdir
        self.log = workdir / "pgbouncer.log"
        (workdir / "userlist.txt").write_text('"postgres" ""\n')
        (workdir / "pgbouncer.ini").write_text(f"""
[databases]
* = host=127.0.0.1 port=5432

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {workdir}/userlist.txt
pool_mode = transaction
max_client_conn = 200
default_pool_size = 10
ignore_startup_parameters = extra_float_digits,search_path
logfile = {self.log}
pidfile = {workdir}/pgbouncer.pid
admin_users = postgres
""")
        os.chmod(workdir, 0o777)
        for f in workdir.iterdir():
            os.chmod(f, 0o666)
        cmd = [PGBOUNCER, "-d", str(workdir / "pgbouncer.ini")]
        if os.geteuid() == 0:
            cmd[1:1] = ["-u", "postgres"]  # pgbouncer refuses to run as root
        subprocess.run(cmd, check=True, timeout=30, capture_output=True)
        h.wait_for("pgbouncer accepting", lambda: h.psql("SELECT 1", self.url("postgres")) == "1", 20, 0.2)

    def url(self, db: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def close(self) -> None:
        pid_file = self.dir / "pgbouncer.pid"
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text().strip()), 15)
            except (ProcessLookupError, ValueError):
                pass


def main() -> int:
    checks = h.Checks("pgbouncer")
    work = Path(tempfile.mkdtemp(prefix="helium-pgbouncer-"))
    db, sink = h.Database("pgbouncer"), h.Sink()
    bouncer = None
    procs: dict = {}
    state: dict = {}
    symptom = 0
    try:
        try:
            bouncer = PgBouncer(work)
        except Exception as e:  # noqa: BLE001 - an environment problem, not a Helium result
            print(f"pgbouncer: cannot start PgBouncer: {e}", flush=True)
            return 3
        pooled, direct = bouncer.url(db.name), db.url
        prefix = f"pgb-{db.name[-12:]}"
        common = {"DATABASE_STATEMENT_CACHE": "0", "CRON_DATABASE_URL": direct,
                  "REDIS_URL": h.REDIS_URL, "REDIS_KEY_PREFIX": f"{prefix}:", "MQ_URL": h.MQ_URL, "MQ_PREFIX": prefix}

        def init_config():
            try:
                h.run([h.HELIUM_CLI, "init-config"], {**common, "DATABASE_URL": pooled})
            finally:
                # Later flows still run if this failed: finish the job over the direct URL.
                h.run([h.HELIUM_CLI, "init-config"], {**common, "DATABASE_URL": direct})
                h.configure_mailer(direct, sink.port)

        def start():
            # Migrations run over CRON_DATABASE_URL (direct); everything else through the pooler.
            procs["helium"] = h.Helium("all", {**common, "DATABASE_URL": pooled, "SCAN_INTERVAL": "2",
                                               "PUBLIC_URL": "https://app.helium.test"},
                                       log_path=str(work / "helium.log"))
            procs["helium"].wait_ready(60)

        def api(method, path, body=None, token=None):
            return h.http(method, f"{procs['helium'].base}{path}", body, token)

        def register():
            state["email"] = h.unique_email("pgb")
            h.expect(api("POST", "/api/v1/auth/register", {"email": state["email"]}), 202, "register")
            state["token"] = h.link_token(sink.wait_for(1)[0], "register/complete")

        def complete():
            body = h.expect(api("POST", "/api/v1/auth/register/complete",
                                {"token": state["token"], "password": h.PASSWORD}), 201, "complete")
            state["id"] = body["account"]["id"]

        def sign_in():
            body = h.expect(api("POST", "/api/v1/auth/login", {"email": state["email"], "password": h.PASSWORD}),
                            200, "login")
            state["access"] = body["access_token"]

        def me():
            assert h.expect(api("GET", "/api/v1/me", token=state["access"]), 200, "/me")["id"] == state["id"]

        def staff_bootstrap():
            state["admin_email"] = h.unique_email("root")
            out = h.run([h.HELIUM_CLI, "admin", "create", "--name", "Root", "--role", "super_admin",
                         "--email", state["admin_email"]], {**common, "DATABASE_URL": pooled}).stdout
            token = re.search(r"setup\?token=([A-Za-z0-9_-]+)", out)
            assert token, out
            status, body = api("POST", "/api/v1/admin/auth/setup", {"token": token.group(1), "password": h.PASSWORD})
            assert status in (200, 201, 204), f"admin setup: {status} {body}"
            body = h.expect(api("POST", "/api/v1/admin/auth/login",
                                {"email": state["admin_email"], "password": h.PASSWORD}), 200, "admin login")
            state["staff"] = body["access_token"]
            h.expect(api("GET", "/api/v1/admin/me", token=state["staff"]), 200, "admin /me")

        def staff_mfa():
            secret = h.expect(api("POST", "/api/v1/admin/auth/mfa/totp/setup", token=state["staff"]),
                              200, "totp setup")["secret"]
            step = h.now_step()
            h.expect(api("POST", "/api/v1/admin/auth/mfa/totp/enable", {"code": h.totp(secret, step)},
                         token=state["staff"]), 200, "totp enable")
            challenge = h.expect(api("POST", "/api/v1/admin/auth/login",
                                     {"email": state["admin_email"], "password": h.PASSWORD}), 200, "admin login")
            assert challenge.get("mfa_token"), challenge
            # The enabling step is spent and codes from future steps are refused: wait for the next step.
            time.sleep(max(0.0, (step + 1) * 30 - time.time()) + 0.2)
            status, body = api("POST", "/api/v1/admin/auth/login/mfa",
                               {"mfa_token": challenge["mfa_token"], "code": h.totp(secret, step + 1)})
            if status == 200:
                state["staff"] = body["access_token"]
                return
            raise AssertionError(f"MFA sign-in: {status} {body}")

        def ban():
            h.expect(api("POST", f"/api/v1/admin/customers/{state['id']}/ban", {"reason": "pgbouncer check"},
                         token=state["staff"]), 200, "ban")
            status, _ = api("GET", "/api/v1/me", token=state["access"])
            assert status in (401, 403), f"the banned customer's token still works ({status})"
            h.expect(api("POST", "/api/v1/auth/login", {"email": state["email"], "password": h.PASSWORD}),
                     403, "banned sign-in")

        # (name, flow, the flows it needs)
        flows = [("helium-cli init-config through the pooler", init_config, []),
                 ("helium --mode all starts through the pooler (migrations on CRON_DATABASE_URL)", start, []),
                 ("register: link arrives by e-mail", register, ["start"]),
                 ("complete registration", complete, ["register"]),
                 ("sign in", sign_in, ["complete"]), ("/me", me, ["sign_in"]),
                 ("staff bootstrap via helium-cli", staff_bootstrap, ["start"]),
                 ("staff TOTP and MFA sign-in", staff_mfa, ["staff_bootstrap"]),
                 ("ban the customer", ban, ["staff_mfa", "sign_in"])]
        done: set[str] = set()
        for name, fn, needs in flows:
            missing = [n for n in needs if n not in done]
            if missing:
                print(f"::: pgbouncer: {name}\n    skipped (needs {', '.join(missing)})", flush=True)
                checks.failed.append(name)
            elif checks.run(name, fn):
                done.add(fn.__name__)
    finally:
        if "helium" in procs:
            procs["helium"].close()
        logs = ""
        for f in (work / "helium.log", work / "pgbouncer.log"):
            if f.exists():
                logs += f.read_text(errors="replace")
        for pattern in ('prepared statement "sqlx_s_', "unsupported startup parameter", "server conn crashed"):
            n = logs.count(pattern)
            if n:
                print(f"    log: {n} x {pattern!r}")
        symptom = logs.count('prepared statement "sqlx_s_')
        if bouncer:
            bouncer.close()
        sink.close()
        db.close()
        if os.environ.get("KEEP_LOGS"):
            print(f"    logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    code = checks.finish(tally=False)
    if code and symptom:
        print('pgbouncer: failures come with the known `prepared statement "sqlx_s_N" already exists` clash')
        return 10
    return code


if __name__ == "__main__":
    sys.exit(main())
