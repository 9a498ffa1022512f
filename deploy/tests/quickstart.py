"""The quick start as a newcomer runs it, on a fresh database: `deploy/quickstart.sh` starts
the mail catcher and helium and prints where mail lands, the SuperAdmin command and the
admin URL; a customer registers with the link read from the caught mail and signs in; the
printed SuperAdmin command works. Then the backup runbook: `pg_dump -Fc` of that database,
`pg_restore` into a fresh one, helium on the restored copy, and the customer signs in.

Usage: .tools/venv/bin/python deploy/tests/quickstart.py   (debug build in target/debug)
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import harness as h


def quickstart_then_restore() -> None:
    db = h.Database("quickstart")
    restored = None
    mail_dir = Path(tempfile.mkdtemp(prefix="helium-qs-mail-"))
    http_port, grpc_port, health_port, smtp_port = (h.free_port() for _ in range(4))
    prefix = f"qs-{db.name[-12:]}"
    env = {**os.environ,
           "QUICKSTART_BUILD": "none", "HELIUM_BIN_DIR": str(Path(h.HELIUM).parent),
           "HELIUM_QUICKSTART_DATABASE_URL": db.url, "HELIUM_MAIL_DIR": str(mail_dir),
           "QUICKSTART_SMTP_PORT": str(smtp_port), "LISTEN_ADDR": f"127.0.0.1:{http_port}",
           "GRPC_LISTEN_ADDR": f"127.0.0.1:{grpc_port}", "HEALTH_CHECK_PORT": str(health_port),
           "REDIS_KEY_PREFIX": f"{prefix}:", "MQ_PREFIX": prefix, "PUBLIC_URL": "http://localhost:8080"}
    log = tempfile.NamedTemporaryFile(prefix="helium-qs-", suffix=".log", delete=False)
    qs = subprocess.Popen([str(h.REPO / "deploy/quickstart.sh")], env=env, stdout=log, stderr=subprocess.STDOUT,
                          start_new_session=True)
    out = lambda: Path(log.name).read_text(errors="replace")  # noqa: E731
    helium = None
    try:
        base = f"http://127.0.0.1:{http_port}"
        h.wait_for("quick start ready", lambda: (qs.poll() is None or (_ for _ in ()).throw(
            AssertionError(f"quickstart exited {qs.returncode}:\n{out()[-3000:]}")))
            and h.http("GET", f"http://127.0.0.1:{health_port}/readyz")[0] == 200, 120, 0.3)
        text = out()
        assert f"every e-mail is saved in {mail_dir}" in text, text[-2000:]
        assert "Admin web app:" in text and "point to http://localhost:8080/admin" in text, text[-2000:]
        command = re.search(r"^  (DATABASE_URL='[^']+' \S+/helium-cli admin create .+)$", text, re.M)
        assert command, text[-2000:]

        sink = h.Sink.__new__(h.Sink)  # read the quick start's catcher directory
        sink.dir = mail_dir
        email = h.unique_email("newcomer")
        customer = h.register_customer(base, sink, email)
        h.log(f"registered {email} from {len(sink.messages())} caught mail(s)")

        admin = subprocess.run(["bash", "-c", command.group(1)], capture_output=True, text=True, timeout=60,
                               env={**os.environ, "REDIS_KEY_PREFIX": f"{prefix}:"})
        assert admin.returncode == 0 and re.search(r"/admin/setup\?token=", admin.stdout), admin.stdout + admin.stderr

        # Backup and restore (deploy/RUNBOOK.md): custom-format dump, restore into a new database.
        dump = Path(tempfile.mkdtemp(prefix="helium-dump-")) / "helium.dump"
        h.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), db.url])
        restored = h.Database("restored")
        h.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", restored.url, str(dump)])
        helium = h.Helium("api", {"DATABASE_URL": restored.url, "REDIS_KEY_PREFIX": f"{prefix}-r:",
                                  "MQ_PREFIX": f"{prefix}-r"})
        helium.wait_ready()
        signed = h.expect(h.http("POST", f"{helium.base}/api/v1/auth/login", {"email": email, "password": h.PASSWORD}),
                          200, "sign-in on the restored database")
        me = h.expect(h.http("GET", f"{helium.base}/api/v1/me", token=signed["access_token"]), 200, "/me restored")
        assert me["id"] == customer["id"], me
        h.log(f"pg_dump {dump.stat().st_size} bytes → pg_restore → sign-in ok")
    finally:
        if helium:
            helium.close()
        if qs.poll() is None:
            os.killpg(qs.pid, signal.SIGTERM)
            try:
                qs.wait(40)
            except subprocess.TimeoutExpired:
                os.killpg(qs.pid, signal.SIGKILL)
        time.sleep(0.2)
        if restored:
            restored.close()
        db.close()


def cli_statement_cache() -> None:
    """helium-cli reads DATABASE_STATEMENT_CACHE like the server (it used to hard-code 100)."""
    db = h.Database("clicache")
    try:
        env = {**os.environ, "DATABASE_URL": db.url, "REDIS_URL": h.REDIS_URL, "REDIS_KEY_PREFIX": f"cli-{db.name[-8:]}:"}
        bad = subprocess.run([h.HELIUM_CLI, "init-config"], env={**env, "DATABASE_STATEMENT_CACHE": "lots"},
                             capture_output=True, text=True, timeout=60)
        assert bad.returncode == 2 and "DATABASE_STATEMENT_CACHE" in bad.stderr, (bad.returncode, bad.stderr)
        ok = subprocess.run([h.HELIUM_CLI, "init-config"], env={**env, "DATABASE_STATEMENT_CACHE": "0"},
                            capture_output=True, text=True, timeout=60)
        assert ok.returncode == 0, ok.stdout + ok.stderr
    finally:
        db.close()


def compose_mailpit_statement() -> None:
    """compose.yaml's `mail-to-mailpit` statement runs against a real schema, switches the
    default mailer to mailpit:1025, and leaves a configured one alone."""
    import yaml
    compose = yaml.safe_load((h.REPO / "deploy/compose.yaml").read_text())
    sql = compose["services"]["mail-to-mailpit"]["command"][-1].removeprefix("--command=")
    db = h.Database("compose")
    try:
        env = {"DATABASE_URL": db.url, "REDIS_URL": h.REDIS_URL, "REDIS_KEY_PREFIX": f"cmp-{db.name[-8:]}:"}
        h.run([h.HELIUM_CLI, "init-config"], env)
        h.psql(sql, db.url)
        mailer = h.psql("SELECT value->>'host' || ':' || (value->>'port') || ':' || (value->>'starttls') "
                        "FROM application__config WHERE key = 'mailer'", db.url)
        assert mailer == "mailpit:1025:false", mailer
        h.psql("UPDATE application__config SET value = value || '{\"host\":\"smtp.example.com\",\"port\":587}'::jsonb "
               "WHERE key = 'mailer'", db.url)
        h.psql(sql, db.url)
        assert h.psql("SELECT value->>'host' FROM application__config WHERE key = 'mailer'", db.url) == "smtp.example.com"
    finally:
        db.close()


def main() -> int:
    checks = h.Checks("quickstart")
    checks.run("quick start on a fresh database: caught mail completes a registration; pg_dump/pg_restore round trip",
               quickstart_then_restore)
    checks.run("helium-cli honours DATABASE_STATEMENT_CACHE", cli_statement_cache)
    checks.run("compose's mail-to-mailpit statement switches only the default mailer", compose_mailpit_statement)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
