#!/usr/bin/env bash
# Benchmark: staff reads under growing concurrency (issue: a request that held a pooled
# connection while waiting for a second one locked the pool at 32 connections).
# `helium --mode api` (release) pinned to one core, DATABASE_MAX_CONNECTIONS=10, 10,000
# customers, wrk with a staff API key on GET /api/v1/admin/customers/{id} (adminGetCustomer:
# account + identities + live sessions on ONE connection) at 2/8/32/128 connections.
# Throughput must not fall as connections grow past the pool size, and nothing may fail.
#   deploy/bench/staff_read.sh [DURATION_SECONDS]     (default 10)
# Needs wrk (installed with apt-get when missing and root) and the services (deploy/dev-services.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR="${1:-10}"
if ! command -v wrk >/dev/null; then
    [[ $(id -u) == 0 ]] && apt-get install -y -qq wrk >/dev/null
    command -v wrk >/dev/null || { echo "staff-read bench: wrk is required (apt-get install wrk)" >&2; exit 1; }
fi
[[ -x target/release/helium ]] || cargo build --release -p helium-api --bins

DB="helium_bench_staff_$$"
PORT=18710; HPORT=18711
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB" >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable" REDIS_URL=redis://127.0.0.1:6379
export MQ_URL="amqp://guest:guest@127.0.0.1:5672/%2f" REDIS_KEY_PREFIX="bench:$$:" MQ_PREFIX="bench$$"
export RATE_LIMIT_READ=100000000/60 RUST_LOG=warn DATABASE_MAX_CONNECTIONS=10
LOG=/tmp/helium-bench-staff.log
LISTEN_ADDR=127.0.0.1:$PORT HEALTH_CHECK_PORT=$HPORT taskset -c 0 target/release/helium --mode api >"$LOG" 2>&1 &
PID=$!
LUA=$(mktemp --suffix=.lua)
cleanup() {
    kill -TERM "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null || true
    rm -f "$LUA"
}
trap cleanup EXIT
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$HPORT/readyz" >/dev/null && break; sleep 0.1; done

# 10,000 customers, a SuperAdmin and an API key of theirs (only the key's SHA-256 is stored).
KEY="hel_key_bench$(openssl rand -hex 24)"
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 <<SQL >/dev/null
INSERT INTO auth.users (id, email, display_name)
SELECT gen_random_uuid(), 'customer' || n || '@bench.test', 'Customer ' || n FROM generate_series(1, 10000) n;
INSERT INTO staff.admins (id, email, name, role) VALUES ('00000000-0000-4000-8000-000000000001', 'root@bench.test', 'Root', 'super_admin');
INSERT INTO staff.api_keys (id, name, prefix, key_hash, role, created_by)
VALUES (gen_random_uuid(), 'bench', left('$KEY', 16), sha256('$KEY'::bytea), 'super_admin', '00000000-0000-4000-8000-000000000001');
SQL
# wrk picks one of 500 customers per request.
{
    echo "ids = {"
    psql "$DATABASE_URL" -tAc "SELECT '\"' || id || '\",' FROM auth.users ORDER BY random() LIMIT 500"
    echo "}"
    echo 'request = function() return wrk.format("GET", "/api/v1/admin/customers/" .. ids[math.random(#ids)], {["X-API-Key"] = "'"$KEY"'"}) end'
} >"$LUA"
curl -sf -H "X-API-Key: $KEY" "http://127.0.0.1:$PORT/api/v1/admin/customers?limit=1" >/dev/null \
    || { echo "staff-read bench: the API key does not work" >&2; tail -20 "$LOG" >&2; exit 1; }

printf '%-12s %10s %10s %10s %10s\n' connections req/s p50 p99 non-2xx
for C in 2 8 32 128; do
    out=$(wrk -t2 -c"$C" -d"${DUR}s" --timeout 10s --latency -s "$LUA" "http://127.0.0.1:$PORT")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    bad=$(awk '/Non-2xx/ {print $NF}' <<<"$out"); bad=${bad:-0}
    timeouts=$(awk '/Socket errors/ {for (i = 1; i <= NF; i++) if ($i == "timeout") print $(i + 1)}' <<<"$out"); timeouts=${timeouts:-0}
    printf '%-12s %10s %10s %10s %10s\n' "$C" "$rps" "$p50" "$p99" "$((bad + timeouts))"
done
echo "pool timeouts in the log: $(grep -c 'no pooled connection' "$LOG" || true)"
