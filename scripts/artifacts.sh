#!/usr/bin/env bash
# Builds the contracts with cargo-contract and writes their code and metadata to
# contracts/artifacts/<name>.polkavm and <name>.json, which the off-chain crates read.
#   scripts/artifacts.sh          rebuild and update the committed artifacts
#   scripts/artifacts.sh --check  rebuild and fail if the committed artifacts are stale
#   scripts/artifacts.sh governor only the named contracts
# Then it (re)generates the typed ABI, indexer/abi/src/generated (scripts/abigen.py).
# Writing all of them also records the sources' content stamp (contracts/artifacts/
# sources.sha256, see contract_stamp in lib.sh); --check fails when it is not current.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

check=false
if [ "${1:-}" = "--check" ]; then check=true; shift; fi
all=true
if [ $# -gt 0 ]; then CONTRACTS=("$@"); all=false; fi
out="$ATELIER_ROOT/contracts/artifacts"
mkdir -p "$out"
stale=()
for c in "${CONTRACTS[@]}"; do
    say "building contract $c"
    env "${CONTRACT_ENV[@]}" CARGO_TARGET_DIR="$CARGO_TARGET_DIR/contracts" \
        cargo contract build --release --quiet --manifest-path "$ATELIER_ROOT/contracts/$c/Cargo.toml"
    built="$CARGO_TARGET_DIR/contracts/ink/$c"
    for ext in polkavm json; do
        if $check; then
            cmp -s "$built/$c.$ext" "$out/$c.$ext" || stale+=("$c.$ext")
        else
            cp "$built/$c.$ext" "$out/$c.$ext"
        fi
    done
done
stamp="$(contract_stamp)"
# The typed ABI (crate atelier-abi) is generated from the metadata just compared or written.
if $check; then
    python3 "$ATELIER_ROOT/scripts/abigen.py" --check || stale+=("indexer/abi (run scripts/abigen.py)")
else
    python3 "$ATELIER_ROOT/scripts/abigen.py"
fi
if $check; then
    if $all && [ "$(cat "$CONTRACT_STAMP_FILE" 2>/dev/null)" != "$stamp" ]; then
        stale+=("sources.sha256")
    fi
    if [ ${#stale[@]} -gt 0 ]; then
        echo "error: committed contract artifacts are stale: ${stale[*]}" >&2
        echo "       run scripts/artifacts.sh and commit contracts/artifacts" >&2
        exit 1
    fi
    echo "ok: contracts/artifacts match the contract sources"
else
    if $all; then echo "$stamp" >"$CONTRACT_STAMP_FILE"; fi
    echo "wrote ${CONTRACTS[*]} to contracts/artifacts"
fi
