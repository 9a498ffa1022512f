#!/usr/bin/env bash
# Benchmark: customer sign-in throughput (Argon2id m=19456 KiB, t=2, p=1) and authenticated
# GET /api/v1/me (JWT verify + cached session check), against a release `helium` in `api`
# mode on loopback. Needs wrk (apt-get install wrk) and the services (deploy/dev-services.sh).
#   deploy/bench/auth.sh [DURATION_SECONDS]     (default 10)
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR="${1:-10}"
command -v wrk >/dev/null || { echo "auth bench: wrk is required (apt-get install wrk)" >&2; exit 1; }
BIN="${HELIUM_BIN:-target/release/helium}"   # HELIUM_BIN: compare another build
[[ -x "$BIN" ]] || cargo build --release -p helium-api --bins

DB="helium_bench_auth_$$"
PORT=18700; HPORT=18701
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB" >/dev/null
# Loopback database: no TLS (as a same-host deployment would run it).
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable" REDIS_URL=redis://127.0.0.1:6379
export MQ_URL="amqp://guest:guest@127.0.0.1:5672/%2f" REDIS_KEY_PREFIX="bench:$$:" MQ_PREFIX="bench$$"
export RATE_LIMIT_AUTH=100000000/60 RATE_LIMIT_READ=100000000/60 RUST_LOG=warn
# A known data key, so the script can open the e-mailed link in the outbox (sealed).
DATA_ENCRYPTION_KEY=$(openssl rand -base64 32); export DATA_ENCRYPTION_KEY
deploy/tools/ensure-venv.sh >/dev/null
LISTEN_ADDR=127.0.0.1:$PORT HEALTH_CHECK_PORT=$HPORT "$BIN" --mode api >/tmp/helium-bench-auth.log 2>&1 &
PID=$!
cleanup() {
    kill -TERM "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null || true
    rm -f /tmp/helium-bench-login.lua
}
trap cleanup EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$HPORT/readyz" >/dev/null && break; sleep 0.1; done

B="http://127.0.0.1:$PORT/api/v1"
EMAIL="bench-user@example.test"; PASSWORD="a bench passphrase 123"
curl -sf -XPOST "$B/auth/register" -H 'content-type: application/json' -d "{\"email\":\"$EMAIL\"}" >/dev/null
TOKEN=$(.tools/venv/bin/python deploy/tools/sealed_mail.py "$EMAIL" link | sed 's/.*token=//')
ACCESS=$(curl -sf -XPOST "$B/auth/register/complete" -H 'content-type: application/json' \
    -d "{\"token\":\"$TOKEN\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens"]["access_token"])')

cat > /tmp/helium-bench-login.lua <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"$EMAIL","password":"$PASSWORD"}'
LUA
echo "== login (POST /api/v1/auth/login), 8 connections, ${DUR}s"
wrk -t2 -c8 -d"${DUR}s" --latency -s /tmp/helium-bench-login.lua "$B/auth/login" | grep -E "Requests/sec|Latency|99%|Non-2xx"
# 16 connections: at 10k rps a closed-loop client with C connections waits C/10k s per request
# on average (64 connections alone would mean 6.4 ms), so the latency target needs a modest C.
for C in 16 64; do
    echo "== authenticated GET /api/v1/me, $C connections, ${DUR}s"
    wrk -t2 -c$C -d"${DUR}s" --latency -H "Authorization: Bearer $ACCESS" "$B/me" | grep -E "Requests/sec|Latency|50%|99%|Non-2xx"
done
