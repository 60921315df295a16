#!/usr/bin/env bash
# The main job (README.md): installs what is missing, builds the contracts' artifacts when
# their sources changed, and runs `atelier dev`, the governance scenario on the
# pallet-revive runtime, printing every step.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ATELIER_ROOT"

"$ATELIER_ROOT/scripts/setup.sh"
say "building the contracts and checking them against contracts/artifacts (minutes the first time)"
if ! "$ATELIER_ROOT/scripts/artifacts.sh" --check; then
    say "contract sources changed: updating contracts/artifacts"
    "$ATELIER_ROOT/scripts/artifacts.sh"
fi
say "building and running atelier dev"
exec "$ATELIER_ROOT/scripts/atelier" dev "$@"
