#!/usr/bin/env python3
"""Make generator output byte-stable.

Usage: postprocess.py DIR...

For every text file under the given directories:
  * drop header lines (first HEADER_LINES lines) that carry run-dependent data
    (generation timestamps, "generated on/at <date>" banners) should a generator
    version or template emit them;
  * normalise line endings to LF and make the file end with exactly one newline.
Generator versions are pinned (deploy/tools/requirements.txt), so the version
strings the generator writes are stable and kept.
"""

import re
import sys
from pathlib import Path

HEADER_LINES = 20
VOLATILE = [
    re.compile(r"^\s*(//|#|\*|/\*)?\s*(Generated|Created)\s+(on|at)\s*:?\s*\d{4}-\d{2}-\d{2}", re.I),
    re.compile(r"^\s*(//|#|\*)?\s*@?generated\s*(date|time|timestamp)\b", re.I),
    re.compile(r"date\s*=\s*\"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"),  # @Generated(date = "...")
]


def process(path: Path) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return  # binary: leave alone
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = [
        ln
        for i, ln in enumerate(lines)
        if i >= HEADER_LINES or not any(rx.search(ln) for rx in VOLATILE)
    ]
    out = "\n".join(kept).rstrip("\n") + "\n" if any(kept) else ""
    if out != text:
        path.write_text(out, encoding="utf-8", newline="\n")


def main() -> None:
    for d in sys.argv[1:]:
        for p in sorted(Path(d).rglob("*")):
            if p.is_file():
                process(p)


if __name__ == "__main__":
    main()
