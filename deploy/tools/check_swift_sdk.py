#!/usr/bin/env python3
"""Static check of the Swift SDK (no Swift compiler is available on CI).

Usage: check_swift_sdk.py [--repo PATH]

1. Parses every .swift file under sdks/swift/ with tree-sitter-swift and fails on
   any ERROR or MISSING node (printed as file:line:column).
   One known grammar defect is tolerated: tree-sitter-swift (all 0.7.x releases)
   cannot parse the empty tuple expression `()` (e.g. `() as! T`, used by the
   generated URLSession code) and recovers with a zero-width MISSING "!" inside a
   `tuple_expression` whose text is exactly `()`. Only that exact shape is skipped
   (and counted in the summary); everything else fails.
2. Checks that every operationId of openapi/openapi.json has a Swift method
   `func <operationId>(` somewhere under sdks/swift/Sources/.
3. Checks sdks/swift/Package.swift declares swift-tools-version 6.x and the
   HeliumSDK library product.

Exit status 0 when everything passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import tree_sitter_swift
from tree_sitter import Language, Node, Parser

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SKIP_DIRS = {".build", ".swiftpm"}


EMPTY_TUPLE = re.compile(rb"\(\s*\)")


def is_empty_tuple_misparse(node: Node) -> bool:
    """The grammar's recovery for `()`: (tuple_expression "()" (bang (MISSING "!")))."""
    bang = node.parent
    tup = bang.parent if bang is not None else None
    return (
        node.is_missing
        and node.type == "!"
        and bang is not None
        and bang.type == "bang"
        and bang.start_byte == bang.end_byte == node.start_byte
        and tup is not None
        and tup.type == "tuple_expression"
        and tup.text is not None
        and EMPTY_TUPLE.fullmatch(tup.text) is not None
    )


def syntax_problems(parser: Parser, path: Path, rel: str, tolerated: list[str]) -> list[str]:
    tree = parser.parse(path.read_bytes())
    if not tree.root_node.has_error:
        return []
    found: list[str] = []

    def walk(node: Node) -> None:
        if node.is_missing and is_empty_tuple_misparse(node):
            line, col = node.start_point
            tolerated.append(f"{rel}:{line + 1}:{col + 1}")
            return
        if node.is_error or node.is_missing:
            line, col = node.start_point
            kind = f"MISSING {node.type}" if node.is_missing else "ERROR"
            snippet = node.text.decode("utf-8", "replace").splitlines()[0][:60] if node.text else ""
            found.append(f"{rel}:{line + 1}:{col + 1}: {kind} {snippet!r}")
            if node.is_error:
                return  # one report per error subtree is enough
        if node.has_error:
            for child in node.children:
                walk(child)

    before = len(tolerated)
    walk(tree.root_node)
    if not found and len(tolerated) == before:  # has_error but nothing located: still a failure
        found.append(f"{rel}:1:1: parse error")
    return found


def operation_ids(spec_path: Path) -> list[str]:
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    ids = []
    for item in (spec.get("paths") or {}).values():
        for method in HTTP_METHODS:
            op = item.get(method) if isinstance(item, dict) else None
            if isinstance(op, dict) and op.get("operationId"):
                ids.append(op["operationId"])
    return sorted(set(ids))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[2])
    args = ap.parse_args()
    repo: Path = args.repo.resolve()
    sdk = repo / "sdks" / "swift"
    spec = repo / "openapi" / "openapi.json"

    failures: list[str] = []
    tolerated: list[str] = []
    parser = Parser(Language(tree_sitter_swift.language()))

    files = sorted(
        p for p in sdk.rglob("*.swift") if not SKIP_DIRS.intersection(p.relative_to(sdk).parts)
    )
    if not files:
        failures.append(f"no .swift files under {sdk}")
    for path in files:
        failures.extend(syntax_problems(parser, path, str(path.relative_to(repo)), tolerated))

    sources = "\n".join(
        p.read_text(encoding="utf-8") for p in files if "Sources" in p.relative_to(sdk).parts
    )
    ops = operation_ids(spec)
    if not ops:
        failures.append(f"{spec.relative_to(repo)}: no operationIds found")
    for op in ops:
        if not re.search(r"\bfunc\s+" + re.escape(op) + r"\s*\(", sources):
            failures.append(f"operationId {op!r}: no `func {op}(` in sdks/swift/Sources")

    package = sdk / "Package.swift"
    if not package.is_file():
        failures.append("sdks/swift/Package.swift is missing")
    else:
        text = package.read_text(encoding="utf-8")
        if not re.match(r"//\s*swift-tools-version:\s*6\.", text):
            failures.append("sdks/swift/Package.swift: swift-tools-version is not 6.x")
        if not re.search(r'\.library\(\s*name:\s*"HeliumSDK"', text):
            failures.append('sdks/swift/Package.swift: no .library(name: "HeliumSDK")')

    if failures:
        print("Swift SDK check FAILED:", file=sys.stderr)
        for f in failures:
            print(f"  {f}", file=sys.stderr)
        return 1
    note = f" ({len(tolerated)} empty-tuple `()` grammar misparse(s) tolerated)" if tolerated else ""
    print(
        f"Swift SDK check: {len(files)} files parse cleanly{note}; "
        f"{len(ops)} operation(s) present: {', '.join(ops)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
