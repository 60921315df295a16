# Shared environment of the project's scripts; sourced, not run.
# One cargo target directory for everything, two parallel jobs (the machines have 2 cores).
# The target directory lives in the cache under $HOME so that a fresh clone on a machine that
# built the project before (CI right after a session) reuses the compiled runtime; a machine
# without it builds everything.
ATELIER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ATELIER_ROOT
export ATELIER_CACHE="${ATELIER_CACHE:-$HOME/.cache/atelier}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ATELIER_CACHE/target}"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
export PATH="$HOME/.cargo/bin:$PATH"
# libtorch for the worker comes from the PyPI torch wheel in a cached venv (tch 0.26 needs
# torch 2.13.0 exactly); torch-sys finds it through the venv's python.
export ATELIER_TORCH_VENV="${ATELIER_TORCH_VENV:-$ATELIER_CACHE/torch-venv}"
export VIRTUAL_ENV="$ATELIER_TORCH_VENV"
export PATH="$ATELIER_TORCH_VENV/bin:$PATH"
export LIBTORCH_USE_PYTORCH=1
export ATELIER_MODEL_DIR="${ATELIER_MODEL_DIR:-$ATELIER_CACHE/models/all-minilm-l6-v2}"
# The contracts are built by cargo-contract with Debian's rustc (it ships rust-src, which
# -Zbuild-std needs for the PolkaVM target); cargo >= 1.95 wants this to accept the target's
# JSON spec (honoured because cargo-contract sets RUSTC_BOOTSTRAP=1).
CONTRACT_ENV=(RUSTUP_TOOLCHAIN=debian-web CARGO_UNSTABLE_JSON_TARGET_SPEC=true)
# The contracts deployed as Atelier, plus the ERC-20 baseline of the weights report.
CONTRACTS=(membership governor royalty_router treasury provenance erc20_baseline)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# The contract sources' content stamp: sha256 over every file under contracts/ except the
# artifacts (path and content, in sorted order). scripts/artifacts.sh records it in
# contracts/artifacts/sources.sha256 when it writes the artifacts; scripts/run.sh rebuilds
# the contracts only when the sources' stamp differs from the recorded one.
contract_stamp() {
    (cd "$ATELIER_ROOT" && find contracts -path contracts/artifacts -prune -o -path contracts/target -prune \
        -o -type f -print | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)
}
CONTRACT_STAMP_FILE="$ATELIER_ROOT/contracts/artifacts/sources.sha256"
