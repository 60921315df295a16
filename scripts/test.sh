#!/usr/bin/env bash
# The project's test command (README.md; .ci/run calls it). Installs what is missing, then:
# formatting, committed contract artifacts up to date, clippy with -D warnings on both
# workspaces, the contracts' unit tests (ink! off-chain engine), and the off-chain
# workspace's tests, including the runtime tests that execute the contracts on pallet-revive,
# the browser test of the web app (Playwright driving Debian's headless Chromium), and a
# schemathesis fuzz run against the served API's own /openapi.json.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ATELIER_ROOT"

"$ATELIER_ROOT/scripts/setup.sh"

say "formatting"
cargo fmt --all --check
cargo fmt --all --check --manifest-path contracts/Cargo.toml

say "contract artifacts match the contract sources"
"$ATELIER_ROOT/scripts/artifacts.sh" --check
say "the web app's committed bundle (api/web/dist) matches its sources"
"$ATELIER_ROOT/scripts/web.sh" --check

say "clippy (contracts)"
cargo clippy --manifest-path contracts/Cargo.toml --all-targets -- -D warnings
say "contract unit tests (ink! off-chain engine)"
cargo test --manifest-path contracts/Cargo.toml

say "clippy (off-chain workspace)"
cargo clippy --workspace --all-targets -- -D warnings
say "off-chain tests, runtime tests on pallet-revive"
cargo test --workspace
say "API fuzz: schemathesis against the served /openapi.json (no 5xx, no schema violation)"
ATELIER_FUZZ_EXAMPLES="${ATELIER_FUZZ_EXAMPLES:-50}" "$ATELIER_ROOT/scripts/api-fuzz.sh"
