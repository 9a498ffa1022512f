#!/usr/bin/env python3
"""An Epay (易支付, MD5 v1) gateway simulator for tests and local development.

It behaves like a real gateway from Helium's side (WIRE-FORMATS.md Part C), not like a mock of
Helium's code: it checks the signature of every `submit.php` redirect with the merchant's key,
remembers the payment, and when told that the customer paid it calls Helium's `notify_url` with
a signed notify (form POST or GET), retrying until the answer is exactly `success`. It answers
`api.php?act=order` queries as gateways do.

    epay_simulator.py --merchant 1001:merchant-key [--merchant pid:key ...] [--port 0]

Prints `LISTENING <port>` on stdout once ready. Control endpoints for tests (JSON):
    POST /_sim/pay      {"out_trade_no", "notify": "post"|"get"|"none", "money"?, "trade_status"?}
                        marks the payment paid (optionally with a different amount or status),
                        sends the notify, returns {"trade_no", "attempts", "answers"}
    GET  /_sim/payments every payment the gateway has seen, with what it was told
Standard library only.
"""

import argparse
import hashlib
import hmac
import json
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def sign(params, key):
    """C.2: non-empty params except sign/sign_type, sorted, k=v joined by &, key appended, MD5."""
    items = sorted((k, v) for k, v in params.items() if k not in ("sign", "sign_type") and v != "")
    raw = "&".join(f"{k}={v}" for k, v in items) + key
    return hashlib.md5(raw.encode("utf-8")).hexdigest()


class Gateway:
    def __init__(self, merchants):
        self.merchants = merchants  # pid -> key
        self.payments = {}  # out_trade_no -> dict
        self.lock = threading.Lock()
        self.next_trade = 1

    def submit(self, params):
        pid = params.get("pid", "")
        key = self.merchants.get(pid)
        if key is None:
            return 400, "unknown merchant"
        if not hmac.compare_digest(sign(params, key), params.get("sign", "")):
            return 400, "bad signature"
        for required in ("out_trade_no", "notify_url", "money", "name"):
            if not params.get(required):
                return 400, f"missing {required}"
        with self.lock:
            existing = self.payments.get(params["out_trade_no"])
            if existing and existing["money"] != params["money"]:
                return 400, "out_trade_no reused with another amount"
            if not existing:
                trade_no = f"SIM{time.strftime('%Y%m%d')}{self.next_trade:08d}"
                self.next_trade += 1
                self.payments[params["out_trade_no"]] = {
                    "pid": pid,
                    "trade_no": trade_no,
                    "out_trade_no": params["out_trade_no"],
                    "type": params.get("type", ""),
                    "name": params["name"],
                    "money": params["money"],
                    "notify_url": params["notify_url"],
                    "return_url": params.get("return_url", ""),
                    "status": 0,
                    "notifies": [],
                }
        return 200, "<html><body>Simulated cashier: waiting for payment</body></html>"

    def query(self, params):
        pid, key = params.get("pid", ""), params.get("key", "")
        if params.get("act") != "order":
            return {"code": -1, "msg": "unknown act"}
        if pid not in self.merchants or not hmac.compare_digest(self.merchants[pid], key):
            return {"code": -1, "msg": "bad key"}
        with self.lock:
            p = self.payments.get(params.get("out_trade_no", ""))
            if not p or p["pid"] != pid:
                return {"code": -1, "msg": "no such order"}
            return {
                "code": 1,
                "msg": "succ",
                "trade_no": p["trade_no"],
                "out_trade_no": p["out_trade_no"],
                "type": p["type"],
                # PHP gateways send the merchant id as a number.
                "pid": int(pid) if pid.isdigit() else pid,
                "name": p["name"],
                "money": p["money"],
                "status": p["status"],
            }

    def pay(self, out_trade_no, how, money=None, trade_status="TRADE_SUCCESS", attempts=3):
        with self.lock:
            p = self.payments.get(out_trade_no)
            if not p:
                return None
            p["status"] = 1
            key = self.merchants[p["pid"]]
        params = {
            "pid": p["pid"],
            "trade_no": p["trade_no"],
            "out_trade_no": out_trade_no,
            "type": p["type"],
            "name": p["name"],
            "money": money if money is not None else p["money"],
            "trade_status": trade_status,
        }
        params["sign"] = sign(params, key)
        params["sign_type"] = "MD5"
        answers = []
        if how != "none":
            for _ in range(attempts):
                answer = self.notify(p["notify_url"], params, how)
                answers.append(answer)
                if answer == [200, "success"]:
                    break
                time.sleep(0.2)
        with self.lock:
            p["notifies"].extend(answers)
        return {"trade_no": p["trade_no"], "attempts": len(answers), "answers": answers, "params": params}

    @staticmethod
    def notify(url, params, how):
        body = urllib.parse.urlencode(params)
        if how == "get":
            req = urllib.request.Request(f"{url}?{body}", method="GET")
        else:
            req = urllib.request.Request(
                url, data=body.encode(), method="POST",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        try:
            with urllib.request.urlopen(req, timeout=10) as res:
                return [res.status, res.read().decode("utf-8", "replace")]
        except urllib.error.HTTPError as e:
            return [e.code, e.read().decode("utf-8", "replace")]
        except OSError as e:
            return [0, str(e)]


def handler(gateway):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def params(self):
            url = urllib.parse.urlsplit(self.path)
            params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
            if self.command == "POST":
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n).decode("utf-8", "replace")
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params.update(json.loads(raw or "{}"))
                else:
                    params.update(dict(urllib.parse.parse_qsl(raw, keep_blank_values=True)))
            return url.path, params

        def reply(self, status, body, ctype):
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def route(self):
            path, params = self.params()
            if path == "/submit.php":
                status, body = gateway.submit(params)
                self.reply(status, body, "text/html; charset=utf-8")
            elif path == "/api.php":
                self.reply(200, json.dumps(gateway.query(params)), "application/json")
            elif path == "/_sim/pay" and self.command == "POST":
                result = gateway.pay(
                    params.get("out_trade_no", ""), params.get("notify", "post"),
                    params.get("money"), params.get("trade_status", "TRADE_SUCCESS"),
                )
                if result is None:
                    self.reply(404, json.dumps({"error": "no such payment"}), "application/json")
                else:
                    self.reply(200, json.dumps(result), "application/json")
            elif path == "/_sim/payments":
                with gateway.lock:
                    self.reply(200, json.dumps(list(gateway.payments.values())), "application/json")
            else:
                self.reply(404, "not found", "text/plain")

        do_GET = route
        do_POST = route

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--merchant", action="append", required=True, help="pid:key")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    merchants = dict(m.split(":", 1) for m in args.merchant)
    server = ThreadingHTTPServer((args.host, args.port), handler(Gateway(merchants)))
    print(f"LISTENING {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
