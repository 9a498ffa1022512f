#!/usr/bin/env python3
"""Copy a fresh openapi-generator output tree over a directory that also holds
hand-written files.

Usage: sync_generated.py STAGING_DIR TARGET_DIR

1. Every file listed in TARGET_DIR/.openapi-generator/FILES (the previous
   generation) is deleted, together with TARGET_DIR/.openapi-generator/, so files
   for operations/models that disappeared from the spec do not linger. Directories
   left empty by that are removed.
2. Every file of STAGING_DIR is copied into TARGET_DIR.

Refuses (exit 1, nothing changed) to overwrite a file that the previous generation
did not produce but that differs from the new one: that is a hand-written file
colliding with generator output (add it to the generator's ignore file instead).
"""

import filecmp
import os
import shutil
import sys
from pathlib import Path, PurePosixPath

META = ".openapi-generator"


def fail(msg: str) -> None:
    print(f"sync_generated: {msg}", file=sys.stderr)
    sys.exit(1)


def previous_files(target: Path) -> list[str]:
    listing = target / META / "FILES"
    if not listing.is_file():
        return []
    files = []
    for line in listing.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        p = PurePosixPath(line)
        if p.is_absolute() or ".." in p.parts:
            fail(f"refusing suspicious path {line!r} in {listing}")
        files.append(line)
    return files


def staged_files(staging: Path) -> list[str]:
    out = []
    for root, _dirs, names in os.walk(staging):
        for name in names:
            out.append(Path(root, name).relative_to(staging).as_posix())
    return sorted(out)


def main() -> None:
    if len(sys.argv) != 3:
        fail("usage: sync_generated.py STAGING_DIR TARGET_DIR")
    staging, target = Path(sys.argv[1]), Path(sys.argv[2])
    if not (staging / META / "FILES").is_file():
        fail(f"{staging} does not look like openapi-generator output (no {META}/FILES)")
    target.mkdir(parents=True, exist_ok=True)

    old = set(previous_files(target))
    new = staged_files(staging)

    collisions = [
        rel
        for rel in new
        if rel not in old
        and not rel.startswith(META + "/")
        and rel != ".openapi-generator-ignore"  # seeded by gen-sdks.sh from deploy/tools/
        and (target / rel).is_file()
        and not filecmp.cmp(staging / rel, target / rel, shallow=False)
    ]
    if collisions:
        fail(
            "generator output would overwrite hand-written file(s): "
            + ", ".join(collisions)
        )

    touched_dirs = set()
    for rel in sorted(old):
        p = target / rel
        if p.is_file() or p.is_symlink():
            p.unlink()
            touched_dirs.add(p.parent)
    shutil.rmtree(target / META, ignore_errors=True)

    # Prune directories emptied by the deletions (deepest first, never TARGET itself).
    for d in sorted(touched_dirs, key=lambda x: len(x.parts), reverse=True):
        while d != target and target in d.parents and d.is_dir() and not any(d.iterdir()):
            d.rmdir()
            d = d.parent

    for rel in new:
        dst = target / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(staging / rel, dst)


if __name__ == "__main__":
    main()
