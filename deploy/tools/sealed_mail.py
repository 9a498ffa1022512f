"""Prints a secret from the newest `email.requested` event to an address, opening the sealed
part (XChaCha20-Poly1305 under DATA_ENCRYPTION_KEY, bound to the event id) the way the mailer
does. For benchmarks and operators' scripts that start helium with a known
DATA_ENCRYPTION_KEY; never needed in production (the mailer sends the mail).

Usage: DATABASE_URL=… DATA_ENCRYPTION_KEY=… sealed_mail.py ADDRESS [FIELD]   (FIELD: link)
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import uuid

from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_decrypt


def b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def main() -> int:
    address, field = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "link")
    key_text = os.environ["DATA_ENCRYPTION_KEY"].strip()
    key = base64.b64decode(key_text) if len(key_text) % 4 == 0 else b64(key_text)
    row = subprocess.run(
        ["psql", os.environ["DATABASE_URL"], "-tAc",
         "SELECT id || ' ' || payload::text FROM outbox WHERE event_type = 'email.requested' "
         f"AND payload->>'to' = '{address.replace(chr(39), chr(39) * 2)}' ORDER BY occurred_at DESC LIMIT 1"],
        check=True, capture_output=True, text=True).stdout.strip()
    if not row:
        print(f"no e-mail to {address}", file=sys.stderr)
        return 1
    event_id, payload = row.split(" ", 1)
    payload = json.loads(payload)
    context = dict(payload.get("context") or {})
    sealed = payload.get("sealed")
    if sealed:
        raw = b64(sealed.removeprefix("v1."))
        plain = crypto_aead_xchacha20poly1305_ietf_decrypt(raw[24:], uuid.UUID(event_id).bytes, raw[:24], key)
        context.update(json.loads(plain))
    print(context[field])
    return 0


if __name__ == "__main__":
    sys.exit(main())
