#!/usr/bin/env bash
# Regenerates the OpenAPI document and every client SDK from the Rust code.
#
#   deploy/gen-sdks.sh           write openapi/openapi.json, sdks/typescript/src/generated/,
#                                and the generated part of sdks/swift/
#   deploy/gen-sdks.sh --check   regenerate into a temporary copy and diff it against the
#                                files in the work tree; exit 1 if anything is stale
#
# Environment:
#   HELIUM_BIN=path   use this helium binary for `helium openapi` instead of
#                     `cargo run -q -p helium-api --bin helium -- openapi`
#   HELIUM_TOOLS_VENV=path   tooling venv (default .tools/venv, built from
#                     deploy/tools/requirements.txt on first use; offline afterwards)
#
# Generator settings live in deploy/tools/ (typescript-fetch.yaml, swift6.yaml,
# swift6.openapi-generator-ignore). Hand-written SDK code lives outside the generated
# paths and is never touched: sdks/typescript/src/*.ts (except src/generated/),
# sdks/swift/README.md, sdks/swift/.gitignore, sdks/swift/Sources/HeliumSDK/Helium/.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$REPO/deploy/tools"
VENV="${HELIUM_TOOLS_VENV:-$REPO/.tools/venv}"
export HELIUM_TOOLS_VENV="$VENV"
STALE_MSG="SDKs/spec are stale: run deploy/gen-sdks.sh and commit the result"

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

CHECK=0
for arg in "$@"; do
    case "$arg" in
        --check) CHECK=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "gen-sdks: unknown argument: $arg" >&2; usage >&2; exit 2 ;;
    esac
done

if [[ -n "${HELIUM_BIN:-}" && "$HELIUM_BIN" != /* ]]; then
    HELIUM_BIN="$PWD/$HELIUM_BIN"   # relative to where the script was called from
fi

command -v java >/dev/null || { echo "gen-sdks: java (17+) is required by openapi-generator" >&2; exit 1; }
"$TOOLS/ensure-venv.sh"
PY="$VENV/bin/python"
OAG="$VENV/bin/openapi-generator-cli"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/helium-gen-sdks.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# Runs openapi-generator quietly; shows its log only when it fails.
generate() {
    local name="$1"; shift
    if ! "$OAG" generate "$@" >"$WORK/$name.log" 2>&1; then
        cat "$WORK/$name.log" >&2
        echo "gen-sdks: openapi-generator ($name) failed" >&2
        exit 1
    fi
}

# gen_all OUT: writes the spec and both SDKs under OUT (the repo, or a scratch copy).
gen_all() {
    local out="$1"

    # (a) OpenAPI document from the binary (no database needed).
    local raw="$WORK/openapi.raw.json"
    if [[ -n "${HELIUM_BIN:-}" ]]; then
        [[ -x "$HELIUM_BIN" ]] || { echo "gen-sdks: HELIUM_BIN=$HELIUM_BIN is not an executable" >&2; exit 1; }
        "$HELIUM_BIN" openapi >"$raw"
    else
        (cd "$REPO" && cargo run -q -p helium-api --bin helium -- openapi) >"$raw"
    fi
    mkdir -p "$out/openapi"
    "$PY" "$TOOLS/validate_spec.py" "$raw" "$out/openapi/openapi.json"
    local spec="$out/openapi/openapi.json"

    # (b) TypeScript: typescript-fetch into a staging dir; only its src/ is kept.
    local ts_stage="$WORK/typescript"
    generate typescript-fetch -i "$spec" -g typescript-fetch \
        -c "$TOOLS/typescript-fetch.yaml" -o "$ts_stage"
    "$PY" "$TOOLS/postprocess.py" "$ts_stage/src"
    local ts_out="$out/sdks/typescript/src/generated"
    rm -rf "$ts_out"
    mkdir -p "$ts_out"
    cp -R "$ts_stage/src/." "$ts_out/"

    # (c) Swift: swift6 into a staging dir pre-seeded with our ignore file, then synced
    #     into sdks/swift/ next to the hand-written files.
    local sw_stage="$WORK/swift"
    mkdir -p "$sw_stage"
    cp "$TOOLS/swift6.openapi-generator-ignore" "$sw_stage/.openapi-generator-ignore"
    generate swift6 -i "$spec" -g swift6 -c "$TOOLS/swift6.yaml" -o "$sw_stage"
    "$PY" "$TOOLS/postprocess.py" "$sw_stage"
    "$PY" "$TOOLS/sync_generated.py" "$sw_stage" "$out/sdks/swift"
}

if [[ "$CHECK" == 0 ]]; then
    gen_all "$REPO"
    echo "gen-sdks: wrote openapi/openapi.json, sdks/typescript/src/generated/, sdks/swift/"
    exit 0
fi

# --check: regenerate into a scratch copy (Swift needs its hand-written files beside the
# generated ones so that sync_generated.py behaves exactly as in the real tree).
SCRATCH="$WORK/tree"
mkdir -p "$SCRATCH/sdks"
if [[ -d "$REPO/sdks/swift" ]]; then
    cp -R "$REPO/sdks/swift" "$SCRATCH/sdks/swift"
    rm -rf "$SCRATCH/sdks/swift/.build" "$SCRATCH/sdks/swift/.swiftpm"
fi
gen_all "$SCRATCH"

stale=0
compare() {   # compare COMMITTED FRESH
    if ! diff -r -u -x .build -x .swiftpm "$1" "$2" >"$WORK/diff.txt" 2>&1; then
        stale=1
        echo "--- stale: ${1#"$REPO"/}" >&2
        head -n 200 "$WORK/diff.txt" >&2
        local n; n=$(wc -l <"$WORK/diff.txt")
        (( n > 200 )) && echo "... ($n diff lines in total)" >&2
    fi
    return 0
}
compare "$REPO/openapi/openapi.json" "$SCRATCH/openapi/openapi.json"
compare "$REPO/sdks/typescript/src/generated" "$SCRATCH/sdks/typescript/src/generated"
compare "$REPO/sdks/swift" "$SCRATCH/sdks/swift"

if [[ "$stale" != 0 ]]; then
    echo "$STALE_MSG" >&2
    exit 1
fi
echo "gen-sdks --check: openapi/openapi.json and SDKs are up to date"
