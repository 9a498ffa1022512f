#!/usr/bin/env bash
# Debian packages the deploy checks need, installed only when missing (idempotent):
#   pgbouncer   the transaction-mode pooler of deploy/tests/pgbouncer_flows.py
#   promtool    (package prometheus) checks and unit-tests deploy/observability/alerts.yaml
#   openssl     makes a throw-away CA for deploy/tests/otel_traces.py
# The packages' own services are not started (no systemd here; policy-rc.d forbids it).
set -euo pipefail
missing=()
command -v pgbouncer >/dev/null || [[ -x /usr/sbin/pgbouncer ]] || missing+=(pgbouncer)
command -v promtool >/dev/null || missing+=(prometheus)
command -v openssl >/dev/null || missing+=(openssl)   # a test CA for the OTLP-over-TLS check
((${#missing[@]})) || exit 0
if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "install-tools: missing ${missing[*]}; install them (apt-get install ${missing[*]})" >&2
    exit 1
fi
echo "install-tools: installing ${missing[*]}" >&2
# Keep maintainer scripts from starting daemons on a CI box.
created_policy=0
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    created_policy=1
fi
trap 'if ((created_policy)); then rm -f /usr/sbin/policy-rc.d; fi' EXIT
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
