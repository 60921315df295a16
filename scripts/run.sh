#!/usr/bin/env bash
# The main job (README.md): installs what is missing, builds the contracts' artifacts when
# their sources changed, and runs `atelier dev` (the optimised build, scripts/atelier): the
# local chain, the DAO deployed and seeded, then the indexer, the API and the worker.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ATELIER_ROOT"

"$ATELIER_ROOT/scripts/setup.sh"
stamp="$(contract_stamp)"
if [ "$(cat "$CONTRACT_STAMP_FILE" 2>/dev/null)" = "$stamp" ]; then
    say "contracts unchanged since contracts/artifacts was built (sources ${stamp:0:12}): not rebuilding them"
else
    say "contract sources changed (sources ${stamp:0:12}, artifacts built from $(head -c 12 "$CONTRACT_STAMP_FILE" 2>/dev/null || echo nothing)): rebuilding contracts/artifacts (minutes)"
    "$ATELIER_ROOT/scripts/artifacts.sh"
fi
say "building (release, when something changed) and running atelier dev"
exec "$ATELIER_ROOT/scripts/atelier" dev "$@"
