#!/usr/bin/env bash
# Benchmark: the telecom hot paths at USERS customers (default 100,000) with active packages,
# against a release `helium --mode all` on loopback (wrk on the same two CPUs).
#   1. subscription documents: wrk fetches /subscribe/{token} (Clash.Meta, sing-box, base64)
#      for 8 customers' tokens, after one warm-up fetch each (cache hits); then one fetch per
#      seeded customer (cache misses: each fetch builds a view)
#   2. node pulls: the first /UniProxy/user (every customer rendered), then the 304 answer to
#      If-None-Match — latency at 1 connection and throughput at 16
#   3. traffic pushes: 3 agents POST distinct bodies of 10,000 users each; deltas/s
#   4. memory: helium's resident set after all of it, and its peak
#   deploy/bench/telecom.sh [DURATION_SECONDS] [USERS]     (defaults 10, 100000; NODES=200)
# PIN_HELIUM=0 PIN_WRK=1 pin helium and wrk to one CPU each (taskset); PostgreSQL and Redis float.
# Needs wrk (installed with apt-get when missing and root), rabbitmqctl (root) and the services
# (deploy/dev-services.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR="${1:-10}"
USERS="${2:-100000}"
if ! command -v wrk >/dev/null; then
    [[ $(id -u) == 0 ]] && apt-get install -y -qq wrk >/dev/null
    command -v wrk >/dev/null || { echo "telecom bench: wrk is required (apt-get install wrk)" >&2; exit 1; }
fi
BIN="${HELIUM_BIN:-target/release/helium}"   # HELIUM_BIN: compare another build
[[ -x "$BIN" ]] || cargo build --release -p helium-api --bins
deploy/tools/ensure-venv.sh >/dev/null
PY=.tools/venv/bin/python

DB="helium_bench_telecom_$$"
PORT=18730; HPORT=18731
NODE_TOKEN="bench-node-token-$(openssl rand -hex 16)"
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB" >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable" REDIS_URL=redis://127.0.0.1:6379
# A throw-away RabbitMQ virtual host: its queues go with it (leftover quorum queues slow the broker).
VHOST="helium-bench-$$"
rabbitmqctl -q add_vhost "$VHOST" >/dev/null
rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*' >/dev/null
export MQ_URL="amqp://guest:guest@127.0.0.1:5672/$VHOST" REDIS_KEY_PREFIX="bench:$$:" MQ_PREFIX="bench$$"
export RATE_LIMIT_AUTH=100000000/60 RATE_LIMIT_READ=100000000/60 RATE_LIMIT_WRITE=100000000/60
export RATE_LIMIT_PUBLIC_READ=100000000/60 RUST_LOG="${BENCH_RUST_LOG:-warn}" DATABASE_MAX_CONNECTIONS=20
DATA_ENCRYPTION_KEY=$(openssl rand -base64 32); export DATA_ENCRYPTION_KEY
export PUBLIC_URL="http://127.0.0.1:$PORT"
LOG=/tmp/helium-bench-telecom.log
WORK=$(mktemp -d)
start() {
    LISTEN_ADDR=127.0.0.1:$PORT HEALTH_CHECK_PORT=$HPORT ${PIN_HELIUM:+taskset -c "$PIN_HELIUM"} \
        "$BIN" --mode all >"$LOG" 2>&1 &
    PID=$!
    for _ in $(seq 300); do curl -sf "http://127.0.0.1:$HPORT/readyz" >/dev/null && return; sleep 0.1; done
    echo "telecom bench: helium did not start" >&2; tail -20 "$LOG" >&2; exit 1
}
stop() { kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
cleanup() {
    stop
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null || true
    rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
start
B="http://127.0.0.1:$PORT/api/v1"
json() { "$PY" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# Staff API key; the node token; USERS customers with an active 1 TB package each.
KEY="hel_key_bench$(openssl rand -hex 24)"
SEED_START=$SECONDS
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 <<SQL >/dev/null
INSERT INTO staff.admins (id, email, name, role) VALUES ('00000000-0000-4000-8000-000000000001', 'root@bench.test', 'Root', 'super_admin');
INSERT INTO staff.api_keys (id, name, prefix, key_hash, role, created_by)
VALUES (gen_random_uuid(), 'bench', left('$KEY', 16), sha256('$KEY'::bytea), 'super_admin', '00000000-0000-4000-8000-000000000001');
UPDATE application__config SET value = jsonb_set(value, '{vpn_server_token}', '"$NODE_TOKEN"'), version = version + 1
 WHERE key = 'telecom';
INSERT INTO auth.users (id, email) SELECT gen_random_uuid(), 'u' || g || '@seed.bench.test' FROM generate_series(1, $USERS) g;
-- Each seeded customer's subscription token is 'seed' + its id's hex; the lookup hash is what
-- helium computes: HMAC-SHA-256 under SHA-256(label || data key) (pgcrypto's hmac).
CREATE EXTENSION IF NOT EXISTS pgcrypto;
INSERT INTO telecom.subscriptions (user_id, uuid, token_hash, token_sealed)
SELECT id, gen_random_uuid(),
       hmac(convert_to('seed' || replace(id::text, '-', ''), 'UTF8'),
            sha256(convert_to('helium subscription tokens v1', 'UTF8') || decode('$DATA_ENCRYPTION_KEY', 'base64')), 'sha256'),
       'seeded'
  FROM auth.users WHERE email LIKE '%@seed.bench.test';
INSERT INTO telecom.packages (id, user_id, name, status, traffic_bytes, duration_days, traffic_reset, device_limit, activated_at, expires_at)
SELECT gen_random_uuid(), id, 'Bench', 'active', 1099511627776, 30, 'none', 3, now(), now() + interval '30 days'
  FROM auth.users WHERE email LIKE '%@seed.bench.test';
ANALYZE;
SQL
echo "seeded $USERS customers with active packages in $((SECONDS - SEED_START)) s"
staff() { curl -sf -H "X-API-Key: $KEY" -H 'content-type: application/json' "$@"; }
SERVER=$(staff -XPOST "$B/admin/nodes/servers" -d '{"name":"Bench 1","address":"bench1.example.com","region":"JP"}' | json 'd["id"]')
for spec in '1 Bench-SS 8388 {"protocol":"shadowsocks","cipher":"aes-128-gcm"}' \
            '2 Bench-VMess 443 {"protocol":"vmess","transport":{"type":"ws","path":"/ws","host":"cdn.example.com"},"security":{"mode":"tls","server_name":"cdn.example.com"}}' \
            '3 Bench-Trojan 8443 {"protocol":"trojan","transport":{"type":"tcp"},"security":{"mode":"tls","server_name":"t.example.com"}}'; do
    read -r nid name port settings <<<"$spec"
    staff -XPOST "$B/admin/nodes/clients" -d "{\"server_id\":\"$SERVER\",\"node_id\":$nid,\"name\":\"$name\",\"port\":$port,\"settings\":$settings}" >/dev/null
done
# ... and NODES in all (default 200): the rest shadowsocks, one per agent.
for nid in $(seq 4 "${NODES:-200}"); do
    staff -XPOST "$B/admin/nodes/clients" -d "{\"server_id\":\"$SERVER\",\"node_id\":$nid,\"name\":\"Bench SS $nid\",\"port\":$((10000 + nid)),\"settings\":{\"protocol\":\"shadowsocks\",\"cipher\":\"aes-128-gcm\"}}" >/dev/null
done

# 8 customers who fetch documents (sign-up is limited per address): register, open the sealed e-mail, set a password, get a package.
TOKENS=()
for n in $(seq 8); do
    email="fetcher$n@bench.test"
    curl -sf -XPOST "$B/auth/register" -H 'content-type: application/json' -d "{\"email\":\"$email\"}" >/dev/null
    token=$("$PY" deploy/tools/sealed_mail.py "$email" link | sed 's/.*token=//')
    access=$(curl -sf -XPOST "$B/auth/register/complete" -H 'content-type: application/json' \
        -d "{\"token\":\"$token\",\"password\":\"a bench passphrase $n\"}" | json 'd["tokens"]["access_token"]')
    psql "$DATABASE_URL" -qc "INSERT INTO telecom.packages (id, user_id, name, status, traffic_bytes, duration_days, traffic_reset, activated_at, expires_at)
        SELECT gen_random_uuid(), id, 'Bench', 'active', 1099511627776, 30, 'none', now(), now() + interval '30 days' FROM auth.users WHERE email = '$email'" >/dev/null
    TOKENS+=("$(curl -sf "$B/subscription" -H "Authorization: Bearer $access" | json 'd["token"]')")
done
# Packages inserted behind the server's back: let the snapshot epoch move (an admin write bumps it).
staff -XPATCH "$B/admin/nodes/servers/$SERVER" -d '{"region":"JP"}' >/dev/null

wrk_run() {   # wrk_run NAME CONNECTIONS SCRIPT_OR_EMPTY URL [DURATION] [HEADER]
    local threads=${WRK_THREADS:-2}; [[ $2 -lt 2 ]] && threads=1
    local args=(-t"$threads" -c"$2" -d"${5:-$DUR}s" --timeout 10s --latency)
    [[ -n "$3" ]] && args+=(-s "$3")
    [[ -n "${6:-}" ]] && args+=(-H "$6")
    local out; out=$(${PIN_WRK:+taskset -c "$PIN_WRK"} wrk "${args[@]}" "$4")
    local rps p50 p99 bad
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out"); p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out"); bad=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    printf '%-34s %9s req/s  p50 %-8s p99 %-8s non-2xx %s\n' "$1" "$rps" "$p50" "$p99" "${bad:-0}"
}

echo "== subscription documents (8 customers' tokens, cache hits)"
for flag in meta sing-box general; do
    { printf 'paths = {'; for t in "${TOKENS[@]}"; do printf '"/subscribe/%s?flag=%s",' "$t" "$flag"; done; printf '}\n'
      echo 'local n = 0
function request() n = n + 1; return wrk.format("GET", paths[(n % #paths) + 1]) end'; } > "$WORK/sub-$flag.lua"
    for t in "${TOKENS[@]}"; do curl -sf -o /dev/null "http://127.0.0.1:$PORT/subscribe/$t?flag=$flag"; done
    bytes=$(curl -sf "http://127.0.0.1:$PORT/subscribe/${TOKENS[0]}?flag=$flag" | wc -c)
    wrk_run "subscribe flag=$flag ($bytes B)" "${HIT_CONNECTIONS:-32}" "$WORK/sub-$flag.lua" "http://127.0.0.1:$PORT"
done

echo "== subscription documents, cache misses (a different seeded customer per fetch, Clash.Meta)"
{ printf 'paths = {'
  psql "$DATABASE_URL" -tAc "SELECT '\"/subscribe/seed' || replace(user_id::text, '-', '') || '?flag=meta\",'
                             FROM telecom.subscriptions WHERE token_sealed = 'seeded' ORDER BY random()" | tr -d '\n'
  printf '}\n'
  echo 'local n = 0
function request() n = n + 1; return wrk.format("GET", paths[(n % #paths) + 1]) end'; } > "$WORK/sub-miss.lua"
curl -sf -o /dev/null -w 'one miss: %{http_code}, %{size_download} B\n' \
    "http://127.0.0.1:$PORT$(grep -o '/subscribe/seed[0-9a-f]*?flag=meta' "$WORK/sub-miss.lua" | tail -1)"
wrk_run "subscribe flag=meta, cache miss" 32 "$WORK/sub-miss.lua" "http://127.0.0.1:$PORT" 5
[[ -n "${ONLY_SUBSCRIBE:-}" ]] && exit 0   # iterate on the document paths alone

echo "== node pulls ($USERS users on each node)"
U="http://127.0.0.1:$PORT/api/v1/server/UniProxy/user?token=$NODE_TOKEN&node_id=1&node_type=shadowsocks"
first=$(curl -sf -o "$WORK/users.json" -D "$WORK/users.h" -w '%{time_total}' "$U")
ETAG=$(awk 'tolower($1) == "etag:" {print $2}' "$WORK/users.h" | tr -d '\r')
echo "first pull: $(wc -c <"$WORK/users.json") B, $("$PY" -c "import json; print(len(json.load(open('$WORK/users.json'))['users']))") users in ${first}s"
again=$(curl -sf -o /dev/null -w '%{time_total}' "$U")
echo "second pull (snapshot cached, full body): ${again}s"
# Server time: http_request_duration_seconds of the route (middleware + handler), sum / count.
route_time() {
    curl -sf "http://127.0.0.1:$HPORT/metrics" | awk -v s="$1" '
        index($0, "route=\"/api/v1/server/UniProxy/user\"") && index($0, "status=\"" s "\"") {
            if ($1 ~ /^http_request_duration_seconds_sum/) sum += $2
            if ($1 ~ /^http_request_duration_seconds_count/) n += $2 }
        END { printf "%.9f %d\n", sum, n }'
}
read -r s0 n0 < <(route_time 304)
wrk_run "user 304 (If-None-Match), 1 conn" 1 "" "$U" 5 "If-None-Match: $ETAG"
read -r s1 n1 < <(route_time 304)
echo "  server time per 304 (mean over $((n1 - n0))): $("$PY" -c "print(f'{($s1 - $s0) / max(1, $n1 - $n0) * 1e6:.1f} µs')")"
wrk_run "user 304 (If-None-Match), 16 conn" 16 "" "$U" 5 "If-None-Match: $ETAG"

echo "== traffic pushes (3 agents, 10,000 users per push)"
psql "$DATABASE_URL" -tAc "SELECT agent_id FROM telecom.subscriptions ORDER BY agent_id" > "$WORK/agents.txt"
"$PY" - "$WORK/agents.txt" "http://127.0.0.1:$PORT" "$NODE_TOKEN" "$DUR" <<'PY'
import http.client, json, random, sys, threading, time
ids = [int(x) for x in open(sys.argv[1]) if x.strip()]
host = sys.argv[2].split("//")[1]
token, duration = sys.argv[3], float(sys.argv[4])
sent, errors, lock = [0], [0], threading.Lock()
def agent(node):
    conn = http.client.HTTPConnection(host)
    path = f"/api/v1/server/UniProxy/push?token={token}&node_id={node}&node_type=" + ["shadowsocks", "vmess", "trojan", "shadowsocks"][node - 1]
    end = time.monotonic() + duration
    while time.monotonic() < end:
        users = random.sample(ids, min(10_000, len(ids)))
        body = json.dumps({str(u): [random.randint(1, 10**7), random.randint(1, 10**8)] for u in users})
        conn.request("POST", path, body, {"content-type": "application/json"})
        r = conn.getresponse(); r.read()
        with lock:
            if r.status == 200: sent[0] += len(users)
            else: errors[0] += 1
start = time.monotonic()
threads = [threading.Thread(target=agent, args=(n,)) for n in (1, 2, 3)]
for t in threads: t.start()
for t in threads: t.join()
secs = time.monotonic() - start
print(f"pushed {sent[0]} deltas in {secs:.1f}s: {sent[0] / secs:,.0f} deltas/s (failed pushes: {errors[0]})")
PY
used=$(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM telecom.packages WHERE upload > 0")
echo "packages with traffic counted: $used"

echo "== SQL statements (helium_db_statements_total; BEGIN/COMMIT not counted; background work of"
echo "   the all-mode process (outbox relay, cron) is shown measured idle over the same time)"
statements() { curl -sf "http://127.0.0.1:$HPORT/metrics" | awk '/^helium_db_statements_total/ {print $2}'; }
counted() {   # counted LABEL COMMAND...: statements of COMMAND minus idle ones over as long
    local label="$1"; shift
    sleep 0.5
    local t0 b0 b1 b2 dt
    b0=$(statements); t0=$(date +%s.%N)
    "$@"
    b1=$(statements); dt=$(echo "$(date +%s.%N) - $t0" | bc)
    sleep "$dt"
    b2=$(statements)
    echo "$label: $((b1 - b0)) statements, idle over the same time: $((b2 - b1))"
}
pulls() { for _ in $(seq 20); do curl -sf -o /dev/null -H "If-None-Match: $ETAG" "$U"; done; }
fetches() { for _ in $(seq 20); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/subscribe/${TOKENS[0]}?flag=meta"; done; }
A=$(head -1 "$WORK/agents.txt")
P="http://127.0.0.1:$PORT/api/v1/server/UniProxy/push?token=$NODE_TOKEN&node_id=1&node_type=shadowsocks"
push() { curl -sf -o /dev/null -XPOST -H 'content-type: application/json' -d "{\"$A\":[$1,2]}" "$P"; }
counted "20 unchanged pulls (304)" pulls
counted "20 cached subscription fetches" fetches
sleep 16   # past the contact-recording throttle
counted "one push (with the throttled contact record)" push 1
counted "the next push within 15 s" push 2

echo "== memory"
awk '/VmRSS|VmHWM/ {printf "%s %.1f MB\n", $1, $2 / 1024}' "/proc/$PID/status"
