#!/usr/bin/env bash
# deploy/dev-services.sh -- make the local backing services Helium needs
# available on a Debian 12 dev machine, without systemd and without Docker.
#
#   PostgreSQL  127.0.0.1:5432  user postgres, trust auth on loopback TCP
#               databases: helium (runtime), helium_dev (sqlx macros at build time)
#   Redis       127.0.0.1:6379
#   RabbitMQ    127.0.0.1:5672  guest/guest, vhost /
#
# Usage (as root, from any directory):
#   deploy/dev-services.sh           probe; install/start/create only what is missing
#   deploy/dev-services.sh --check   probe only; exit 0 if everything is up, 1 if not
#
# Idempotent: when everything already answers it only probes (well under 1 s)
# and prints the summary. Every wait is bounded; on failure it prints one line
# naming the service and exits 1. Progress messages go to stderr, the summary
# to stdout, so `eval "$(deploy/dev-services.sh | grep '^export ')"` works.
#
# LOCAL DEVELOPMENT ONLY: this configures passwordless ("trust") PostgreSQL
# access and uses RabbitMQ's default guest account. Never run it on a shared
# or production host.

set -euo pipefail

readonly HOST=127.0.0.1
readonly PG_PORT=5432 REDIS_PORT=6379 MQ_PORT=5672
readonly PG_USER=postgres PG_CLUSTER=main
readonly DATABASES=(helium helium_dev)
readonly REDIS_DIR=/var/lib/redis REDIS_LOG_DIR=/var/log/redis REDIS_RUN_DIR=/run/redis
readonly REDIS_LOG=/var/log/redis/dev.log
readonly MQ_LOG_DIR=/var/log/rabbitmq
readonly PG_START_TIMEOUT=90 REDIS_START_TIMEOUT=20 MQ_START_TIMEOUT=90
readonly LOCK_FILE=/run/lock/helium-dev-services.lock

# Tools live in sbin (rabbitmqctl, pg_ctlcluster, runuser); be independent of
# the caller's PATH and working directory.
export PATH="${PATH:+$PATH:}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
cd /

CHECK_ONLY=0
APT_UPDATED=0
LOCKED=0
HBA_CHANGED=0

usage() {
    cat <<'EOF'
Usage: dev-services.sh [--check]

Makes PostgreSQL (127.0.0.1:5432), Redis (127.0.0.1:6379) and RabbitMQ
(127.0.0.1:5672) available for Helium development and creates the helium and
helium_dev databases. Installs packages with apt-get and starts daemons
without systemd only when something does not already answer.

  --check    only probe; exit 0 if all services (and databases) are up, 1 otherwise
  -h, --help show this help
EOF
}

log() { printf 'dev-services: %s\n' "$*" >&2; }
die() { printf 'dev-services: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

# wait_until SECONDS CMD...: run CMD every second until it succeeds or SECONDS pass.
wait_until() {
    local end=$((SECONDS + $1))
    shift
    until "$@"; do
        ((SECONDS < end)) || return 1
        sleep 1
    done
}

# Serialise concurrent runs once we actually have to change something.
take_lock() {
    ((LOCKED)) && return 0
    ((EUID == 0)) || die "$1: needs to be installed/started/configured, run this script as root"
    if have flock; then
        mkdir -p "${LOCK_FILE%/*}"
        exec 9>"$LOCK_FILE"
        flock -w 300 9 || die "$1: another dev-services.sh run still holds $LOCK_FILE"
    fi
    LOCKED=1
}

# apt_install SERVICE PACKAGE...: apt-get update (once per run) + install.
apt_install() {
    local svc=$1
    shift
    have apt-get || die "$svc: not installed and apt-get is not available"
    export DEBIAN_FRONTEND=noninteractive
    if ((!APT_UPDATED)); then
        log "running apt-get update"
        apt-get update -q >&2 || die "$svc: apt-get update failed"
        APT_UPDATED=1
    fi
    log "$svc: installing $*"
    apt-get install -y -q --no-install-recommends "$@" >&2 \
        || die "$svc: apt-get install $* failed"
}

# tcp_open PORT: something accepts TCP connections on $HOST:PORT.
tcp_open() {
    timeout 3 "$BASH" -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null
}

# ---------------------------------------------------------------- PostgreSQL

pg_probe() {
    if have pg_isready; then
        pg_isready -q -h "$HOST" -p "$PG_PORT" -t 3
    else
        tcp_open "$PG_PORT"
    fi
}

# pg_sql SQL: run one statement as postgres over loopback TCP, unaligned output.
pg_sql() {
    PGCONNECT_TIMEOUT=5 psql -X -w -q -t -A -v ON_ERROR_STOP=1 \
        -h "$HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -c "$1"
}

# Prints "<can create dbs t/f>:<existing helium databases, comma separated>".
pg_state() {
    local in
    in=$(printf ",'%s'" "${DATABASES[@]}")
    pg_sql "SELECT coalesce((SELECT (rolsuper OR rolcreatedb)::text FROM pg_roles WHERE rolname = '$PG_USER'), 'missing')
                   || ':' || coalesce((SELECT string_agg(datname, ',' ORDER BY datname)
                                         FROM pg_database WHERE datname IN (${in#,})), '')"
}

# Highest PostgreSQL version that has a $PG_CLUSTER cluster in /etc/postgresql,
# else the highest installed server version (a cluster will be created).
pg_version() {
    local d v
    local -a vs=()
    for d in /etc/postgresql/*/"$PG_CLUSTER"/postgresql.conf; do
        [[ -f $d ]] || continue
        v=${d#/etc/postgresql/}
        vs+=("${v%%/*}")
    done
    if ((${#vs[@]} == 0)); then
        for d in /usr/lib/postgresql/*/bin/postgres; do
            [[ -x $d ]] || continue
            v=${d#/usr/lib/postgresql/}
            vs+=("${v%%/*}")
        done
    fi
    ((${#vs[@]})) || return 0
    printf '%s\n' "${vs[@]}" | sort -V | tail -n 1
}

pg_server_installed() {
    local f
    for f in /usr/lib/postgresql/*/bin/postgres; do
        [[ -x $f ]] && return 0
    done
    return 1
}

# hba_rule_ok FILE ADDR: the first active "host*" rule for ADDR (replication rules
# aside: they match only replication connections) is "host all all ADDR trust"
# (pg_hba.conf is first-match).
hba_rule_ok() {
    awk -v addr="$2" '
        /^[[:space:]]*(#|$)/ { next }
        $1 ~ /^host/ && $2 != "replication" && $4 == addr {
            found = 1
            ok = ($1 == "host" && $2 == "all" && $3 == "all" && $5 == "trust")
            exit
        }
        END { exit !(found && ok) }' "$1"
}

# LOCAL DEV ONLY: passwordless TCP access from loopback for every role/db.
# Inserts the missing rule(s) before the first active rule so they win over
# distribution defaults such as "host all all 127.0.0.1/32 scram-sha-256".
# Sets HBA_CHANGED=1 when the file was modified (caller reloads).
pg_ensure_hba() {
    local ver=$1 hba addr tmp
    local -a missing=()
    hba=/etc/postgresql/$ver/$PG_CLUSTER/pg_hba.conf
    [[ -f $hba ]] || die "postgresql: $hba not found"
    for addr in 127.0.0.1/32 ::1/128; do
        hba_rule_ok "$hba" "$addr" || missing+=("$addr")
    done
    ((${#missing[@]})) || return 0

    log "postgresql: adding trust rules for ${missing[*]} to $hba (local dev only)"
    [[ -e $hba.helium-dev.bak ]] || cp -p "$hba" "$hba.helium-dev.bak"
    tmp=$(mktemp)
    {
        echo '# Added by Helium deploy/dev-services.sh: passwordless TCP from loopback.'
        echo '# LOCAL DEVELOPMENT ONLY -- never use trust auth on a shared/production server.'
        for addr in "${missing[@]}"; do
            printf 'host    all             all             %-23s trust\n' "$addr"
        done
    } >"$tmp.block"
    awk -v blockfile="$tmp.block" '
        function block(  line) { while ((getline line < blockfile) > 0) print line; close(blockfile) }
        !done && $0 !~ /^[[:space:]]*(#|$)/ { block(); done = 1 }
        { print }
        END { if (!done) block() }' "$hba" >"$tmp"
    cat "$tmp" >"$hba" # keeps owner and mode of pg_hba.conf
    rm -f "$tmp" "$tmp.block"
    HBA_CHANGED=1
}

pg_cluster_field() { # pg_cluster_field VERSION COLUMN (3=port, 4=status)
    pg_lsclusters -h "$1" "$PG_CLUSTER" 2>/dev/null | awk -v c="$2" 'NR == 1 { print $c }'
}

pg_start() {
    local ver port status logf
    if ! have pg_ctlcluster || ! have pg_createcluster || ! have pg_lsclusters \
        || ! have psql || ! have createdb || ! pg_server_installed; then
        apt_install postgresql postgresql postgresql-client
        pg_probe && return 0 # the package's maintainer script may have started it
    fi

    ver=$(pg_version)
    [[ -n $ver ]] || die "postgresql: no server version found under /usr/lib/postgresql"
    if [[ ! -f /etc/postgresql/$ver/$PG_CLUSTER/postgresql.conf ]]; then
        log "postgresql: creating cluster $ver/$PG_CLUSTER on port $PG_PORT"
        pg_createcluster -p "$PG_PORT" "$ver" "$PG_CLUSTER" >&2 \
            || die "postgresql: pg_createcluster $ver $PG_CLUSTER failed"
    fi
    port=$(pg_cluster_field "$ver" 3)
    [[ $port == "$PG_PORT" ]] \
        || die "postgresql: cluster $ver/$PG_CLUSTER uses port ${port:-?}, expected $PG_PORT (see /etc/postgresql/$ver/$PG_CLUSTER/postgresql.conf)"

    pg_ensure_hba "$ver"
    logf=/var/log/postgresql/postgresql-$ver-$PG_CLUSTER.log
    status=$(pg_cluster_field "$ver" 4)
    if [[ $status == online* ]]; then
        # Running but not answering on $HOST:$PG_PORT (still starting up, or
        # listen_addresses excludes it): reload if we edited pg_hba.conf, then wait.
        if ((HBA_CHANGED)); then
            pg_ctlcluster --skip-systemctl-redirect "$ver" "$PG_CLUSTER" reload >&2 || true
            HBA_CHANGED=0
        fi
    else
        log "postgresql: starting cluster $ver/$PG_CLUSTER"
        timeout "$PG_START_TIMEOUT" pg_ctlcluster --skip-systemctl-redirect "$ver" "$PG_CLUSTER" start >&2 \
            || die "postgresql: pg_ctlcluster $ver $PG_CLUSTER start failed (see $logf)"
        HBA_CHANGED=0 # a fresh start reads the edited pg_hba.conf
    fi
    wait_until "$PG_START_TIMEOUT" pg_probe \
        || die "postgresql: not accepting connections on $HOST:$PG_PORT after ${PG_START_TIMEOUT}s (see $logf)"
}

# Running server rejects us (e.g. scram-sha-256 on 127.0.0.1): fix pg_hba.conf, reload.
pg_fix_auth() {
    local ver
    take_lock postgresql
    ver=$(pg_version)
    [[ -n $ver && -f /etc/postgresql/$ver/$PG_CLUSTER/pg_hba.conf ]] || return 1
    pg_ensure_hba "$ver"
    ((HBA_CHANGED)) || return 1
    pg_ctlcluster --skip-systemctl-redirect "$ver" "$PG_CLUSTER" reload >&2 || return 1
    HBA_CHANGED=0
    sleep 1
}

ensure_postgres() {
    local state err createdb_ok db
    if ! pg_probe; then
        take_lock postgresql
        pg_probe || pg_start
    fi
    if ! have psql || ! have createdb; then
        take_lock postgresql
        apt_install postgresql postgresql-client
    fi

    if ! state=$(pg_state 2>&1); then
        err=$state
        if pg_fix_auth && state=$(pg_state 2>&1); then
            :
        else
            die "postgresql: cannot connect as $PG_USER to $HOST:$PG_PORT without a password: ${err%%$'\n'*}"
        fi
    fi

    createdb_ok=${state%%:*}
    case $createdb_ok in
        true) ;;
        missing) die "postgresql: role $PG_USER does not exist" ;;
        *)
            log "postgresql: granting CREATEDB to $PG_USER"
            pg_sql "ALTER ROLE $PG_USER CREATEDB" >/dev/null \
                || die "postgresql: role $PG_USER cannot create databases and ALTER ROLE failed"
            ;;
    esac

    for db in "${DATABASES[@]}"; do
        [[ ,${state#*:}, == *",$db,"* ]] && continue
        log "postgresql: creating database $db"
        if ! err=$(PGCONNECT_TIMEOUT=5 createdb -w -h "$HOST" -p "$PG_PORT" -U "$PG_USER" -O "$PG_USER" "$db" 2>&1); then
            # Tolerate a concurrent run having created it in the meantime.
            [[ $(pg_sql "SELECT 1 FROM pg_database WHERE datname = '$db'") == 1 ]] \
                || die "postgresql: createdb $db failed: ${err%%$'\n'*}"
        fi
    done
}

# --------------------------------------------------------------------- Redis

redis_probe() {
    if have redis-cli; then
        [[ $(timeout 3 redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
    else
        # shellcheck disable=SC2016 # expanded by the inner shell
        timeout 3 "$BASH" -c '
            exec 3<>"/dev/tcp/$1/$2" || exit 1
            printf "PING\r\n" >&3
            IFS= read -r -t 2 line <&3 && [[ $line == "+PONG"* ]]' _ "$HOST" "$REDIS_PORT" 2>/dev/null
    fi
}

redis_start() {
    local -a run_as=() bind=("$HOST")
    local ver
    if ! have redis-server; then
        apt_install redis redis-server
        redis_probe && return 0 # the package's maintainer script may have started it
    fi

    mkdir -p "$REDIS_DIR" "$REDIS_LOG_DIR" "$REDIS_RUN_DIR"
    if id redis >/dev/null 2>&1; then
        touch "$REDIS_LOG"
        chown redis:redis "$REDIS_DIR" "$REDIS_RUN_DIR" "$REDIS_LOG"
        chown redis "$REDIS_LOG_DIR"
        have runuser && run_as=(runuser -u redis --)
    fi
    # "-addr" (bind if available) needs Redis >= 7.
    ver=$(redis-server --version 2>/dev/null | sed -n 's/.* v=\([0-9]*\)\..*/\1/p')
    [[ ${ver:-0} -ge 7 ]] && bind+=(-::1)

    log "redis: starting redis-server on $HOST:$REDIS_PORT"
    "${run_as[@]}" redis-server --daemonize yes --bind "${bind[@]}" --port "$REDIS_PORT" \
        --save "" --appendonly no --dir "$REDIS_DIR" --logfile "$REDIS_LOG" \
        --pidfile "$REDIS_RUN_DIR/redis-dev.pid" >&2 \
        || die "redis: redis-server failed to start (see $REDIS_LOG)"
    wait_until "$REDIS_START_TIMEOUT" redis_probe \
        || die "redis: no PONG from $HOST:$REDIS_PORT after ${REDIS_START_TIMEOUT}s (see $REDIS_LOG)"
}

ensure_redis() {
    redis_probe && return 0
    take_lock redis
    redis_probe || redis_start
}

# ------------------------------------------------------------------ RabbitMQ
#
# Readiness probe: a real AMQP 0-9-1 login as guest/guest on vhost "/" over
# /dev/tcp (protocol header, Start-Ok PLAIN, Tune-Ok, Open, Close). It takes a
# few milliseconds, proves the broker is serving and that guest can log in
# from 127.0.0.1, and closes cleanly (no "client unexpectedly closed TCP
# connection" warnings). rabbitmqctl needs ~1 s to boot an Erlang VM, so it is
# only used on the start path. These helpers run in a child bash (exported)
# so that `timeout` can bound them.

_amqp_read() { # _amqp_read N: N bytes from fd 3 as decimal numbers
    head -c "$1" <&3 | od -An -v -tu1
}

# Read one method frame; set AMQP_CM="class.method", AMQP_ARGS=(argument bytes).
_amqp_frame() {
    local -a h p
    local n
    read -r -a h <<<"$(_amqp_read 7 | tr '\n' ' ')"
    ((${#h[@]} == 7 && h[0] == 1)) || return 1
    n=$(((h[3] << 24) | (h[4] << 16) | (h[5] << 8) | h[6]))
    ((n >= 4 && n < 1048576)) || return 1
    read -r -a p <<<"$(_amqp_read "$((n + 1))" | tr '\n' ' ')"
    ((${#p[@]} == n + 1 && p[n] == 206)) || return 1 # 0xCE frame end
    AMQP_CM="$(((p[0] << 8) | p[1])).$(((p[2] << 8) | p[3]))"
    AMQP_ARGS=("${p[@]:4:n-4}")
}

_amqp_send() { printf '%b' "$1" >&3; }

_amqp_login() {
    local tune="" b
    exec 3<>"/dev/tcp/$1/$2" || return 2
    _amqp_send 'AMQP\x00\x00\x09\x01'
    _amqp_frame && [[ $AMQP_CM == 10.10 ]] || return 3 # connection.start
    # connection.start-ok: {} client-properties, "PLAIN", "\0guest\0guest", "en_US"
    _amqp_send '\x01\x00\x00\x00\x00\x00\x24\x00\x0a\x00\x0b\x00\x00\x00\x00\x05PLAIN'
    _amqp_send '\x00\x00\x00\x0c\x00guest\x00guest\x05en_US\xce'
    _amqp_frame && [[ $AMQP_CM == 10.30 ]] || return 4 # connection.tune (else: login refused)
    # connection.tune-ok: echo the server's channel-max and frame-max, heartbeat 0
    for b in "${AMQP_ARGS[@]:0:6}"; do tune+=$(printf '\\x%02x' "$b"); done
    _amqp_send "\\x01\\x00\\x00\\x00\\x00\\x00\\x0c\\x00\\x0a\\x00\\x1f${tune}\\x00\\x00\\xce"
    # connection.open vhost "/"
    _amqp_send '\x01\x00\x00\x00\x00\x00\x08\x00\x0a\x00\x28\x01/\x00\x00\xce'
    _amqp_frame && [[ $AMQP_CM == 10.41 ]] || return 5 # connection.open-ok
    # connection.close 200
    _amqp_send '\x01\x00\x00\x00\x00\x00\x0b\x00\x0a\x00\x32\x00\xc8\x00\x00\x00\x00\x00\xce'
    _amqp_frame && [[ $AMQP_CM == 10.51 ]] || return 6 # connection.close-ok
}

mq_probe() {
    (
        export -f _amqp_read _amqp_frame _amqp_send _amqp_login
        # shellcheck disable=SC2016 # $1/$2 are expanded by the inner shell
        timeout 8 "$BASH" -c '_amqp_login "$1" "$2"' _ "$HOST" "$MQ_PORT" 2>/dev/null
    )
}

mq_ensure_guest() {
    timeout 60 rabbitmqctl -q authenticate_user guest guest >/dev/null 2>&1 && return 0
    log "rabbitmq: (re)creating user guest/guest with full permissions on vhost /"
    timeout 60 rabbitmqctl -q add_vhost / >/dev/null 2>&1 || true
    timeout 60 rabbitmqctl -q add_user guest guest >/dev/null 2>&1 \
        || timeout 60 rabbitmqctl -q change_password guest guest >/dev/null 2>&1 || true
    timeout 60 rabbitmqctl -q set_permissions -p / guest '.*' '.*' '.*' >/dev/null 2>&1 || true
}

mq_start() {
    if ! have rabbitmq-server || ! have rabbitmqctl; then
        apt_install rabbitmq rabbitmq-server
    fi

    if ! tcp_open "$MQ_PORT"; then
        # A node may already be booting (first start can take 10-30 s, or the
        # package's maintainer script just launched it): then only wait.
        if timeout 30 rabbitmqctl -q ping >/dev/null 2>&1; then
            log "rabbitmq: node is running but not listening yet, waiting"
        else
            log "rabbitmq: starting rabbitmq-server (first start can take 10-30 s)"
            mkdir -p "$MQ_LOG_DIR"
            id rabbitmq >/dev/null 2>&1 && chown rabbitmq: "$MQ_LOG_DIR"
            # Returns once the Erlang VM has daemonized; the broker keeps booting.
            # 9>&-: the broker must not inherit (and hold forever) this script's lock.
            timeout 60 rabbitmq-server -detached 9>&- >>"$MQ_LOG_DIR/dev-startup.log" 2>&1 \
                || die "rabbitmq: rabbitmq-server -detached failed (see $MQ_LOG_DIR/dev-startup.log)"
        fi
    fi

    wait_until "$MQ_START_TIMEOUT" tcp_open "$MQ_PORT" \
        || die "rabbitmq: nothing listening on $HOST:$MQ_PORT after ${MQ_START_TIMEOUT}s (see $MQ_LOG_DIR/)"
    timeout "$MQ_START_TIMEOUT" rabbitmqctl -q await_startup >/dev/null 2>&1 \
        || die "rabbitmq: rabbitmqctl await_startup failed or timed out (see $MQ_LOG_DIR/)"
    mq_probe && return 0
    mq_ensure_guest
    wait_until 10 mq_probe \
        || die "rabbitmq: broker is up but guest/guest cannot log in on $HOST:$MQ_PORT vhost / (see $MQ_LOG_DIR/)"
}

# Test runs leave throw-away queues behind (every test server has its own MQ_PREFIX); a
# development node holding well over a thousand quorum queues stalls (AMQP handshakes and
# rabbitmqctl time out). Such a node — or one that no longer answers rabbitmqctl — is wiped
# and started afresh: this script only ever manages a local development broker.
readonly MQ_MAX_QUEUES=400

mq_bloated() {
    tcp_open "$MQ_PORT" || return 1
    local n
    n=$(timeout 30 rabbitmqctl -q list_queues name 2>/dev/null | wc -l) && (( n <= MQ_MAX_QUEUES )) && return 1
    log "rabbitmq: ${n:-?} queues or rabbitmqctl unresponsive: resetting the development broker"
    return 0
}

mq_wipe() {
    pkill -9 -u rabbitmq >/dev/null 2>&1 || true
    pkill -9 -f beam.smp >/dev/null 2>&1 || true
    pkill -9 epmd >/dev/null 2>&1 || true
    wait_until 30 bash -c "! (exec 3<>/dev/tcp/$HOST/$MQ_PORT) 2>/dev/null" || true
    rm -rf /var/lib/rabbitmq/mnesia
}

ensure_rabbitmq() {
    if mq_bloated; then
        # Wipe before locking: a broker an earlier run started may hold the lock's descriptor.
        mq_wipe
        take_lock rabbitmq
        mq_start
        return 0
    fi
    mq_probe && return 0
    take_lock rabbitmq
    mq_probe || mq_start
}

# ---------------------------------------------------------------------- main

check_all() {
    local rc=0 state problem="" db
    if pg_probe; then
        if have psql && state=$(pg_state 2>/dev/null); then
            for db in "${DATABASES[@]}"; do
                [[ ,${state#*:}, == *",$db,"* ]] || problem+=" $db"
            done
        elif have psql; then
            problem=" (cannot log in as $PG_USER without a password)"
        fi
        if [[ -n $problem ]]; then
            echo "postgresql: up but missing:$problem ($HOST:$PG_PORT)"
            rc=1
        else
            echo "postgresql: ok ($HOST:$PG_PORT)"
        fi
    else
        echo "postgresql: DOWN ($HOST:$PG_PORT)"
        rc=1
    fi
    if redis_probe; then
        echo "redis: ok ($HOST:$REDIS_PORT)"
    else
        echo "redis: DOWN ($HOST:$REDIS_PORT)"
        rc=1
    fi
    if mq_probe; then
        echo "rabbitmq: ok ($HOST:$MQ_PORT)"
    else
        echo "rabbitmq: DOWN ($HOST:$MQ_PORT)"
        rc=1
    fi
    return "$rc"
}

main() {
    while (($#)); do
        case $1 in
            --check) CHECK_ONLY=1 ;;
            -h | --help) usage; exit 0 ;;
            *) usage >&2; exit 2 ;;
        esac
        shift
    done

    if ((CHECK_ONLY)); then
        check_all && exit 0
        exit 1
    fi

    ensure_postgres
    ensure_redis
    ensure_rabbitmq

    printf '%s\n' \
        "postgresql: ok ($HOST:$PG_PORT)" \
        "redis: ok ($HOST:$REDIS_PORT)" \
        "rabbitmq: ok ($HOST:$MQ_PORT)" \
        "export DATABASE_URL=postgres://$PG_USER@$HOST:$PG_PORT/helium" \
        "export REDIS_URL=redis://$HOST:$REDIS_PORT" \
        "export MQ_URL=amqp://guest:guest@$HOST:$MQ_PORT/%2f" \
        "# sqlx macros at build time: DATABASE_URL=postgres://$PG_USER@$HOST:$PG_PORT/helium_dev"
}

main "$@"
