#!/usr/bin/env bash
# The admin SPA's checks, as run by deploy/test.sh after the helium binaries are built:
#   1. Chromium from Debian (apt, idempotent; never a browser download) and npm ci
#   2. typecheck, Vitest unit tests (formatters, permission → navigation, i18n keys,
#      admin-operation coverage)
#   3. the committed build (web-admin/dist, embedded in helium) matches the sources
#   4. browser tests: playwright-core + Chromium against a live helium (web-admin/e2e) whose
#      mailer delivers to a real SMTP sink (api/tests/it/support/smtp_sink.py, aiosmtpd from
#      the tool venv)
#
# Environment: HELIUM_BIN (default target/debug/helium; helium-cli next to it), CHROMIUM_BIN
# (default /usr/bin/chromium), WEB_ADMIN_ARTIFACTS (screenshots and reports; default
# web-admin/test-artifacts), HELIUM_TOOLS_VENV (default .tools/venv) or HELIUM_PYTHON.
# PostgreSQL, Redis and RabbitMQ on 127.0.0.1.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WEB="$REPO/web-admin"
export HELIUM_BIN="${HELIUM_BIN:-$REPO/target/debug/helium}"
export CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"
VENV="${HELIUM_TOOLS_VENV:-$REPO/.tools/venv}"
export HELIUM_TOOLS_VENV="$VENV"
export HELIUM_PYTHON="${HELIUM_PYTHON:-$VENV/bin/python}"

failed=()
step() {   # step NAME COMMAND...
    local name="$1"; shift
    local start=$SECONDS
    echo "::: web-admin: $name"
    if "$@"; then
        echo "::: web-admin: $name ok ($((SECONDS - start)) s)"
    else
        echo "::: web-admin: $name FAILED ($((SECONDS - start)) s)" >&2
        failed+=("$name")
    fi
}

install_chromium() {
    [[ -x "$CHROMIUM_BIN" ]] && return 0
    if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null; then
        echo "web-admin: Chromium missing at $CHROMIUM_BIN; install Debian's chromium package" >&2
        return 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
}

npm_ci() {
    (cd "$WEB" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error) || return 1
    # The browser tests start helium with the SDK tests' harness, which has dependencies of its own.
    [[ -d "$REPO/sdks/typescript/node_modules" ]] ||
        (cd "$REPO/sdks/typescript" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
}
unit() { (cd "$WEB" && npm run typecheck && npx vitest run); }
build_fresh() { "$REPO/deploy/web-admin-build.sh" --check; }
e2e() { (cd "$WEB" && npm run e2e); }

step "chromium" install_chromium
step "tool venv (SMTP sink)" "$REPO/deploy/tools/ensure-venv.sh"
step "npm ci" npm_ci
if (( ${#failed[@]} )); then
    echo "web-admin: setup failed: ${failed[*]}" >&2
    exit 1
fi
step "unit tests" unit
step "build is fresh" build_fresh
step "browser tests" e2e

if (( ${#failed[@]} )); then
    echo "web-admin: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "web-admin: all passed"
