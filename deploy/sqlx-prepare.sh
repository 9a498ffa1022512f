#!/usr/bin/env bash
# Regenerates the committed sqlx offline query data (.sqlx/) from a live database.
# Run after adding or changing a query!/query_as! macro. Needs PostgreSQL (deploy/dev-services.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
DB="${SQLX_PREPARE_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/helium_dev}"
psql "${DB%/*}/postgres" -qtAc "DROP DATABASE IF EXISTS ${DB##*/} WITH (FORCE)" >/dev/null
psql "${DB%/*}/postgres" -qtAc "CREATE DATABASE ${DB##*/}" >/dev/null
for f in migrations/*.sql; do psql "$DB" -q -v ON_ERROR_STOP=1 -f "$f" >/dev/null; done
rm -rf .sqlx && mkdir -p .sqlx
# Touch the crates that hold queries so the macros expand again and write .sqlx/.
touch infra/src/lib.rs
SQLX_OFFLINE=false DATABASE_URL="$DB" cargo check --workspace --all-targets --quiet
echo "sqlx offline data: $(ls .sqlx | wc -l) queries in .sqlx/"
