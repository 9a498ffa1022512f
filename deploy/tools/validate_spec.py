#!/usr/bin/env python3
"""Validate the OpenAPI document printed by `helium openapi` and store it.

Usage: validate_spec.py RAW_JSON OUT_JSON

Copies RAW_JSON to OUT_JSON byte for byte: the Rust side owns the formatting
(pretty JSON + trailing newline) and its own test compares the committed
openapi/openapi.json with the binary's output exactly. A missing trailing newline
is added. Fails (exit 1, OUT_JSON untouched) when the input is not an OpenAPI 3.1
document with at least one path, or when an operation lacks an operationId or tags
(the SDK tests key their coverage check on both), or repeats an operationId.
"""

import json
import sys

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def fail(msg: str) -> "NoReturn":  # type: ignore[name-defined]
    print(f"validate_spec: {msg}", file=sys.stderr)
    sys.exit(1)


def main() -> None:
    if len(sys.argv) != 3:
        fail("usage: validate_spec.py RAW_JSON OUT_JSON")
    raw_path, out_path = sys.argv[1], sys.argv[2]
    with open(raw_path, encoding="utf-8") as f:
        text = f.read()
    if not text.strip():
        fail(f"{raw_path} is empty (did `helium openapi` print anything?)")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        fail(f"{raw_path} is not valid JSON: {e}")
    if not isinstance(doc, dict):
        fail("the document is not a JSON object")
    version = doc.get("openapi")
    if not isinstance(version, str) or not version.startswith("3.1"):
        fail(f"expected an OpenAPI 3.1 document, got openapi={version!r}")
    paths = doc.get("paths")
    if not isinstance(paths, dict) or not paths:
        fail("the document has no paths")

    problems = []
    seen = {}
    for path, item in paths.items():
        for method in HTTP_METHODS:
            op = item.get(method) if isinstance(item, dict) else None
            if not isinstance(op, dict):
                continue
            where = f"{method.upper()} {path}"
            op_id = op.get("operationId")
            if not op_id:
                problems.append(f"{where}: missing operationId")
            elif op_id in seen:
                problems.append(f"{where}: operationId {op_id!r} also used by {seen[op_id]}")
            else:
                seen[op_id] = where
            if not op.get("tags"):
                problems.append(f"{where}: missing tags")
    if problems:
        fail("invalid operations:\n  " + "\n  ".join(problems))

    if not text.endswith("\n"):
        text += "\n"
    with open(out_path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


if __name__ == "__main__":
    main()
