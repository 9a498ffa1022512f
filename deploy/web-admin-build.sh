#!/usr/bin/env bash
# Builds the admin SPA into web-admin/dist, the directory the helium binary embeds.
# The build is committed so that helium builds without Node; after changing web-admin/ run
#
#   deploy/web-admin-build.sh           rebuild web-admin/dist (commit it with the sources)
#   deploy/web-admin-build.sh --check   build into a scratch directory and compare: exit 1
#                                       when the committed build does not match the sources
#
# The check compares every file byte for byte, except the .br twins, which are compared
# after decompression (brotli output may differ between zlib versions). It also prints the
# initial load (gzip) of the app shell and fails above the 300 KB budget.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WEB="$REPO/web-admin"
BUDGET_KB=300
CHECK=0
case "${1:-}" in
    --check) CHECK=1 ;;
    "") ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

cd "$WEB"
[[ -d node_modules ]] || npm ci --prefer-offline --no-audit --no-fund --loglevel=error

if [[ "$CHECK" == 0 ]]; then
    nice -n 10 npm run build --silent
    node scripts/bundle-size.mjs dist "$BUDGET_KB"
    exit 0
fi

SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/web-admin-build.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT
nice -n 10 npx tsc -p tsconfig.json --noEmit
nice -n 10 npx vite build --logLevel error --outDir "$SCRATCH/dist" --emptyOutDir
node scripts/precompress.mjs "$SCRATCH/dist" >/dev/null
node scripts/compare-builds.mjs dist "$SCRATCH/dist"
node scripts/bundle-size.mjs dist "$BUDGET_KB"
