#!/usr/bin/env bash
# Creates/updates the SDK tooling venv (.tools/venv) from deploy/tools/requirements.txt.
#
# Idempotent and offline once the venv matches requirements.txt: the venv records the
# sha256 of the requirements it was built from and is only (re)installed when that changes.
# Override the location with HELIUM_TOOLS_VENV=/path (absolute).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REQ="$REPO/deploy/tools/requirements.txt"
VENV="${HELIUM_TOOLS_VENV:-$REPO/.tools/venv}"
STAMP="$VENV/.helium-requirements.sha256"
PYTHON="${PYTHON:-python3}"

want="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
    exit 0
fi

echo "ensure-venv: installing $(realpath --relative-to="$REPO" "$REQ") into $VENV" >&2
if [[ ! -x "$VENV/bin/python" ]]; then
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
        # Debian's python3 ships venv separately.
        if command -v apt-get >/dev/null && [[ $EUID -eq 0 ]]; then
            echo "ensure-venv: installing python3-venv" >&2
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        fi
        rm -rf "$VENV"
        "$PYTHON" -m venv "$VENV"
    fi
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
echo "$want" > "$STAMP"
