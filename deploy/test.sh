#!/usr/bin/env bash
# The whole test suite, against real PostgreSQL, Redis and RabbitMQ, a real SMTP sink and a
# live helium for the SDK and admin SPA tests, then the deploy checks (deploy/tests/run.sh).
# Usage: deploy/test.sh   (what CI runs)
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/prerequisites.sh
eval "$(deploy/dev-services.sh | grep '^export ')"
# sqlx::test creates a database per test from this maintenance connection.
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres"
deploy/tools/ensure-venv.sh
# Real proxy clients that judge the subscription documents (domain/tests/telecom/judges.rs).
deploy/tools/ensure-judges.sh
export HELIUM_PYTHON="$PWD/.tools/venv/bin/python"

echo "::: cargo test (workspace)"
cargo build --workspace --all-targets --quiet
cargo test --workspace --no-fail-fast

echo "::: SDK pipeline and SDK tests"
HELIUM_BIN="$PWD/target/debug/helium" deploy/sdk-tests.sh

echo "::: admin SPA: unit tests, committed build, browser tests"
HELIUM_BIN="$PWD/target/debug/helium" deploy/web-admin-tests.sh

echo "::: deploy checks (image, compose, Kubernetes, observability, traces, quick start, PgBouncer)"
HELIUM_BIN="$PWD/target/debug/helium" deploy/tests/run.sh
