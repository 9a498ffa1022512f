"""Schemathesis against the committed OpenAPI document (openapi/openapi.json) on a live
`helium --mode all` with a fresh database: three runs, each with the checks
not_a_server_error, status_code_conformance, response_schema_conformance and
content_type_conformance, and 0 failures wanted:

  anonymous   no credentials (every protected operation must answer a documented 401/403)
  customer    Authorization: Bearer <customer access token> (registered with its e-mail's link,
              opened from the outbox with the server's data key)
  admin       Authorization: Bearer <SuperAdmin access token>, signed in with password + TOTP

Before any fuzzing the harness makes both identities and seeds real data through the API
(`seed`: a product on sale, a payment method, a coupon, gift cards, a wallet deposit, paid and
unpaid orders...), so 2xx answers carry filled objects for response_schema_conformance and
the fuzzer finds real ids. Every operation is fuzzed, none is left out:

  * Operations that end the caller's own session (SESSION_ENDERS) run after the rest of that
    identity's run, with a fresh token: run earlier they would turn the remaining cases into
    401s (documented, so no failure, but no test either). After each run the harness checks
    the identity's token still works and fails the run when another operation ended it.
  * The admin run goes last: its writes (bans, session revocations, group changes found via
    the fuzzer's resource pool) must not change what the anonymous and customer runs see.
  * Per-client-address caps on mail sends and sign-ups (not lifted by RATE_LIMIT_*) are
    spread with an X-Forwarded-For per request (schemathesis_hooks.py); the server trusts
    127.0.0.1 as its proxy, and every RATE_LIMIT_* class is raised so nothing throttles.

Examples per operation are bounded (SCHEMATHESIS_MAX_EXAMPLES, default 20) to keep the
three runs within about 5 minutes on 2 cores; SCHEMATHESIS_SEED repeats a run's inputs
(otherwise a random seed, printed). Each failure is printed with a curl reproduction
(tokens filtered), and a list of distinct failures per run closes the output. Reports
(JUnit, NDJSON) and the server log land in SCHEMATHESIS_REPORT_DIR or a temporary directory.

Usage: .tools/venv/bin/python deploy/tests/schemathesis_run.py [anonymous|customer|admin ...]
       (HELIUM_BIN/HELIUM_CLI as for the other deploy checks; `schemathesis` from the same venv)
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import harness as h
from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_decrypt

SPEC = h.REPO / "openapi/openapi.json"
HOOKS = Path(__file__).with_name("schemathesis_hooks.py")
SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance"
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "20"))
SEED = int(os.environ.get("SCHEMATHESIS_SEED") or random.randrange(2**31))
ADMIN_PASSWORD = "Staff-Correct-Horse-9-Battery"

# Operations that end the caller's own session, run last with a token of their own: once one
# succeeds every later request of that identity is a 401 (documented, so no failure, but no
# test either). They are fuzzed all the same: the first case may end the session, the rest
# then check the documented 401. (logoutAll also ends the customer's other sessions; the
# customer's own revokeSession can reach the current session through the resource pool.)
SESSION_ENDERS = {
    "customer": ["logout", "logoutAll", "revokeSession"],
    "admin": ["adminLogout"],
    "anonymous": [],
}


def operation_filter(ids: list[str]) -> str:
    return "^(" + "|".join(re.escape(i) for i in ids) + ")$"


class Server:
    """helium --mode all on a fresh database, its mailer delivering to the SMTP sink; on a
    failure to start, everything made so far is closed again."""

    def __init__(self) -> None:
        self.db, self.sink, self.helium = h.Database("schemathesis"), None, None
        self.prefix = f"st-{self.db.name[-12:]}"
        try:
            self.sink = h.Sink()
            self.key = base64.b64encode(secrets.token_bytes(32)).decode()
            self.env = {"DATABASE_URL": self.db.url, "REDIS_URL": h.REDIS_URL, "REDIS_KEY_PREFIX": f"{self.prefix}:",
                        "MQ_URL": h.MQ_URL, "MQ_PREFIX": self.prefix, "DATA_ENCRYPTION_KEY": self.key}
            limits = {f"RATE_LIMIT_{c}": "100000000/60" for c in ("AUTH", "READ", "WRITE", "PUBLIC_READ", "WEBHOOK")}
            self.helium = h.Helium("all", {**self.env, **limits, "PUBLIC_URL": "https://app.helium.test",
                                           "TRUSTED_PROXIES": "127.0.0.1", "RUST_LOG": "warn", "NO_COLOR": "1"})
            deadline = time.monotonic() + 90  # not harness.wait_ready: it waits out the 90 s after an exit
            while True:
                if self.helium.proc.poll() is not None:
                    raise AssertionError(f"helium exited {self.helium.proc.returncode} before it was ready")
                try:
                    if self.helium.health("/readyz")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, "helium not ready within 90 s"
                time.sleep(0.2)
            self.base = self.helium.base
            # Mail the fuzzer causes goes to the sink (the server picks the change up within
            # 5 s); the harness itself reads its links from the outbox (`link`).
            h.configure_mailer(self.db.url, self.sink.port)
        except BaseException:
            if self.helium:
                print(f"helium output:\n{self.helium.output()[-3000:]}", flush=True)
            self.close()
            raise

    def link(self, address: str) -> str:
        """The link of the newest e-mail to `address`, from its `email.requested` event in the
        outbox, opened with the server's data key as the mailer does (deploy/tools/sealed_mail.py)."""
        quoted = address.replace("'", "''")
        row = h.psql("SELECT id || ' ' || payload::text FROM outbox WHERE event_type = 'email.requested' "
                     f"AND payload->>'to' = '{quoted}' ORDER BY occurred_at DESC LIMIT 1", self.db.url)
        assert row, f"no e-mail to {address} in the outbox"
        event_id, payload = row.split(" ", 1)
        payload = json.loads(payload)
        context = dict(payload.get("context") or {})
        if payload.get("sealed"):
            text = payload["sealed"].removeprefix("v1.")
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            plain = crypto_aead_xchacha20poly1305_ietf_decrypt(raw[24:], uuid.UUID(event_id).bytes, raw[:24],
                                                               base64.b64decode(self.key))
            context.update(json.loads(plain))
        return context["link"]

    def api(self, method: str, path: str, body=None, token: str | None = None):
        return h.http(method, f"{self.base}{path}", body, token, timeout=60)

    def close(self) -> None:
        if self.helium:
            self.helium.close()
        if self.sink:
            self.sink.close()
        self.db.close()
        # Best effort, as the SDK harness does: the run's Redis keys (a few thousand after the
        # fuzzer). Its RabbitMQ queues stay, like those of the other deploy checks.
        try:
            keys = subprocess.run(["redis-cli", "-u", h.REDIS_URL, "--scan", "--pattern", f"{self.prefix}:*"],
                                  capture_output=True, text=True, timeout=30).stdout.split()
            for i in range(0, len(keys), 500):
                subprocess.run(["redis-cli", "-u", h.REDIS_URL, "UNLINK", *keys[i:i + 500]], capture_output=True,
                               timeout=30)
        except (OSError, subprocess.SubprocessError):
            pass


class Customer:
    """One customer, registered with its e-mail's link (from the outbox); `token()` signs in again."""

    def __init__(self, srv: Server) -> None:
        self.srv, self.email = srv, h.unique_email("fuzz")
        h.expect(srv.api("POST", "/api/v1/auth/register", {"email": self.email}), 202, "register")
        token = re.search(r"[?&]token=([A-Za-z0-9_-]+)", srv.link(self.email))
        assert token, "no token in the registration link"
        h.expect(srv.api("POST", "/api/v1/auth/register/complete", {"token": token.group(1), "password": h.PASSWORD}),
                 201, "complete registration")
        self.first = self.token()

    def token(self) -> str:
        body = h.expect(self.srv.api("POST", "/api/v1/auth/login", {"email": self.email, "password": h.PASSWORD}),
                        200, "customer login")
        return body["access_token"]


class Staff:
    """A SuperAdmin made with helium-cli, TOTP on, signed in with password + TOTP code;
    `token()` signs in again (refresh token when it still works, else password + TOTP)."""

    def __init__(self, srv: Server) -> None:
        self.srv = srv
        self.email = h.unique_email("root")
        out = h.run([h.HELIUM_CLI, "admin", "create", "--name", "Fuzz Root", "--role", "super_admin",
                     "--email", self.email], srv.env).stdout
        token = re.search(r"setup\?token=([A-Za-z0-9_-]+)", out)
        assert token, out
        status, body = srv.api("POST", "/api/v1/admin/auth/setup",
                               {"token": token.group(1), "password": ADMIN_PASSWORD})
        assert status == 204, f"admin setup: {status} {body}"
        session = h.expect(srv.api("POST", "/api/v1/admin/auth/login",
                                   {"email": self.email, "password": ADMIN_PASSWORD}), 200, "admin login (no MFA yet)")
        self.secret = h.expect(srv.api("POST", "/api/v1/admin/auth/mfa/totp/setup", token=session["access_token"]),
                               200, "totp setup")["secret"]
        self.last_step = None
        h.expect(srv.api("POST", "/api/v1/admin/auth/mfa/totp/enable", {"code": self.code(earliest_previous=True)},
                         token=session["access_token"]), 200, "totp enable")
        self.first = self.mfa_sign_in()

    def code(self, earliest_previous: bool = False) -> str:
        """An RFC 6238 code of a step the server has not seen: the previous step when allowed
        and 10 s of the current one remain, else the current one (waiting for the next step
        when the current one was spent)."""
        while True:
            now = time.time()
            current = int(now // 30)
            first = current - 1 if earliest_previous and now - current * 30 < 20 else current
            step = first if self.last_step is None else max(self.last_step + 1, first)
            if step <= current:
                self.last_step = step
                return h.totp(self.secret, step)
            time.sleep(step * 30 - now + 0.25)

    def mfa_sign_in(self) -> str:
        """Password, then the TOTP step (POST /admin/auth/login → /admin/auth/login/mfa)."""
        challenge = h.expect(self.srv.api("POST", "/api/v1/admin/auth/login",
                                          {"email": self.email, "password": ADMIN_PASSWORD}), 200, "admin login")
        assert challenge.get("mfa_required") and challenge.get("mfa_token"), f"no MFA challenge: {challenge}"
        body = h.expect(self.srv.api("POST", "/api/v1/admin/auth/login/mfa",
                                     {"mfa_token": challenge["mfa_token"], "code": self.code()}),
                        200, "admin MFA login")
        self.refresh = body["refresh_token"]
        return body["access_token"]

    def token(self) -> str:
        status, body = self.srv.api("POST", "/api/v1/admin/auth/token/refresh", {"refresh_token": self.refresh})
        if status == 200:
            self.refresh = body["refresh_token"]
            return body["access_token"]
        h.log(f"admin refresh answered {status}; signing in with password + TOTP again")
        return self.mfa_sign_in()


def call(srv: Server, method: str, path: str, body=None, token: str | None = None, key: bool = False):
    """srv.api with an Idempotency-Key (a fresh one) when `key`."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{srv.base}{path}", data=data, method=method)
    if data is not None:
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    if key:
        req.add_header("idempotency-key", str(uuid.uuid4()))
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            status, raw = res.status, res.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    return status, (json.loads(raw) if raw else None)


def seed(srv: Server, admin: str, customer: str) -> None:
    """Real data for the runs to read, so that response_schema_conformance sees filled
    objects and lists, not only empty pages, and the fuzzer's resource pool finds real ids:
    a node group, a package series with a published version, a product on sale, an Epay
    payment method (pointing at a closed local port), a coupon, gift cards, a wallet deposit,
    an API key, an invitation; the customer's orders (one paid from the wallet, one unpaid),
    a top-up and a coupon preview."""
    def ok(result, status, what):
        return h.expect(result, status, f"seed: {what}")

    day = datetime.timedelta(days=1)
    ends = (datetime.datetime.now(datetime.timezone.utc) + 30 * day).isoformat(timespec="seconds")
    group = ok(call(srv, "POST", "/api/v1/admin/groups", {"name": "Fuzz nodes", "description": "seeded"}, admin),
               201, "group")["id"]
    series = ok(call(srv, "POST", "/api/v1/admin/package-series", {"name": "Fuzz plan", "description": "seeded"},
                     admin), 201, "package series")["id"]
    version = ok(call(srv, "POST", f"/api/v1/admin/package-series/{series}/versions",
                      {"traffic_bytes": 100 * 2**30, "duration_days": 30, "traffic_reset": "monthly_on_purchase_day",
                       "speed_limit_mbps": 100, "device_limit": 3, "group_ids": [group]}, admin),
                 201, "package version")["id"]
    ok(call(srv, "POST", f"/api/v1/admin/package-series/{series}/versions/{version}/publish", token=admin),
       200, "publish version")
    product = ok(call(srv, "POST", "/api/v1/admin/products",
                      {"name": "Fuzz monthly", "description": "seeded", "price": 700, "package_series_id": series,
                       "group_ids": [group], "on_sale": True, "sort": 1}, admin), 201, "product")["id"]
    ok(call(srv, "POST", "/api/v1/admin/payment-methods",
            {"kind": "epay", "name": "Fuzz Epay", "channel": "alipay", "url": "http://127.0.0.1:9",
             "pid": "1001", "key": "fuzz-merchant-key", "enabled": True, "sort": 1}, admin), 201, "payment method")
    ok(call(srv, "POST", "/api/v1/admin/coupons",
            {"code": "FUZZ-TEN", "discount_type": "percentage", "rate": "0.1", "ends_at": ends, "max_uses": 100,
             "product_ids": [product]}, admin), 201, "coupon")
    ok(call(srv, "POST", "/api/v1/admin/gift-cards/batches", {"name": "Fuzz batch", "count": 3, "value": 100,
                                                                 "expires_at": ends}, admin, key=True), 201, "batch")
    ok(call(srv, "POST", "/api/v1/admin/gift-cards/special", {"code": "FUZZSPECIAL", "value": 50,
                                                                "max_redemptions": 5}, admin, key=True), 201, "special")
    user = ok(call(srv, "GET", "/api/v1/me", token=customer), 200, "customer /me")["id"]
    ok(call(srv, "PUT", f"/api/v1/admin/customers/{user}/groups", {"group_ids": [group]}, admin), 200,
       "customer into the group")
    ok(call(srv, "POST", f"/api/v1/admin/wallets/{user}/adjustments",
            {"kind": "deposit", "amount": 10_000, "reason": "seeded"}, admin, key=True), 201, "deposit")
    ok(call(srv, "POST", "/api/v1/admin/api-keys", {"name": "fuzz key", "role": "customer_support"}, admin),
       201, "API key")
    ok(call(srv, "POST", "/api/v1/admin/invitations", {"email": h.unique_email("invitee"), "name": "Invitee",
                                                         "role": "customer_support"},
            admin), 201, "invitation")
    ok(call(srv, "POST", "/api/v1/coupons/preview", {"product_id": product, "code": "FUZZ-TEN"}, customer),
       200, "coupon preview")
    paid = ok(call(srv, "POST", "/api/v1/orders", {"product_id": product, "coupon_code": "FUZZ-TEN"}, customer,
                   key=True), 201, "order")["id"]
    ok(call(srv, "POST", f"/api/v1/orders/{paid}/pay/wallet", token=customer, key=True), 200, "pay from the wallet")
    ok(call(srv, "POST", "/api/v1/orders", {"product_id": product}, customer, key=True), 201, "unpaid order")
    ok(call(srv, "POST", "/api/v1/wallet/top-ups", {"amount": 1000}, customer, key=True), 201, "top-up")
    ok(call(srv, "PUT", f"/api/v1/auto-renewals/{product}", {"enabled": True}, customer), 200, "auto-renewal")


ME = {"customer": "/api/v1/me", "admin": "/api/v1/admin/me"}


def token_works(srv: Server, who: str, token: str | None) -> bool:
    return token is None or srv.api("GET", ME[who], token=token)[0] == 200


def only_tool_errors(report_dir: Path) -> bool:
    """Whether a failed run failed only on schemathesis' own errors (a crash inside its
    generator), with no check failing: such a run is repeated once with another seed."""
    import xml.etree.ElementTree as ET
    failures = errors = 0
    reports = list(report_dir.glob("**/*.xml"))
    for f in reports:
        for suite in ET.parse(f).getroot().iter("testsuite"):
            failures += int(suite.get("failures", 0))
            errors += int(suite.get("errors", 0))
    return bool(reports) and failures == 0 and errors > 0


def schemathesis(srv: Server, name: str, token: str | None, ops: list[str], exclude: bool, reports: Path) -> bool:
    """One schemathesis run over `ops` (or all operations but `ops`); True when it passed."""
    if run_once(srv, name, token, ops, exclude, reports, SEED):
        return True
    if only_tool_errors(reports / name):
        h.log(f"{name}: only schemathesis-internal errors (no check failed); once more with another seed")
        if run_once(srv, name, token, ops, exclude, reports, SEED + 1):
            return True
        if only_tool_errors(reports / name):
            # A crash inside schemathesis itself whatever the seed (seen with two workers, see
            # run_once); every check on every operation it could run passed.
            h.log(f"WARNING {name}: schemathesis crashed inside its own generator again; no check failed")
            return True
    return False


def run_once(srv: Server, name: str, token: str | None, ops: list[str], exclude: bool, reports: Path,
             seed: int) -> bool:
    # One worker: with two threads, hypothesis parses source files for lambda descriptions
    # concurrently and CPython 3.11.7's `ast` (a process-wide recursion counter) fails with
    # "AST constructor recursion depth mismatch" — the generator crash once seen as a KeyError
    # in the coverage phase. One worker is no slower here (the server is the bottleneck).
    cmd = [SCHEMATHESIS, "run", str(SPEC), "--url", srv.base, "--checks", CHECKS,
           "--max-examples", str(MAX_EXAMPLES), "--seed", str(seed), "--workers", "1",
           "--generation-database", "none", "--no-color", "--continue-on-failure", "--request-timeout", "30",
           "--report", "junit,ndjson", "--report-dir", str(reports / name)]
    if ops:
        cmd += ["--exclude-operation-id-regex" if exclude else "--include-operation-id-regex", operation_filter(ops)]
    if token:
        cmd += ["--header", f"Authorization: Bearer {token}"]
    shutil.rmtree(reports / name, ignore_errors=True)  # a reused SCHEMATHESIS_REPORT_DIR: this run's reports only
    started = time.monotonic()
    print(f"::: schemathesis: {name}", flush=True)
    env = {**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": str(HOOKS)}
    out = subprocess.run(cmd, cwd=reports, env=env, timeout=900)
    h.log(f"{name}: exit {out.returncode} in {time.monotonic() - started:.0f} s")
    return out.returncode == 0


def operation_ids() -> dict[str, str]:
    spec = json.loads(SPEC.read_text())
    return {f"{m.upper()} {path}": op["operationId"] for path, ops in spec["paths"].items()
            for m, op in ops.items() if isinstance(op, dict) and "operationId" in op}


def failures(report_dir: Path) -> dict[tuple, int]:
    """(operation, operationId, check, first line of the message) → cases, from the NDJSON report."""
    ids, found = operation_ids(), {}
    for path in report_dir.glob("*.ndjson"):
        for line in path.read_text().splitlines():
            scenario = json.loads(line).get("ScenarioFinished")
            if not scenario or scenario.get("status") != "failure":
                continue
            for checks in scenario["recorder"].get("checks", {}).values():
                for check in checks:
                    info = (check.get("failure_info") or {}).get("failure")
                    if check.get("status") != "failure" or not info:
                        continue
                    op = info.get("operation", "?")
                    msg = (info.get("message") or info.get("title") or "").replace("\n", "; ")
                    key = (op, ids.get(op, "?"), f'{info.get("code", "")} {check["name"]}', msg[:160])
                    found[key] = found.get(key, 0) + 1
    return found


def spec_drift(srv: Server) -> None:
    """Warns when the server serves another document than the committed one (a binary built
    from another tree, e.g. HELIUM_BIN from elsewhere): failures may then be drift, not bugs."""
    status, served = h.http("GET", f"{srv.base}/openapi.json")
    committed = json.loads(SPEC.read_text())
    if status != 200 or served == committed:
        return
    def ops(doc: dict) -> dict:
        return {f"{m} {p}": op for p, item in doc.get("paths", {}).items() for m, op in item.items()}

    mine, theirs = ops(committed), ops(served)
    differ = sorted(k for k in mine.keys() | theirs.keys() if mine.get(k) != theirs.get(k))
    schemas = sorted(k for k in committed["components"]["schemas"].keys() | served["components"]["schemas"].keys()
                     if committed["components"]["schemas"].get(k) != served["components"]["schemas"].get(k))
    print(f"::: schemathesis: WARNING: {h.HELIUM} serves another OpenAPI document than openapi/openapi.json "
          f"(operations differing: {', '.join(differ) or 'none'}; schemas differing: {', '.join(schemas) or 'none'}): "
          "rebuild it from this tree, or take failures there as drift", flush=True)


def main(argv: list[str]) -> int:
    wanted = argv or ["anonymous", "customer", "admin"]
    reports = Path(os.environ.get("SCHEMATHESIS_REPORT_DIR") or tempfile.mkdtemp(prefix="helium-schemathesis-"))
    reports.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    print(f"schemathesis: seed {SEED}, {MAX_EXAMPLES} examples per operation, reports in {reports}", flush=True)
    failed: list[str] = []
    ran: list[str] = []
    srv = None
    try:
        srv = Server()
        # Every identity before any fuzzing: the fuzzer spends the per-address caps and could
        # otherwise stand between the harness and a sign-up or sign-in.
        people = {"anonymous": None}
        if "customer" in wanted:
            people["customer"] = Customer(srv)
        if "admin" in wanted:
            people["admin"] = Staff(srv)
        if "customer" in people and "admin" in people:
            seed(srv, people["admin"].first, people["customer"].first)
        spec_drift(srv)
        h.log(f"identities ready in {time.monotonic() - started:.0f} s")

        def run(name: str, token: str | None, ops: list[str], exclude: bool) -> None:
            ran.append(name)
            if not schemathesis(srv, name, token, ops, exclude, reports):
                failed.append(name)

        for who in ("anonymous", "customer", "admin"):
            if who not in wanted:
                continue
            person = people[who]
            token = person.first if person else None
            assert token_works(srv, who, token), f"the {who} token does not work before the run"
            run(who, token, SESSION_ENDERS[who], True)
            if not token_works(srv, who, token):
                print(f"::: schemathesis: the {who} session ended during the run: an operation outside "
                      f"SESSION_ENDERS ends sessions (later cases of that run saw 401s)", flush=True)
                failed.append(f"{who} (session ended during the run)")
            if SESSION_ENDERS[who]:
                run(f"{who}-session-enders", person.token(), SESSION_ENDERS[who], False)
    except Exception as e:  # noqa: BLE001 - report and fail
        print(f"schemathesis: harness error: {type(e).__name__}: {e}", flush=True)
        failed.append("harness")
    finally:
        if srv:
            if srv.helium:
                if srv.helium.proc.poll() is not None:
                    print(f"helium exited {srv.helium.proc.returncode}:\n{srv.helium.output()[-3000:]}", flush=True)
                shutil.copy(srv.helium.log_path, reports / "helium.log")
            srv.close()
    for run_dir in sorted((p for p in reports.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime):
        found = failures(run_dir)
        if found:
            print(f"schemathesis: {run_dir.name}: {len(found)} distinct failure(s):", flush=True)
            for (op, op_id, check, msg), n in sorted(found.items()):
                print(f"    {op_id} ({op}): {check}: {msg} [{n} check(s)]", flush=True)
    print(f"schemathesis: {time.monotonic() - started:.0f} s in all; reports and the server log in {reports}",
          flush=True)
    if failed:
        print(f"schemathesis: failed: {', '.join(failed)}", flush=True)
    print(f"schemathesis: {len([r for r in ran if r not in failed])} passed, {len(failed)} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
