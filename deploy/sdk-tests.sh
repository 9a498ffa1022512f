#!/usr/bin/env bash
# SDK pipeline checks, as run by CI after `cargo build -p helium-api --bin helium`:
#   1. tooling: .tools/venv (deploy/tools/requirements.txt) and sdks/typescript/node_modules (npm ci)
#   2. deploy/gen-sdks.sh --check   committed spec + SDKs match the binary
#   3. deploy/tools/check_swift_sdk.py   Swift SDK parses, every operation present
#   4. npm test in sdks/typescript  tsc --strict build + live tests against helium
#
# Environment: HELIUM_BIN (default target/debug/helium); PostgreSQL, Redis and RabbitMQ
# on 127.0.0.1 (see sdks/typescript/test/harness.mjs for overrides).
# Runs every step, then exits non-zero if any step failed.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${HELIUM_TOOLS_VENV:-$REPO/.tools/venv}"
export HELIUM_TOOLS_VENV="$VENV"

HELIUM_BIN="${HELIUM_BIN:-$REPO/target/debug/helium}"
[[ "$HELIUM_BIN" == /* ]] || HELIUM_BIN="$PWD/$HELIUM_BIN"
export HELIUM_BIN
if [[ ! -x "$HELIUM_BIN" ]]; then
    echo "sdk-tests: helium binary not found at $HELIUM_BIN (cargo build -p helium-api --bin helium, or set HELIUM_BIN)" >&2
    exit 1
fi

failed=()
step() {   # step NAME COMMAND...
    local name="$1"; shift
    local start=$SECONDS
    echo "::: sdk-tests: $name"
    if "$@"; then
        echo "::: sdk-tests: $name ok ($((SECONDS - start)) s)"
    else
        echo "::: sdk-tests: $name FAILED ($((SECONDS - start)) s)" >&2
        failed+=("$name")
    fi
}

npm_ci() {
    (cd "$REPO/sdks/typescript" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
}

npm_test() {
    (cd "$REPO/sdks/typescript" && npm test)
}

step "tooling venv" "$REPO/deploy/tools/ensure-venv.sh"
step "npm ci" npm_ci
if (( ${#failed[@]} )); then
    echo "sdk-tests: tooling setup failed: ${failed[*]}" >&2
    exit 1
fi

step "gen-sdks --check" "$REPO/deploy/gen-sdks.sh" --check
step "swift check" "$VENV/bin/python" "$REPO/deploy/tools/check_swift_sdk.py"
step "npm test" npm_test

if (( ${#failed[@]} )); then
    echo "sdk-tests: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "sdk-tests: all passed"
