#!/usr/bin/env bash
# Runs Helium's core flows through PgBouncer in transaction mode (deploy/tests/pgbouncer_flows.py).
# Usage: deploy/tests/pgbouncer_flows.sh      (as root on Debian 12; services from deploy/dev-services.sh)
# HELIUM_BIN=path/to/helium skips the build (helium-cli is taken from the same folder).
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/tests/install-tools.sh
deploy/tools/ensure-venv.sh
if [[ -z "${HELIUM_BIN:-}" ]]; then
    cargo build -p helium-api --bins --quiet
fi
# Exit 0: every flow passed; 10: flows failed with the known `prepared statement "sqlx_s_N"
# already exists` clash; 1: other failures; 3: the harness could not start.
exec .tools/venv/bin/python deploy/tests/pgbouncer_flows.py
