#!/usr/bin/env bash
# Deploy-level checks, after the cargo tests in deploy/test.sh (or alone):
#   install-tools.sh   pgbouncer + promtool (Debian), idempotent
#   manifests.py       hadolint, Compose schema, kustomize + kubernetes-validate, mode/probe coverage
#   observability.py   promtool check/test rules, dashboard and alerts use exported metrics
#   no aws-lc-rs       `cargo tree -i aws-lc-rs` finds nothing (ring/rustls only)
#   pooler_safety.py   no session state in the SQL (pooler-safe) but the cron leader's lock
#   otel_traces.py     a real OTLP receiver sees one trace from HTTP request to consumer span
#   quickstart.py      quick start on a fresh database + pg_dump/pg_restore round trip
#   pgbouncer_flows.py core flows through PgBouncer in transaction mode
#   replica.py         a pg_basebackup streaming replica as DATABASE_READ_URL: catalog and feed
#                      read from it (replay paused → stale), writes on the primary
#   schemathesis_run.py schemathesis on openapi/openapi.json against a live server: anonymous,
#                      customer, SuperAdmin with TOTP; 4 checks, 0 failures
# Needs: a debug build (HELIUM_BIN, default target/debug/helium), services on 127.0.0.1.
set -uo pipefail
cd "$(dirname "$0")/../.."
PY="${HELIUM_TOOLS_VENV:-.tools/venv}/bin/python"
export PYTHONDONTWRITEBYTECODE=1

deploy/tests/install-tools.sh || exit 1
deploy/tools/ensure-venv.sh || exit 1

passed=0
failed=()
step() {   # step NAME COMMAND...
    local name=$1; shift
    local start=$SECONDS
    echo "::: deploy checks: $name"
    if "$@"; then
        passed=$((passed + 1)); echo "::: deploy checks: $name ok ($((SECONDS - start)) s)"
    else
        failed+=("$name"); echo "::: deploy checks: $name FAILED ($((SECONDS - start)) s)" >&2
    fi
}

no_aws_lc() {
    local out
    out=$(cargo tree -i aws-lc-rs --workspace --edges normal,build 2>&1)
    if [[ $out == *"did not match any packages"* ]]; then return 0; fi
    echo "aws-lc-rs is in the dependency tree:"; echo "$out" | head -20
    return 1
}

step "manifests" "$PY" deploy/tests/manifests.py
step "observability" "$PY" deploy/tests/observability.py
step "no aws-lc-rs" no_aws_lc
step "pooler safety" "$PY" deploy/tests/pooler_safety.py
step "OpenTelemetry traces" "$PY" deploy/tests/otel_traces.py
step "quick start + backup/restore" "$PY" deploy/tests/quickstart.py
step "PgBouncer flows (transaction mode, DATABASE_STATEMENT_CACHE=0)" "$PY" deploy/tests/pgbouncer_flows.py
step "read replica (DATABASE_READ_URL, streaming replica)" "$PY" deploy/tests/replica.py
step "schemathesis (anonymous, customer, SuperAdmin with TOTP)" "$PY" deploy/tests/schemathesis_run.py

echo "deploy-checks: $passed passed, ${#failed[@]} failed"
if ((${#failed[@]})); then
    echo "deploy checks: failed: ${failed[*]}" >&2
    exit 1
fi
