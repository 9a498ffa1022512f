"""Helium behind PgBouncer in transaction mode (Debian's pgbouncer, started here on a free
port in front of the local PostgreSQL): `helium --mode all` with DATABASE_URL through the
pooler and DATABASE_STATEMENT_CACHE=0, the cron leader and start-up migrations on the direct
CRON_DATABASE_URL, `helium-cli` through the pooler too. Drives the core flows; each is
reported on its own, a flow whose prerequisite failed is reported as skipped:

  helium-cli init-config → start-up → register (link from the SMTP sink) → complete → sign in
  → /me → staff bootstrap with helium-cli (setup link, password, sign-in) → TOTP on and MFA
  sign-in → a SuperAdmin API key: created by that staff member, then used (`X-API-Key`) for a
  read (customer list) and a write (a wallet deposit), and its `last_used_at` is recorded (the
  key's last-use update is a write of its own, never on the pooled read-only connection)
  → an order paid by wallet: staff create a package series, version (publish) and a product on
  sale to the default group and credit the customer's wallet; the customer creates the order
  and pays it from the wallet (both with an `Idempotency-Key`), the consumers deliver it
  (order `delivered`, an active package) and the wallet shows the debit → a node pull: staff
  create a node server and a shadowsocks node client and set the telecom node token; the
  node agent pulls `UniProxy/user` until the paying customer is listed, the same pull with
  `If-None-Match` is 304, `UniProxy/config` answers, and a traffic push lands in the
  customer's package → ban the customer (their token dies, their sign-in is refused).

Then it counts PostgreSQL/PgBouncer errors in the logs (e.g. `prepared statement "sqlx_s_N"
already exists`). Exit codes: 0 every flow passed; 10 flows failed and the logs show the
known named-prepared-statement clash; 1 flows failed otherwise; 3 the harness itself could
not start (pgbouncer, database, sink).

Usage: deploy/tests/pgbouncer_flows.sh  (installs pgbouncer and the venv, builds, runs this)
       KEEP_LOGS=1 keeps the helium and pgbouncer logs and prints where.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import uuid
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

        def call(method, path, body=None, token=None, headers=None):
            """Like `api` with extra request headers; returns (status, body, response headers)."""
            data = json.dumps(body).encode() if body is not None else None
            req = urllib.request.Request(f"{procs['helium'].base}{path}", data=data, method=method)
            req.add_header("user-agent", "helium-deploy-tests")
            if data is not None:
                req.add_header("content-type", "application/json")
            if token:
                req.add_header("authorization", f"Bearer {token}")
            for k, v in (headers or {}).items():
                req.add_header(k, v)
            try:
                with urllib.request.urlopen(req, timeout=15) as res:
                    status, raw, hdrs = res.status, res.read(), res.headers
            except urllib.error.HTTPError as e:
                status, raw, hdrs = e.code, e.read(), e.headers
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = raw.decode(errors="replace")
            return status, parsed, hdrs

        def keyed(method, path, body=None, headers=None):
            """A staff call authenticated by the API key alone."""
            status, parsed, _ = call(method, path, body, headers={"x-api-key": state["api_key"], **(headers or {})})
            return status, parsed

        def once():
            return {"idempotency-key": str(uuid.uuid4())}

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
            state["staff"] = h.staff_bootstrap(procs["helium"].base, {**common, "DATABASE_URL": pooled},
                                               state["admin_email"])

        def staff_mfa():
            state["staff"] = h.staff_totp_sign_in(procs["helium"].base, state["admin_email"], state["staff"])

        def api_key():
            created = h.expect(api("POST", "/api/v1/admin/api-keys", {"name": "pgbouncer check", "role": "super_admin"},
                                   token=state["staff"]), 201, "create API key")
            assert created.get("key", "").startswith("hel_key_"), created
            state["api_key"], key_id = created["key"], created["id"]
            # A read: the key's first use also records its last use (a write of its own).
            page = h.expect(keyed("GET", "/api/v1/admin/customers"), 200, "customers with the API key")
            assert state["id"] in [c["id"] for c in page["items"]], page
            # A write (no TOTP for a key): a wallet deposit, seen by the next read.
            before = h.expect(keyed("GET", f"/api/v1/admin/wallets/{state['id']}"), 200, "wallet with the API key")
            h.expect(keyed("POST", f"/api/v1/admin/wallets/{state['id']}/adjustments",
                           {"kind": "deposit", "amount": 100, "reason": "pgbouncer API key check"}, once()),
                     201, "wallet deposit with the API key")
            after = h.expect(keyed("GET", f"/api/v1/admin/wallets/{state['id']}"), 200, "wallet with the API key")
            assert after["available"]["amount"] == before["available"]["amount"] + 100, (before, after)
            keys = h.expect(api("GET", "/api/v1/admin/api-keys", token=state["staff"]), 200, "list API keys")["items"]
            mine = next(k for k in keys if k["id"] == key_id)
            assert mine.get("last_used_at"), f"the key's use was not recorded: {mine}"

        def wallet_order():
            staff = state["staff"]
            state["group"] = h.default_group(procs["helium"].base, staff)
            price = 500
            product = h.create_product(procs["helium"].base, staff, "PgBouncer plan", state["group"], price)
            customer = state["access"]
            before = h.expect(api("GET", "/api/v1/wallet", token=customer), 200, "wallet")["available"]["amount"]
            status, body, _ = call("POST", f"/api/v1/admin/wallets/{state['id']}/adjustments",
                                   {"kind": "deposit", "amount": 1000, "reason": "pgbouncer order check"},
                                   token=staff, headers=once())
            assert status == 201, f"wallet deposit: expected 201, got {status}: {body}"
            listed = h.expect(api("GET", "/api/v1/products", token=customer), 200, "products")
            assert product in [p["id"] for p in listed["items"]], listed
            status, order, _ = call("POST", "/api/v1/orders", {"product_id": product}, token=customer,
                                    headers=once())
            assert status == 201, f"create order: expected 201, got {status}: {order}"
            assert order["status"] == "unpaid" and order["total"]["amount"] == price, order
            status, paid, _ = call("POST", f"/api/v1/orders/{order['id']}/pay/wallet", token=customer,
                                   headers=once())
            assert status == 200, f"pay with wallet: expected 200, got {status}: {paid}"
            assert paid["status"] in ("paid", "delivered") and paid["paid_via"] == "wallet", paid
            wallet = h.expect(api("GET", "/api/v1/wallet", token=customer), 200, "wallet")
            assert wallet["available"]["amount"] == before + 1000 - price, (before, wallet)
            # The consumers deliver it: the order turns `delivered`, the package is active.
            h.wait_for("order delivered", lambda: h.expect(api("GET", f"/api/v1/orders/{order['id']}",
                                                                token=customer), 200, "order")["status"] == "delivered",
                       20, 0.3)
            pkgs = h.wait_for("an active package", lambda: [p for p in h.expect(
                api("GET", "/api/v1/packages", token=customer), 200, "packages")["items"] if p["status"] == "active"],
                20, 0.3)
            assert pkgs[0]["order_id"] == order["id"], pkgs

        def node_pull():
            staff = state["staff"]
            server = h.expect(api("POST", "/api/v1/admin/nodes/servers",
                                  {"name": "PgBouncer 1", "address": "pgb1.helium.example", "region": "JP"},
                                  token=staff), 201, "create node server")["id"]
            h.expect(api("POST", "/api/v1/admin/nodes/clients",
                         {"server_id": server, "node_id": 1, "name": "PgBouncer SS", "port": 8388,
                          "settings": {"protocol": "shadowsocks", "cipher": "aes-128-gcm"},
                          "group_ids": [state["group"]]}, token=staff), 201, "create node client")
            telecom = h.expect(api("GET", "/api/v1/admin/config/telecom", token=staff), 200, "telecom config")["value"]
            node_token = secrets.token_urlsafe(32)
            telecom["vpn_server_token"] = node_token
            h.expect(api("PUT", "/api/v1/admin/config/telecom", {"value": telecom}, token=staff), 200,
                     "set the node token")

            def agent(method, endpoint, body=None, etag=None):
                q = f"token={node_token}&node_id=1&node_type=shadowsocks"
                return call(method, f"/api/v1/server/UniProxy/{endpoint}?{q}", body,
                            headers={"if-none-match": etag} if etag is not None else None)

            def listed():
                # Every process applies the new token within 5 s; the package shows once delivered.
                status, body, hdrs = agent("GET", "user", etag="")
                assert status == 200, f"UniProxy/user: {status} {body}"
                return body["users"] and (body, hdrs.get("etag"))
            users, etag = h.wait_for("the paying customer in UniProxy/user", listed, 20, 0.5)
            assert len(users["users"]) == 1, users
            uid = users["users"][0]["id"]
            assert users["users"][0]["speed_limit"] == 100 and users["users"][0]["device_limit"] == 3, users
            assert etag, "UniProxy/user without an ETag"
            status, body, _ = agent("GET", "user", etag=etag)
            assert status == 304, f"UniProxy/user with If-None-Match: expected 304, got {status}: {body}"
            status, config, _ = agent("GET", "config")
            assert status == 200 and config.get("server_port") == 8388, f"UniProxy/config: {status} {config}"
            status, body, _ = agent("POST", "push", {str(uid): [1000, 2000]})
            assert status == 200, f"UniProxy/push: {status} {body}"

            def counted():
                items = h.expect(api("GET", "/api/v1/packages", token=state["access"]), 200, "packages")["items"]
                return [(p["upload"], p["download"]) for p in items if p["status"] == "active"] == [(1000, 2000)]
            h.wait_for("the pushed traffic in the customer's package", counted, 10, 0.3)

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
                 ("staff API key: create, read and write with it", api_key, ["staff_mfa", "sign_in"]),
                 ("an order paid by wallet and delivered", wallet_order, ["staff_mfa", "sign_in"]),
                 ("node pull: the customer's package reaches the node agent", node_pull, ["wallet_order"]),
                 ("ban the customer", ban, ["staff_mfa", "sign_in"])]
        checks.run_flows(flows)
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
