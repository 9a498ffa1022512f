#!/usr/bin/env bash
# Benchmark: paid orders end to end (createOrder + payOrderWithWallet) and Epay notify
# handling, against a release `helium --mode all` on loopback (wrk on the same two CPUs).
#   1. buy:     16 wrk connections, each creating an order (POST /api/v1/orders) and paying it
#               from the wallet (POST /api/v1/orders/{id}/pay/wallet), an Idempotency-Key each,
#               rotating over CUSTOMERS customers (default 64; one customer's orders are created
#               one at a time, so fewer customers than connections measures lock waits)
#   2. notify:  gateway payments are started for fresh orders, then wrk posts one correctly
#      signed Epay notify per payment (form POST), each settling its order, to a `webhook_api`
#      process (NOTIFY_MODE)
#   3. SQL statements of one create + pay, counted from sqlx's statement log
#   deploy/bench/commerce.sh [DURATION_SECONDS]     (default 10)
# Needs wrk (installed with apt-get when missing and root), rabbitmqctl (root) and the services
# (deploy/dev-services.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR="${1:-10}"
if ! command -v wrk >/dev/null; then
    [[ $(id -u) == 0 ]] && apt-get install -y -qq wrk >/dev/null
    command -v wrk >/dev/null || { echo "commerce bench: wrk is required (apt-get install wrk)" >&2; exit 1; }
fi
BIN="${HELIUM_BIN:-target/release/helium}"   # HELIUM_BIN: compare another build
[[ -x "$BIN" ]] || cargo build --release -p helium-api --bins
deploy/tools/ensure-venv.sh >/dev/null
PY=.tools/venv/bin/python

DB="helium_bench_shop_$$"
PORT=18720; HPORT=18721
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB" >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable" REDIS_URL=redis://127.0.0.1:6379
# A throw-away RabbitMQ virtual host: its queues go with it (leftover quorum queues slow the broker).
VHOST="helium-bench-$$"
rabbitmqctl -q add_vhost "$VHOST" >/dev/null
rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*' >/dev/null
export MQ_URL="amqp://guest:guest@127.0.0.1:5672/$VHOST" REDIS_KEY_PREFIX="bench:$$:" MQ_PREFIX="bench$$"
export RATE_LIMIT_AUTH=100000000/60 RATE_LIMIT_READ=100000000/60 RATE_LIMIT_WRITE=100000000/60
export RATE_LIMIT_WEBHOOK=100000000/60 RUST_LOG="${BENCH_RUST_LOG:-warn}" DATABASE_MAX_CONNECTIONS="${DATABASE_MAX_CONNECTIONS:-20}"
DATA_ENCRYPTION_KEY=$(openssl rand -base64 32); export DATA_ENCRYPTION_KEY
export PUBLIC_URL="http://127.0.0.1:$PORT"
LOG=/tmp/helium-bench-shop.log
WORK=$(mktemp -d)
start() {
    LISTEN_ADDR=127.0.0.1:$PORT HEALTH_CHECK_PORT=$HPORT "$BIN" --mode "${MODE:-all}" >"$LOG" 2>&1 &
    PID=$!
    for _ in $(seq 300); do curl -sf "http://127.0.0.1:$HPORT/readyz" >/dev/null && return; sleep 0.1; done
    echo "commerce bench: helium did not start" >&2; tail -20 "$LOG" >&2; exit 1
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

# Staff: a SuperAdmin API key (only its SHA-256 is stored). Many unpaid orders allowed.
KEY="hel_key_bench$(openssl rand -hex 24)"
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 <<SQL >/dev/null
INSERT INTO staff.admins (id, email, name, role) VALUES ('00000000-0000-4000-8000-000000000001', 'root@bench.test', 'Root', 'super_admin');
INSERT INTO staff.api_keys (id, name, prefix, key_hash, role, created_by)
VALUES (gen_random_uuid(), 'bench', left('$KEY', 16), sha256('$KEY'::bytea), 'super_admin', '00000000-0000-4000-8000-000000000001');
UPDATE application__config SET value = jsonb_set(jsonb_set(value, '{max_unpaid_orders}', '1000000'),
       '{epay_notify_url}', '"http://127.0.0.1:$PORT/webhooks/epay/notify"'), version = version + 1 WHERE key = 'shop';
SQL
staff() { curl -sf -H "X-API-Key: $KEY" -H 'content-type: application/json' "$@"; }
SERIES=$(staff -XPOST "$B/admin/package-series" -d '{"name":"Bench"}' | json 'd["id"]')
VERSION=$(staff -XPOST "$B/admin/package-series/$SERIES/versions" \
    -d '{"traffic_bytes":107374182400,"duration_days":30,"speed_limit_mbps":null,"device_limit":3,"traffic_reset":"none"}' | json 'd["id"]')
staff -XPOST "$B/admin/package-series/$SERIES/versions/$VERSION/publish" >/dev/null
PRODUCT=$(staff -XPOST "$B/admin/products" -d "{\"name\":\"Bench 30d\",\"price\":700,\"package_series_id\":\"$SERIES\",\"group_ids\":[\"018f0000-0000-7000-8000-000000000001\"],\"on_sale\":true}" | json 'd["id"]')
# Gateway accounts hold merchant keys: human staff with TOTP only (API keys cannot).
ADMIN=$(HELIUM_CLI=target/release/helium-cli "$PY" deploy/tools/staff_session.py "http://127.0.0.1:$PORT" boss@bench.test)
METHOD=$(curl -sf -H "Authorization: Bearer $ADMIN" -H 'content-type: application/json' -XPOST "$B/admin/payment-methods" \
    -d '{"kind":"epay","name":"Bench","channel":"alipay","url":"http://127.0.0.1:9","pid":"1001","key":"bench-merchant-key","enabled":true}' | json 'd["id"]')

# Customers: the first through the real sign-up flow (register, open the sealed e-mail, set a
# password); the others are copies of it with their own e-mail (sign-ups are rate limited per
# client address), each signed in with the password; 10^9 minor units each.
PASSWORD="a bench passphrase"
curl -sf -XPOST "$B/auth/register" -H 'content-type: application/json' -d '{"email":"buyer1@bench.test"}' >/dev/null
token=$("$PY" deploy/tools/sealed_mail.py buyer1@bench.test link | sed 's/.*token=//')
curl -sf -XPOST "$B/auth/register/complete" -H 'content-type: application/json' \
    -d "{\"token\":\"$token\",\"password\":\"$PASSWORD\"}" >/dev/null
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -c "INSERT INTO auth.users (id, email, password_hash)
    SELECT gen_random_uuid(), 'buyer' || n || '@bench.test', u.password_hash
    FROM generate_series(2, ${CUSTOMERS:-64}) n, auth.users u WHERE u.email = 'buyer1@bench.test'"
TOKENS=()
for n in $(seq "${CUSTOMERS:-64}"); do
    access=$(curl -sf -XPOST "$B/auth/login" -H 'content-type: application/json' \
        -d "{\"email\":\"buyer$n@bench.test\",\"password\":\"$PASSWORD\"}" | json 'd["access_token"]')
    TOKENS+=("$access")
    uid=$(psql "$DATABASE_URL" -tAc "SELECT id FROM auth.users WHERE email = 'buyer$n@bench.test'")
    staff -XPOST "$B/admin/wallets/$uid/adjustments" -H "Idempotency-Key: fund-$n" \
        -d '{"kind":"deposit","amount":1000000000,"reason":"bench funds"}' >/dev/null
done
# Let the cached shop configuration expire everywhere (1 s in process, 3 s in Redis).
sleep 4

lua_tokens() { printf 'tokens = {'; printf '"%s",' "${TOKENS[@]}"; printf '}\n'; }
cat > "$WORK/create.lua" <<LUA
$(lua_tokens)
local n = 0
local counter = 1
function setup(thread) thread:set("tid", counter); counter = counter + 1 end
function request()
    n = n + 1
    local token = tokens[(n % #tokens) + 1]
    return wrk.format("POST", "/api/v1/orders", {
        ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json",
        ["Idempotency-Key"] = "bench-" .. tid .. "-" .. n,
    }, '{"product_id":"$PRODUCT"}')
end
LUA

# Orders per customer (by access token) as a Lua table, split over wrk's two threads.
orders_lua() {   # orders_lua STATUS PATH_SUFFIX BODY
    {
        lua_tokens
        echo "orders = {"
        psql "$DATABASE_URL" -tA -F' ' -c "SELECT o.id, u.email FROM shop.orders o JOIN auth.users u ON u.id = o.user_id
                                           WHERE o.status = '$1' ORDER BY o.created_at" |
            while read -r id email; do n=${email#buyer}; n=${n%%@*}; echo "{\"$id\",$n},"; done
        echo "}"
        cat <<LUA
local counter, k, step, done = 0, 0, 2, 0
function setup(thread) thread:set("first", counter); counter = counter + 1 end
function init() k = first + 1 end
function request()
    local o = orders[k]
    if o == nil then o = orders[#orders] end
    k = k + step
    return wrk.format("POST", "/api/v1/orders/" .. o[1] .. "$2", {
        ["Authorization"] = "Bearer " .. tokens[o[2]], ["Content-Type"] = "application/json",
        ["Idempotency-Key"] = "pay-" .. o[1] .. "-" .. k,
    }, '$3')
end
LUA
    } > "$WORK/$4.lua"
}

STATUS_LUA=$(cat <<'LUA'

local threads = {}
local old_setup = setup
function setup(thread)
    table.insert(threads, thread)
    if old_setup then old_setup(thread) end
end
statuses = {}
local old_response = response
function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
    if status >= 400 and (errors or 0) < 3 then errors = (errors or 0) + 1; io.stderr:write(status .. " " .. body .. "\n") end
    if old_response then old_response(status, headers, body) end
end
function done()
    local total = {}
    for _, t in ipairs(threads) do
        for code, n in pairs(t:get("statuses")) do total[code] = (total[code] or 0) + n end
    end
    local parts = {}
    for code, n in pairs(total) do table.insert(parts, code .. "=" .. n) end
    io.stderr:write("statuses: " .. table.concat(parts, " ") .. "\n")
end
LUA
)
wrk_run() {   # wrk_run NAME CONNECTIONS SCRIPT URL [DURATION]
    echo "$STATUS_LUA" >> "$3"
    local out; out=$(wrk -t2 -c"$2" -d"${5:-$DUR}s" --timeout 10s --latency -s "$3" "$4")
    local rps p50 p99 bad secs reqs
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out"); p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out"); bad=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    reqs=$(awk '/requests in/ {print $1}' <<<"$out")
    secs=$(awk '/requests in/ {v = $4; sub(/,$/, "", v); if (v ~ /m$/) { sub(/m$/, "", v); v = v * 60 } else { sub(/s$/, "", v) } print v}' <<<"$out")
    printf '%-24s %8s req/s  p50 %-8s p99 %-8s requests %-7s in %-7s non-2xx %s\n' "$1" "$rps" "$p50" "$p99" "$reqs" "$secs" "${bad:-0}"
    LAST_SECS=$secs
}

# Paid orders end to end: each of 16 wrk threads holds one connection and one customer at a
# time, creates an order, pays it from the wallet as soon as the order comes back, then moves on
# to another customer (so a customer's unpaid orders stay as few as in real use).
cat > "$WORK/buy.lua" <<LUA
$(lua_tokens)
local counter = 0
function setup(thread) thread:set("tid", counter); counter = counter + 1 end
local pending, n, paid = nil, 0, 0
local function token() return tokens[((tid + 16 * paid) % #tokens) + 1] end
function request()
    n = n + 1
    if pending then
        return wrk.format("POST", "/api/v1/orders/" .. pending .. "/pay/wallet", {
            ["Authorization"] = "Bearer " .. token(), ["Idempotency-Key"] = "pay-" .. tid .. "-" .. n,
        })
    end
    return wrk.format("POST", "/api/v1/orders", {
        ["Authorization"] = "Bearer " .. token(), ["Content-Type"] = "application/json",
        ["Idempotency-Key"] = "buy-" .. tid .. "-" .. n,
    }, '{"product_id":"$PRODUCT"}')
end
function response(status, headers, body)
    if pending then
        pending = nil
        if status == 200 then paid = paid + 1 end
    elseif status == 201 then
        pending = string.match(body, '"id":"([^"]+)"')
    end
end
LUA

echo "== paid orders end to end: create + wallet pay (16 connections, one customer each at a time)"
BEFORE=$(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM shop.orders WHERE status IN ('paid', 'delivered')")
echo "$STATUS_LUA" >> "$WORK/buy.lua"
OUT=$(wrk -t16 -c16 -d"${DUR}s" --timeout 10s --latency -s "$WORK/buy.lua" "http://127.0.0.1:$PORT" 2>&1)
PAID=$(( $(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM shop.orders WHERE status IN ('paid', 'delivered')") - BEFORE ))
SECS=$(awk '/requests in/ {v = $4; sub(/,$/, "", v); sub(/s$/, "", v); print v}' <<<"$OUT")
grep -E "statuses|Requests/sec" <<<"$OUT"
printf 'requests (create or pay): p50 %s  p90 %s  p99 %s\n' "$(awk '$1 == "50%" {print $2}' <<<"$OUT")" \
    "$(awk '$1 == "90%" {print $2}' <<<"$OUT")" "$(awk '$1 == "99%" {print $2}' <<<"$OUT")"
echo "paid $PAID orders in ${SECS}s: $("$PY" -c "print(round($PAID/$SECS))") paid orders/s end to end"
BAD=$(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM (SELECT posting_id FROM wallet.entries GROUP BY posting_id HAVING sum(amount) <> 0) x")
echo "unbalanced postings: $BAD"

echo "== Epay notify (16 connections)"
wrk_run "createOrder" 16 "$WORK/create.lua" "http://127.0.0.1:$PORT" 5 >/dev/null
orders_lua unpaid /pay/gateway "{\"payment_method_id\":\"$METHOD\"}" gateway
wrk_run "startGatewayPayment" 16 "$WORK/gateway.lua" "http://127.0.0.1:$PORT" 10
psql "$DATABASE_URL" -tA -F' ' -c "SELECT p.out_trade_no, p.amount FROM shop.payments p WHERE p.status = 'pending'" |
    "$PY" -c '
import hashlib, sys, urllib.parse
print("bodies = {")
for line in sys.stdin:
    out_trade_no, amount = line.split()
    amount = int(amount)
    money = str(amount // 100) + ("." + ("%02d" % (amount % 100)).rstrip("0") if amount % 100 else "")
    p = {"pid": "1001", "trade_no": "G" + out_trade_no, "out_trade_no": out_trade_no, "type": "alipay",
         "name": "Bench 30d", "money": money, "trade_status": "TRADE_SUCCESS"}
    raw = "&".join(f"{k}={p[k]}" for k in sorted(p)) + "bench-merchant-key"
    p["sign"] = hashlib.md5(raw.encode()).hexdigest(); p["sign_type"] = "MD5"
    print("\"" + urllib.parse.urlencode(p) + "\",")
print("}")' > "$WORK/notify.lua"
cat >> "$WORK/notify.lua" <<'LUA'
local counter, k, step = 0, 0, 2
function setup(thread) thread:set("first", counter); counter = counter + 1 end
function init() k = first + 1 end
function request()
    local b = bodies[k] or bodies[#bodies]
    k = k + step
    return wrk.format("POST", "/webhooks/epay/notify", {["Content-Type"] = "application/x-www-form-urlencoded"}, b)
end
LUA
# Notifies are served by the `webhook_api` mode (ARCHITECTURE.md): measured there, without the
# consumers of the paid orders above competing for the CPUs (NOTIFY_MODE=all to include them).
stop
MODE="${NOTIFY_MODE:-webhook_api}" start
BEFORE=$(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM shop.payments WHERE status = 'succeeded'")
wrk_run "epayNotifyPost" 16 "$WORK/notify.lua" "http://127.0.0.1:$PORT" 5
SETTLED=$(( $(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM shop.payments WHERE status = 'succeeded'") - BEFORE ))
echo "settled by notify: $SETTLED in ${LAST_SECS}s = $("$PY" -c "print(round($SETTLED/$LAST_SECS))") settlements/s"

echo "== SQL statements per paid order (helium_db_statements_total around one create + pay; BEGIN/COMMIT not counted)"
stop
MODE=api start   # no relay or cron polling between the requests
T=${TOKENS[0]}
statements() { sleep 0.3; curl -sf "http://127.0.0.1:$HPORT/metrics" | awk '/^helium_db_statements_total/ {print $2}'; }
paid_order() {   # paid_order N: create + pay; prints the statement counts of each
    local before order mid after
    before=$(statements)
    order=$(curl -sf -XPOST "$B/orders" -H "Authorization: Bearer $T" -H 'content-type: application/json' \
        -H "Idempotency-Key: count-$1" -d "{\"product_id\":\"$PRODUCT\"}" | json 'd["id"]')
    mid=$(statements)
    curl -sf -XPOST "$B/orders/$order/pay/wallet" -H "Authorization: Bearer $T" -H "Idempotency-Key: count-pay-$1" >/dev/null
    after=$(statements)
    echo "$((mid - before)) $((after - mid))"
}
paid_order 1 >/dev/null   # warm: configuration and key caches
read -r C P < <(paid_order 2)
echo "createOrder: $C statements, payOrderWithWallet: $P statements, $((C + P)) per paid order"
