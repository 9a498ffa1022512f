#!/usr/bin/env bash
# Measures cold start to ready (/readyz 200) and idle RSS after start-up, for `all` and `api`
# modes of the release binary, on a fresh database each time.
#   deploy/bench/startup.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ -x target/release/helium ]] || cargo build --release -p helium-api --bins
export REDIS_URL=redis://127.0.0.1:6379 MQ_URL="amqp://guest:guest@127.0.0.1:5672/%2f" RUST_LOG=warn
for mode in all api; do
    DB="helium_bench_start_${mode}_$$"
    psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB" >/dev/null
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB" REDIS_KEY_PREFIX="bench:$$:$mode:" MQ_PREFIX="bench$$$mode"
    start=$(date +%s%N)
    LISTEN_ADDR=127.0.0.1:18800 GRPC_LISTEN_ADDR=127.0.0.1:18802 HEALTH_CHECK_PORT=18801 \
        target/release/helium --mode "$mode" >/tmp/helium-bench-start.log 2>&1 &
    pid=$!
    until curl -sf http://127.0.0.1:18801/readyz >/dev/null; do sleep 0.01; done
    ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    sleep 5   # let start-up allocations settle, workers idle
    rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    anon_kb=$(awk '/^Anonymous:/ {print $2}' "/proc/$pid/smaps_rollup")
    threads=$(awk '/Threads/ {print $2}' "/proc/$pid/status")
    # 1,000 mixed requests (meta, products, the admin app, the spec, a 404, a bad login), then idle again.
    for i in $(seq 1000); do
        case $((i % 6)) in
            0) echo "http://127.0.0.1:18800/api/v1/meta" ;;
            1) echo "http://127.0.0.1:18800/api/v1/products" ;;
            2) echo "http://127.0.0.1:18800/admin/" ;;
            3) echo "http://127.0.0.1:18800/openapi.json" ;;
            4) echo "http://127.0.0.1:18800/api/v1/nope" ;;
            5) echo "http://127.0.0.1:18800/api/v1/orders" ;;
        esac
    done | xargs -P 8 -I{} curl -s -o /dev/null {}
    sleep 5
    busy_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    busy_anon_kb=$(awk '/^Anonymous:/ {print $2}' "/proc/$pid/smaps_rollup")
    echo "mode=$mode cold_start_to_ready_ms=$ready_ms (includes migrations on an empty database) idle_rss_mb=$(awk "BEGIN {printf \"%.1f\", $rss_kb/1024}") after_1000_requests_rss_mb=$(awk "BEGIN {printf \"%.1f\", $busy_kb/1024}") threads=$threads"
    echo "  of which anonymous (heap, stacks): idle $(awk "BEGIN {printf \"%.1f\", $anon_kb/1024}") MB, after the requests $(awk "BEGIN {printf \"%.1f\", $busy_anon_kb/1024}") MB; the rest is mapped files (the binary's code and data, libc)"
    kill -TERM "$pid"; wait "$pid" || true
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
done
