#!/usr/bin/env python3
"""Creates a SuperAdmin with TOTP on and prints a staff access token (for benches and scripts).

    staff_session.py BASE_URL EMAIL        (helium-cli on PATH or HELIUM_CLI; DATABASE_URL set)

Runs `helium-cli admin create`, completes the setup link, enrols TOTP (RFC 6238, computed
here) and signs in with both steps. Standard library only.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import struct
import subprocess
import sys
import time
import urllib.request


def call(base, path, body, token=None):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as res:
        raw = res.read()
        return json.loads(raw) if raw else {}


def totp(secret, step_offset=0):
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int(time.time()) // 30 + step_offset
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    o = digest[-1] & 15
    return "%06d" % ((struct.unpack(">I", digest[o:o + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def main():
    base, email = sys.argv[1].rstrip("/"), sys.argv[2]
    cli = os.environ.get("HELIUM_CLI", "helium-cli")
    out = subprocess.run([cli, "admin", "create", "--name", "Bench Admin", "--role", "super_admin", "--email", email],
                         check=True, capture_output=True, text=True).stdout
    token = re.search(r"token=([A-Za-z0-9_\-]+)", out).group(1)
    password = "a bench admin passphrase"
    call(base, "/api/v1/admin/auth/setup", {"token": token, "password": password})
    first = call(base, "/api/v1/admin/auth/login", {"email": email, "password": password})
    setup = call(base, "/api/v1/admin/auth/mfa/totp/setup", {}, first["access_token"])
    call(base, "/api/v1/admin/auth/mfa/totp/enable", {"code": totp(setup["secret"])}, first["access_token"])
    # The enabling code is spent: sign in with the next step's code once it comes.
    time.sleep(30 - time.time() % 30 + 1)
    step = call(base, "/api/v1/admin/auth/login", {"email": email, "password": password})
    done = call(base, "/api/v1/admin/auth/login/mfa", {"mfa_token": step["mfa_token"], "code": totp(setup["secret"])})
    print(done["access_token"])


if __name__ == "__main__":
    main()
