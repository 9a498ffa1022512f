#!/usr/bin/env bash
# Sets up services, builds, migrates, initialises config and runs Helium in `all` mode.
# Usage: deploy/quickstart.sh        (Ctrl-C stops it gracefully)
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/prerequisites.sh
eval "$(deploy/dev-services.sh | grep '^export ')"
cargo build --release -p helium-api --bins
export DATABASE_URL REDIS_URL MQ_URL
export RUST_LOG="${RUST_LOG:-info}"
target/release/helium migrate
target/release/helium-cli --skip-migration init-config

HTTP="${LISTEN_ADDR:-0.0.0.0:8080}"
port="${HTTP##*:}"
cat <<INFO

Helium is starting in 'all' mode:
  REST API       http://127.0.0.1:${port}/api/v1/meta
  Swagger UI     http://127.0.0.1:${port}/docs
  OpenAPI        http://127.0.0.1:${port}/openapi.json
  gRPC           127.0.0.1:50051   (health, reflection)
  Health         http://127.0.0.1:${HEALTH_CHECK_PORT:-9090}/healthz  /readyz  /metrics

INFO
exec target/release/helium --mode all
