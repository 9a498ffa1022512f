#!/usr/bin/env bash
# Sets up services, builds, migrates, initialises config, starts a local mail catcher and
# runs Helium in `all` mode. Usage: deploy/quickstart.sh        (Ctrl-C stops it gracefully)
#
# Every e-mail Helium sends (registration links, codes, staff setup links) is caught by a
# small SMTP sink (api/tests/it/support/smtp_sink.py) and saved as a .eml file in
# $HELIUM_MAIL_DIR; nothing leaves the machine. The mailer configuration is pointed at the
# sink only while it still holds its defaults (a real SMTP server you configured stays).
#
# Optional environment: HELIUM_MAIL_DIR (default .tools/mail), QUICKSTART_SMTP_PORT (1025),
# QUICKSTART_BUILD=release|debug|none (release), HELIUM_BIN_DIR (target/<profile>),
# HELIUM_QUICKSTART_DATABASE_URL (instead of the dev database), plus helium's own variables
# (LISTEN_ADDR, HEALTH_CHECK_PORT, PUBLIC_URL, REDIS_KEY_PREFIX, MQ_PREFIX…).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

deploy/prerequisites.sh
eval "$(deploy/dev-services.sh | grep '^export ')"
DATABASE_URL="${HELIUM_QUICKSTART_DATABASE_URL:-$DATABASE_URL}"
export DATABASE_URL REDIS_URL MQ_URL
export RUST_LOG="${RUST_LOG:-info}"
deploy/tools/ensure-venv.sh

case "${QUICKSTART_BUILD:-release}" in
    release) cargo build --release -p helium-api --bins; BIN="${HELIUM_BIN_DIR:-target/release}" ;;
    debug) cargo build -p helium-api --bins; BIN="${HELIUM_BIN_DIR:-target/debug}" ;;
    none) BIN="${HELIUM_BIN_DIR:-target/release}" ;;
    *) echo "quickstart: QUICKSTART_BUILD must be release, debug or none" >&2; exit 2 ;;
esac

"$BIN/helium" migrate
"$BIN/helium-cli" --skip-migration init-config

# The mail catcher.
MAIL_DIR="${HELIUM_MAIL_DIR:-$REPO/.tools/mail}"
SMTP_PORT="${QUICKSTART_SMTP_PORT:-1025}"
mkdir -p "$MAIL_DIR"
SINK=api/tests/it/support/smtp_sink.py
.tools/venv/bin/python "$SINK" --port "$SMTP_PORT" --dir "$MAIL_DIR" > "$MAIL_DIR/.sink-ready" 2>"$MAIL_DIR/.sink.log" &
SINK_PID=$!
HELIUM_PID=
cleanup() {
    [[ -n $HELIUM_PID ]] && kill -TERM "$HELIUM_PID" 2>/dev/null && wait "$HELIUM_PID" 2>/dev/null
    kill -TERM "$SINK_PID" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 100); do
    grep -q READY "$MAIL_DIR/.sink-ready" 2>/dev/null && break
    kill -0 "$SINK_PID" 2>/dev/null || { echo "quickstart: the mail catcher did not start (port $SMTP_PORT busy?): $(cat "$MAIL_DIR/.sink.log")" >&2; exit 1; }
    sleep 0.1
done
# Point the mailer at the catcher while it still holds its defaults (127.0.0.1:587, no user).
psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -c "
    UPDATE application__config
       SET value = value || jsonb_build_object('port', $SMTP_PORT, 'starttls', false),
           version = version + 1, updated_at = now()
     WHERE key = 'mailer' AND value->>'host' = '127.0.0.1' AND value->>'port' = '587'
       AND coalesce(value->>'username', '') = ''"
MAILER=$(psql "$DATABASE_URL" -X -qtA -c "SELECT value->>'host' || ':' || (value->>'port') FROM application__config WHERE key = 'mailer'")

HTTP="${LISTEN_ADDR:-0.0.0.0:8080}"
GRPC="${GRPC_LISTEN_ADDR:-0.0.0.0:50051}"
port="${HTTP##*:}"
HEALTH="${HEALTH_LISTEN_ADDR:-0.0.0.0:${HEALTH_CHECK_PORT:-9090}}"
PUBLIC="${PUBLIC_URL:-http://localhost:8080}"
cat <<INFO

Helium is starting in 'all' mode:
  REST API       http://127.0.0.1:${port}/api/v1/meta
  Swagger UI     http://127.0.0.1:${port}/docs
  OpenAPI        http://127.0.0.1:${port}/openapi.json
  gRPC           127.0.0.1:${GRPC##*:}   (health, reflection)
  Health         http://127.0.0.1:${HEALTH##*:}/healthz  /readyz  /metrics   (internal port)

Mail:            every e-mail is saved in ${MAIL_DIR}/<n>.eml  (catcher on 127.0.0.1:${SMTP_PORT}; mailer → ${MAILER})
                 the newest one:  ls -t ${MAIL_DIR}/*.eml | head -1 | xargs cat

First SuperAdmin (prints a one-time setup link):
  DATABASE_URL='${DATABASE_URL}' ${BIN}/helium-cli admin create --name "System Administrator" --role super_admin --email admin@example.com
Admin web app:   http://127.0.0.1:${port}/admin/   (setup and invitation links point to ${PUBLIC%/}/admin; the admin API is
                 http://127.0.0.1:${port}/api/v1/admin, see /docs)

INFO
"$BIN/helium" --mode all &
HELIUM_PID=$!
trap 'kill -TERM "$HELIUM_PID" 2>/dev/null' INT TERM
set +e
wait "$HELIUM_PID"; status=$?
# A signal interrupts the first wait; wait again for helium's graceful exit.
kill -0 "$HELIUM_PID" 2>/dev/null && { wait "$HELIUM_PID"; status=$?; }
HELIUM_PID=
exit "$status"
