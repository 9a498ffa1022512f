#!/usr/bin/env bash
# Tools the build and tests need beyond Rust: a C toolchain (for -sys crates), Java 17 (the
# OpenAPI generator), Node.js + npm (TypeScript SDK), Python 3 with venv (generator, SMTP sink).
# Installs what is missing with apt (Debian 12, root); does nothing when all are present.
set -euo pipefail
missing=()
command -v cc >/dev/null || missing+=(build-essential)
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v python3 >/dev/null || missing+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
command -v psql >/dev/null || missing+=(postgresql-client)
if ((${#missing[@]})); then
    if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null; then
        echo "prerequisites: missing ${missing[*]}; install them (apt-get install ${missing[*]})" >&2
        exit 1
    fi
    echo "prerequisites: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v cargo >/dev/null || {
    echo "prerequisites: Rust is not installed; install it with rustup (https://rustup.rs), toolchain per rust-toolchain.toml" >&2
    exit 1
}
