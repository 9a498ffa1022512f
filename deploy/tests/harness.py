"""Shared pieces of the deploy-level tests (deploy/tests/*.py): throw-away databases, the
SMTP sink, `helium` processes on free ports, HTTP calls, e-mailed links and TOTP codes, staff
bootstrap (helium-cli, then a TOTP sign-in) and a product on sale through the admin API.

Everything runs against the machine's PostgreSQL, Redis and RabbitMQ, isolated per run: a
fresh database, a unique REDIS_KEY_PREFIX and MQ_PREFIX, free ports. Every wait is bounded.

Environment: HELIUM_BIN / HELIUM_CLI (default target/debug/helium, helium-cli), PG_ADMIN_URL
(default postgres://postgres@127.0.0.1:5432/postgres), REDIS_URL, MQ_URL.
"""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HELIUM = os.environ.get("HELIUM_BIN") or str(REPO / "target/debug/helium")
HELIUM_CLI = os.environ.get("HELIUM_CLI") or str(Path(HELIUM).with_name("helium-cli"))
PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
MQ_URL = os.environ.get("MQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2f")
PYTHON = sys.executable
# The integration tests' SMTP sink (its location moved once; take whichever exists).
SINK = next((p for p in (REPO / "api/tests/it/support/smtp_sink.py", REPO / "api/tests/support/smtp_sink.py")
             if p.exists()), REPO / "api/tests/it/support/smtp_sink.py")
PASSWORD = "Correct-Horse-7-Battery"


def log(msg: str) -> None:
    print(f"    {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def url_with_db(admin: str, db: str) -> str:
    return admin.rsplit("/", 1)[0] + "/" + db


def psql(sql: str, url: str = PG_ADMIN_URL) -> str:
    out = subprocess.run(
        ["psql", url, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql],
        capture_output=True, text=True, timeout=60,
    )
    if out.returncode != 0:
        raise RuntimeError(f"psql {sql!r}: {out.stderr.strip()}")
    return out.stdout.strip()


class Database:
    """A database created now and dropped (forcefully) on close."""

    def __init__(self, tag: str) -> None:
        self.name = f"helium_deploy_{tag}_{uuid.uuid4().hex[:12]}"
        psql(f'CREATE DATABASE "{self.name}"')
        self.url = url_with_db(PG_ADMIN_URL, self.name)

    def close(self) -> None:
        try:
            psql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        except Exception as e:  # noqa: BLE001 - cleanup must not mask the test outcome
            print(f"could not drop {self.name}: {e}", file=sys.stderr)


def wait_for(what: str, check, timeout: float = 30.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 - keep polling, report the last error
            last = e
        time.sleep(interval)
    raise AssertionError(f"{what}: not within {timeout:.0f} s (last error: {last})")


class Sink:
    """The integration tests' smtp_sink.py on a free port; messages land as <n>.eml in `dir`."""

    def __init__(self, directory: str | None = None, port: int | None = None) -> None:
        self.dir = Path(directory or tempfile.mkdtemp(prefix="helium-mail-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.proc = subprocess.Popen(
            [PYTHON, str(SINK), "--port", str(self.port), "--dir", str(self.dir)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        line = self.proc.stdout.readline().strip() if self.proc.stdout else ""
        assert line == "READY", f"SMTP sink did not start ({line!r})"

    def messages(self) -> list[email.message.EmailMessage]:
        files = sorted((p for p in self.dir.glob("*.eml") if p.stem.isdigit()), key=lambda p: int(p.stem))
        return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in files]

    def wait_for(self, n: int, timeout: float = 40.0) -> list[email.message.EmailMessage]:
        return wait_for(f"{n} mail(s) in {self.dir}", lambda: (m := self.messages()) and len(m) >= n and m, timeout)

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def mail_text(msg: email.message.EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part else ""


def link_token(msg: email.message.EmailMessage, path: str) -> str:
    m = re.search(re.escape(path) + r"\?token=([A-Za-z0-9_-]+)", mail_text(msg))
    assert m, f"no {path} link in:\n{mail_text(msg)}"
    return m.group(1)


def configure_mailer(db_url: str, port: int) -> None:
    """Points the mailer at the local sink (plain SMTP, no auth)."""
    doc = json.dumps({"host": "127.0.0.1", "port": port, "username": "", "password": "", "starttls": False})
    done = psql(
        "UPDATE application__config SET value = value || '" + doc + "'::jsonb, version = version + 1, "
        "updated_at = now() WHERE key = 'mailer' RETURNING key",
        db_url,
    )
    assert done == "mailer", "mailer configuration missing (run helium-cli init-config first)"


def run(cmd: list[str], env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    out = subprocess.run(cmd, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {out.returncode}:\n{out.stdout}\n{out.stderr}")
    return out


class Helium:
    """A `helium` server process on free ports; SIGTERM on close."""

    def __init__(self, mode: str, env: dict, log_path: str | None = None) -> None:
        self.http_port, self.grpc_port, self.health_port = free_port(), free_port(), free_port()
        self.env = {
            "REDIS_URL": REDIS_URL,
            "MQ_URL": MQ_URL,
            "LISTEN_ADDR": f"127.0.0.1:{self.http_port}",
            "GRPC_LISTEN_ADDR": f"127.0.0.1:{self.grpc_port}",
            "HEALTH_LISTEN_ADDR": f"127.0.0.1:{self.health_port}",
            "RUST_LOG": "info",
            **env,
        }
        self.log_path = log_path or tempfile.mktemp(prefix=f"helium-{mode}-", suffix=".log")
        self.log_file = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [HELIUM, "--mode", mode], env={**os.environ, **self.env},
            stdout=self.log_file, stderr=subprocess.STDOUT,
        )
        self.base = f"http://127.0.0.1:{self.http_port}"

    def output(self) -> str:
        return Path(self.log_path).read_text(errors="replace")

    def health(self, path: str) -> tuple[int, object]:
        return http("GET", f"http://127.0.0.1:{self.health_port}{path}")

    def wait_ready(self, timeout: float = 60) -> None:
        def ready():
            assert self.proc.poll() is None, f"helium exited {self.proc.returncode}:\n{self.output()[-4000:]}"
            return self.health("/readyz")[0] == 200
        wait_for("helium /readyz 200", ready, timeout, 0.2)

    def close(self) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log_file.close()
        return self.proc.returncode


def http(method: str, url: str, body=None, token: str | None = None, timeout: float = 15) -> tuple[int, object]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("user-agent", "helium-deploy-tests")
    if data is not None:
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            status, raw = res.status, res.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")


def expect(result: tuple[int, object], status: int, what: str):
    got, body = result
    assert got == status, f"{what}: expected {status}, got {got}: {body}"
    return body


def totp(secret_b32: str, step: int) -> str:
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def now_step() -> int:
    return int(time.time()) // 30


def register_customer(base: str, sink: Sink, address: str, password: str = PASSWORD) -> dict:
    """register → link from the sink → complete → sign in → /me. Returns tokens and id."""
    before = len(sink.messages())
    expect(http("POST", f"{base}/api/v1/auth/register", {"email": address}), 202, "register")
    mail = sink.wait_for(before + 1)[before]
    assert address in str(mail["To"]), f"mail to {mail['To']}, expected {address}"
    token = link_token(mail, "register/complete")
    done = expect(http("POST", f"{base}/api/v1/auth/register/complete", {"token": token, "password": password}),
                  201, "register/complete")
    user_id = done["account"]["id"]
    signed = expect(http("POST", f"{base}/api/v1/auth/login", {"email": address, "password": password}), 200, "login")
    access = signed["access_token"]
    me = expect(http("GET", f"{base}/api/v1/me", token=access), 200, "/me")
    assert me["id"] == user_id, me
    return {"id": user_id, "access": access, "refresh": signed["refresh_token"], "link_token": token}


def unique_email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.test"


def staff_bootstrap(base: str, cli_env: dict, address: str, role: str = "super_admin", name: str = "Root") -> str:
    """`helium-cli admin create` (with `cli_env`, e.g. its DATABASE_URL) → the printed setup
    link → set a password → staff sign-in → /admin/me. Returns the staff access token."""
    out = run([HELIUM_CLI, "admin", "create", "--name", name, "--role", role, "--email", address], cli_env).stdout
    token = re.search(r"setup\?token=([A-Za-z0-9_-]+)", out)
    assert token, out
    status, body = http("POST", f"{base}/api/v1/admin/auth/setup", {"token": token.group(1), "password": PASSWORD})
    assert status in (200, 201, 204), f"admin setup: {status} {body}"
    body = expect(http("POST", f"{base}/api/v1/admin/auth/login", {"email": address, "password": PASSWORD}),
                  200, "admin login")
    access = body["access_token"]
    expect(http("GET", f"{base}/api/v1/admin/me", token=access), 200, "admin /me")
    return access


def staff_totp_sign_in(base: str, address: str, access: str) -> str:
    """Turns TOTP on for a signed-in staff member, then signs in again with password + code
    (waits for the next 30 s step: the enabling step is spent). Returns the new access token."""
    secret = expect(http("POST", f"{base}/api/v1/admin/auth/mfa/totp/setup", token=access), 200, "totp setup")["secret"]
    step = now_step()
    expect(http("POST", f"{base}/api/v1/admin/auth/mfa/totp/enable", {"code": totp(secret, step)}, token=access),
           200, "totp enable")
    challenge = expect(http("POST", f"{base}/api/v1/admin/auth/login", {"email": address, "password": PASSWORD}),
                       200, "admin login")
    assert challenge.get("mfa_token"), challenge
    # The enabling step is spent and codes from future steps are refused: wait for the next step.
    time.sleep(max(0.0, (step + 1) * 30 - time.time()) + 0.2)
    status, body = http("POST", f"{base}/api/v1/admin/auth/login/mfa",
                        {"mfa_token": challenge["mfa_token"], "code": totp(secret, step + 1)})
    assert status == 200, f"MFA sign-in: {status} {body}"
    return body["access_token"]


def default_group(base: str, staff: str) -> str:
    groups = expect(http("GET", f"{base}/api/v1/admin/groups", token=staff), 200, "groups")["items"]
    default = next((g["id"] for g in groups if g["is_default"]), None)
    assert default, f"no default group: {groups}"
    return default


def create_product(base: str, staff: str, name: str, group: str, price: int = 500) -> str:
    """A package series, a published version (10 GiB, 30 days, 100 Mbit/s, 3 devices) and a
    product on sale to `group`, through the admin API. Returns the product id."""
    series = expect(http("POST", f"{base}/api/v1/admin/package-series", {"name": name}, token=staff),
                    201, "create package series")["id"]
    version = expect(http("POST", f"{base}/api/v1/admin/package-series/{series}/versions",
                          {"traffic_bytes": 10 * 2**30, "duration_days": 30, "speed_limit_mbps": 100,
                           "device_limit": 3, "traffic_reset": "none", "group_ids": [group]},
                          token=staff), 201, "create package version")["id"]
    expect(http("POST", f"{base}/api/v1/admin/package-series/{series}/versions/{version}/publish", token=staff),
           200, "publish package version")
    return expect(http("POST", f"{base}/api/v1/admin/products",
                       {"name": name, "price": price, "package_series_id": series, "group_ids": [group],
                        "on_sale": True}, token=staff), 201, "create product")["id"]


class Checks:
    """Runs named checks, prints each outcome and a closing `N passed, N failed` line."""

    def __init__(self, title: str) -> None:
        self.title, self.passed, self.failed = title, 0, []

    def run(self, name: str, fn) -> bool:
        started = time.monotonic()
        print(f"::: {self.title}: {name}", flush=True)
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - every failure is reported, then the next check runs
            self.failed.append(name)
            print(f"    FAILED ({time.monotonic() - started:.1f} s): {type(e).__name__}: {e}", flush=True)
            return False
        self.passed += 1
        print(f"    ok ({time.monotonic() - started:.1f} s)", flush=True)
        return True

    def run_flows(self, flows) -> None:
        """Runs (name, fn, needs) in order: a flow whose prerequisite (a function name in
        `needs`) did not pass is reported as skipped, and counts as failed."""
        done: set[str] = set()
        for name, fn, needs in flows:
            missing = [n for n in needs if n not in done]
            if missing:
                print(f"::: {self.title}: {name}\n    skipped (needs {', '.join(missing)})", flush=True)
                self.failed.append(name)
            elif self.run(name, fn):
                done.add(fn.__name__)

    def finish(self, tally: bool = True) -> int:
        """`tally=False` words the summary so no test-log reader takes it for a closing
        `N passed, N failed` line (for a run whose failures are expected)."""
        total = self.passed + len(self.failed)
        if tally:
            print(f"{self.title}: {self.passed} passed, {len(self.failed)} failed", flush=True)
        else:
            print(f"{self.title}: {self.passed} of {total} flows passed", flush=True)
        if self.failed:
            print(f"{self.title}: failed: {', '.join(self.failed)}", flush=True)
        return 1 if self.failed else 0
