"""A real SMTP server for the mailer integration tests (api/tests/mailer_smtp.rs).

Usage: smtp_sink.py --port P --dir D

Listens on 127.0.0.1:P (plain SMTP: no TLS, no AUTH) and saves every accepted message as
D/<n>.eml (the raw bytes, written to a temporary file first and renamed, so a reader never
sees half a message). Recipients starting with `reject` get `550 5.1.1 mailbox unavailable`,
those starting with `tempfail` get `451 4.3.0 try again later`. Prints READY on stdout once
listening and exits cleanly on SIGTERM or SIGINT.

Requires aiosmtpd (deploy/tools/requirements.txt; install with deploy/tools/ensure-venv.sh).
"""

import argparse
import asyncio
import itertools
import os
import signal
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, directory: str) -> None:
        self.directory = directory
        existing = [
            int(name[:-4])
            for name in os.listdir(directory)
            if name.endswith(".eml") and name[:-4].isdigit()
        ]
        self.counter = itertools.count(max(existing, default=0) + 1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.lower()
        if local.startswith("reject"):
            return "550 5.1.1 mailbox unavailable"
        if local.startswith("tempfail"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content
        if raw is None:
            raw = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        n = next(self.counter)
        final = os.path.join(self.directory, f"{n}.eml")
        tmp = os.path.join(self.directory, f".{n}.eml.tmp")
        with open(tmp, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, final)
        return "250 2.0.0 Message accepted for delivery"


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    handler = Sink(args.dir)
    loop = asyncio.get_running_loop()
    # An explicit hostname avoids a reverse DNS lookup on every connection.
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp-sink.test", ident="helium-test-sink"),
        host="127.0.0.1",
        port=args.port,
    )
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("READY", flush=True)
    await stop.wait()
    server.close()
    await server.wait_closed()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
