#!/usr/bin/env bash
# Outbox relay and probe-consumer throughput on this machine (a benchmark, not a test).
#
#   deploy/bench/relay.sh [--events N] [--relay-only] [--keep-log]
#
# Builds release binaries if missing, creates a fresh database, inserts N `system.probe`
# outbox rows with one statement, starts `helium` in WORK_MODE=consumer (outbox relay + probe
# consumer) against a throw-away RabbitMQ virtual host, and polls every 100 ms until (a) every
# row is published (publisher confirms) and (b) every event is consumed (one receipt each).
# Prints events/s for both, then stops the process, drops the database and deletes the vhost.
#
# --relay-only inserts events of a type nobody subscribes to (`bench.unrouted`): the relay
# publishes them to the unrouted queue and the probe consumer stays idle, so the relay is
# measured alone.
#
# Environment: N (events, default 50000), RELAY_BATCH, CONSUMER_PREFETCH (passed to helium;
# unset = helium's defaults), BENCH_PG_URL (server URL without database, default
# postgres://postgres@127.0.0.1:5432), BENCH_AMQP (default amqp://guest:guest@127.0.0.1:5672),
# REDIS_URL (default redis://127.0.0.1:6379), BENCH_TIMEOUT (seconds, default 600),
# CARGO_TARGET_DIR, HELIUM_BIN (a prebuilt `helium` to use instead). Needs psql, curl, python3 and rabbitmqctl (run as root or the rabbitmq
# user; it creates and deletes the vhost).
set -euo pipefail

N=${N:-50000}
RELAY_ONLY=0
KEEP_LOG=0
while [ $# -gt 0 ]; do
  case "$1" in
    --events) N=$2; shift 2 ;;
    --events=*) N=${1#*=}; shift ;;
    --relay-only) RELAY_ONLY=1; shift ;;
    --keep-log) KEEP_LOG=1; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[[ "$N" =~ ^[1-9][0-9]*$ ]] || { echo "N must be a positive integer" >&2; exit 2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
AMQP=${BENCH_AMQP:-amqp://guest:guest@127.0.0.1:5672}
REDIS=${REDIS_URL:-redis://127.0.0.1:6379}
TIMEOUT=${BENCH_TIMEOUT:-600}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
HELIUM=${HELIUM_BIN:-$TARGET_DIR/release/helium}

for tool in psql curl python3 rabbitmqctl; do
  command -v "$tool" >/dev/null || { echo "relay.sh needs $tool" >&2; exit 2; }
done

if [ ! -x "$HELIUM" ]; then
  echo "building release binaries (cargo build --release -p helium-api)..."
  (cd "$ROOT" && cargo build --release -p helium-api)
fi

now_ms() { date +%s%3N; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
rate() { awk -v n="$1" -v ms="$2" 'BEGIN { if (ms <= 0) print "n/a"; else printf "%.0f", n * 1000 / ms }'; }

TAG="bench$(date +%s)$$"
DB="helium_${TAG}"
VHOST="$TAG"
PREFIX="$TAG"
REDIS_PREFIX="$TAG:"
DB_URL="$PG_URL/$DB"
LOG=$(mktemp "/tmp/helium-${TAG}.XXXX.log")
HELIUM_PID=""
FAILED=1

cleanup() {
  set +e
  if [ -n "$HELIUM_PID" ] && kill -0 "$HELIUM_PID" 2>/dev/null; then
    kill -TERM "$HELIUM_PID"
    for _ in $(seq 1 350); do kill -0 "$HELIUM_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$HELIUM_PID" 2>/dev/null
    wait "$HELIUM_PID" 2>/dev/null
  fi
  psql -qX "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1
  rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1
  if command -v redis-cli >/dev/null; then
    redis-cli -u "$REDIS" --scan --pattern "${REDIS_PREFIX}*" 2>/dev/null | xargs -r redis-cli -u "$REDIS" del >/dev/null 2>&1
  fi
  if [ "$FAILED" = 1 ] || [ "$KEEP_LOG" = 1 ]; then echo "helium log kept: $LOG"; else rm -f "$LOG"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

psql -qX -v ON_ERROR_STOP=1 "$PG_URL/postgres" -c "CREATE DATABASE \"$DB\"" >/dev/null
rabbitmqctl -q add_vhost "$VHOST" >/dev/null
rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*' >/dev/null
DATABASE_URL=$DB_URL "$HELIUM" migrate >>"$LOG" 2>&1

EVENT_TYPE=system.probe
[ "$RELAY_ONLY" = 1 ] && EVENT_TYPE=bench.unrouted
t=$(now_ms)
psql -qX -v ON_ERROR_STOP=1 "$DB_URL" -c "
  INSERT INTO outbox (id, event_type, aggregate_id, occurred_at, payload)
  SELECT gen_random_uuid(), '$EVENT_TYPE', 'bench', now() + g * interval '1 microsecond', jsonb_build_object('seq', g)
  FROM generate_series(1, $N) AS g" >/dev/null
echo "inserted $N $EVENT_TYPE outbox rows in $(( $(now_ms) - t )) ms (database $DB)"

HEALTH_PORT=$(free_port)
env WORK_MODE=consumer DATABASE_URL="$DB_URL" REDIS_URL="$REDIS" REDIS_KEY_PREFIX="$REDIS_PREFIX" \
  MQ_URL="$AMQP/$VHOST" MQ_PREFIX="$PREFIX" SKIP_MIGRATIONS=true \
  LISTEN_ADDR="127.0.0.1:$(free_port)" GRPC_LISTEN_ADDR="127.0.0.1:$(free_port)" HEALTH_CHECK_PORT="$HEALTH_PORT" \
  ${RELAY_BATCH:+RELAY_BATCH=$RELAY_BATCH} ${CONSUMER_PREFETCH:+CONSUMER_PREFETCH=$CONSUMER_PREFETCH} \
  "$HELIUM" >>"$LOG" 2>&1 &
HELIUM_PID=$!
T_SPAWN=$(now_ms)
echo "helium (pid $HELIUM_PID) WORK_MODE=consumer RELAY_BATCH=${RELAY_BATCH:-default} CONSUMER_PREFETCH=${CONSUMER_PREFETCH:-default} MQ vhost $VHOST"

T_READY="" T_FIRST_PUB="" T_ALL_PUB="" T_FIRST_CONS="" T_ALL_CONS=""
LAST_REPORT=$T_SPAWN
while :; do
  now=$(now_ms)
  kill -0 "$HELIUM_PID" 2>/dev/null || { echo "helium exited; log:"; tail -30 "$LOG"; exit 1; }
  if [ $(( now - T_SPAWN )) -gt $(( TIMEOUT * 1000 )) ]; then echo "timed out after ${TIMEOUT}s" >&2; exit 1; fi
  if [ -z "$T_READY" ] && curl -fsS -m 1 "http://127.0.0.1:$HEALTH_PORT/readyz" >/dev/null 2>&1; then T_READY=$now; fi
  read -r unpublished consumed < <(psql -qtAX -F ' ' "$DB_URL" -c \
    "SELECT (SELECT count(*) FROM outbox WHERE published_at IS NULL), (SELECT count(*) FROM probe_receipts)")
  now=$(now_ms)
  if [ $(( now - LAST_REPORT )) -ge 5000 ]; then
    echo "  +$(( now - T_SPAWN )) ms: published $(( N - unpublished ))/$N, consumed $consumed"
    LAST_REPORT=$now
  fi
  [ -z "$T_FIRST_PUB" ] && [ "$unpublished" -lt "$N" ] && T_FIRST_PUB=$now
  [ -z "$T_ALL_PUB" ] && [ "$unpublished" -eq 0 ] && T_ALL_PUB=$now
  [ -z "$T_FIRST_CONS" ] && [ "$consumed" -gt 0 ] && T_FIRST_CONS=$now
  [ -z "$T_ALL_CONS" ] && [ "$consumed" -ge "$N" ] && T_ALL_CONS=$now
  if [ -n "$T_ALL_PUB" ] && { [ "$RELAY_ONLY" = 1 ] || [ -n "$T_ALL_CONS" ]; }; then break; fi
  sleep 0.1
done

# Steady-state rates from the database's own timestamps (published_at / received_at are the
# start times of the relay's and the consumer's transactions), and the relay's batch cadence.
read -r pub_span_ms last_batch batches gap_avg gap_p50 gap_max < <(psql -qtAX -F ' ' "$DB_URL" -c "
  WITH b AS (SELECT published_at AS t, count(*) AS n FROM outbox GROUP BY published_at),
       g AS (SELECT extract(epoch FROM t - lag(t) OVER (ORDER BY t)) * 1000 AS gap FROM b)
  SELECT round(extract(epoch FROM max(b.t) - min(b.t)) * 1000),
         (SELECT n FROM b ORDER BY t DESC LIMIT 1), count(*),
         (SELECT round(avg(gap)::numeric, 1) FROM g), (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY gap)::numeric, 1) FROM g),
         (SELECT round(max(gap)::numeric, 1) FROM g)
  FROM b")
cons_span_ms=$(psql -qtAX "$DB_URL" -c "SELECT coalesce(round(extract(epoch FROM max(received_at) - min(received_at)) * 1000), 0) FROM probe_receipts")
dupes=$(psql -qtAX "$DB_URL" -c "SELECT count(*) FROM probe_receipts WHERE effects <> 1")

echo
echo "=== results: N=$N on $(nproc) CPU(s) ==="
echo "helium ready after $(( ${T_READY:-$T_SPAWN} - T_SPAWN )) ms; first batch published at +$(( T_FIRST_PUB - T_SPAWN )) ms"
wall_pub=$(( T_ALL_PUB - T_FIRST_PUB ))
echo "relay:    all $N published at +$(( T_ALL_PUB - T_SPAWN )) ms"
echo "          polled (first published batch -> all published, ±100 ms): $(rate "$N" "$wall_pub") events/s"
echo "          steady (published_at span $pub_span_ms ms over $((N - last_batch)) events): $(rate $((N - last_batch)) "$pub_span_ms") events/s"
echo "          $batches batches (last $last_batch events); time between batch starts: avg ${gap_avg:-n/a} ms, p50 ${gap_p50:-n/a} ms, max ${gap_max:-n/a} ms"
if [ "$RELAY_ONLY" = 0 ]; then
  wall_cons=$(( T_ALL_CONS - T_FIRST_CONS ))
  echo "consumer: all $N consumed at +$(( T_ALL_CONS - T_SPAWN )) ms (concurrently with the relay)"
  echo "          polled (first receipt -> all consumed, ±100 ms): $(rate "$N" "$wall_cons") events/s"
  echo "          steady (received_at span $cons_span_ms ms): $(rate $((N - 1)) "$cons_span_ms") events/s"
  echo "          receipts with effects <> 1: $dupes"
fi
FAILED=0
