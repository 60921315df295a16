#!/usr/bin/env bash
# Rebuilds the web app's bundle (api/web/dist, committed: `atelier serve` compiles it in) from
# api/web/src with esbuild; `--check` fails instead when the committed bundle is stale.
#   scripts/web.sh           rebuild api/web/dist (commit it)
#   scripts/web.sh --check   fail if api/web/dist does not match the sources
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
web="$ATELIER_ROOT/api/web"
if [ ! -x "$web/node_modules/.bin/esbuild" ]; then
    echo "error: the web tooling is missing; run scripts/setup.sh (it runs npm ci in api/web)" >&2
    exit 1
fi
exec node "$web/build.mjs" "$@"
