"""Schemathesis hooks for deploy/tests/schemathesis_run.py (loaded through SCHEMATHESIS_HOOKS).

Every request comes from a client address of its own (X-Forwarded-For from 198.18.0.0/15,
RFC 2544, never routed; the server under test trusts 127.0.0.1 as its proxy), as the SDK
tests do: the per-client-address caps on mail sends and sign-ups (SECURITY.md §1.9, 10-30
an hour, not lifted by RATE_LIMIT_*) would otherwise answer 429 to every register, forgot
password and e-mail code request after the first few, and leave their logic untested. The
header shows in each failure's curl reproduction.
"""

from __future__ import annotations

import random

import schemathesis


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    n = random.randint(1, 2**17 - 2)
    if case.headers is None:
        case.headers = {}
    case.headers.setdefault("X-Forwarded-For", f"198.{18 + (n >> 16)}.{(n >> 8) & 0xFF}.{n & 0xFF}")
