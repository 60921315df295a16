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

# Every step runs even when an earlier one failed, so one run shows everything that is red;
# the script still exits non-zero, listing the failed steps at the end.
failed=()
step() {
    local name="$1"
    shift
    say "$name"
    if ! "$@"; then
        failed+=("$name")
        printf '\033[1;31m==> failed: %s\033[0m\n' "$name"
    fi
}

step "formatting" cargo fmt --all --check
step "formatting (contracts)" cargo fmt --all --check --manifest-path contracts/Cargo.toml
step "contract artifacts match the contract sources" "$ATELIER_ROOT/scripts/artifacts.sh" --check
step "the web app's committed bundle (api/web/dist) matches its sources" "$ATELIER_ROOT/scripts/web.sh" --check
step "clippy (contracts)" cargo clippy --manifest-path contracts/Cargo.toml --all-targets -- -D warnings
step "contract unit tests (ink! off-chain engine)" cargo test --no-fail-fast --manifest-path contracts/Cargo.toml
step "clippy (off-chain workspace)" cargo clippy --workspace --all-targets -- -D warnings
step "off-chain tests, runtime tests on pallet-revive" cargo test --workspace --no-fail-fast
step "API fuzz: schemathesis against the served /openapi.json (no 5xx, no schema violation)" \
    env ATELIER_FUZZ_EXAMPLES="${ATELIER_FUZZ_EXAMPLES:-50}" "$ATELIER_ROOT/scripts/api-fuzz.sh"

if [ ${#failed[@]} -gt 0 ]; then
    printf '\033[1;31m==> %d step(s) failed:\033[0m\n' "${#failed[@]}"
    printf '  - %s\n' "${failed[@]}"
    exit 1
fi
say "all steps passed"
