#!/usr/bin/env bash
# Atelier's local chain: the project's runtime (tests/runtime, FRAME + pallet-revive) compiled
# to wasm, a raw chain spec generated from it, served by Chopsticks on loopback with real
# JSON-RPC over WebSocket and HTTP (same port), one block per transaction.
#
#   scripts/chain.sh start [--port N] [--dir D] [--wasm FILE]   start; prints ws://127.0.0.1:N
#   scripts/chain.sh stop  [--dir D]                             stop the chain started in D
#   scripts/chain.sh url   [--dir D]                             print its URL
#   scripts/chain.sh build [--wasm FILE]                         only build/cache; prints the spec path
#   scripts/chain.sh check [--dir D]                             JSON-RPC smoke test of a running chain
#   scripts/chain.sh new-blocks N [--dir D]                      build N empty blocks now; prints the head
#
# --dir is the state directory (pid, url, port, chopsticks.log); default
# $ATELIER_CACHE/chain/run. Several chains can run at once with different --dir. Without
# --port a free loopback port is picked. --wasm (or ATELIER_RUNTIME_WASM) serves a given
# runtime wasm instead of building tests/runtime.
#
# The wasm is built only when missing or stale: it is cached as $ATELIER_CACHE/chain/<key>.wasm,
# keyed by the runtime crate's files, the workspace Cargo.toml and Cargo.lock, the build flags
# and the compiler; the spec likewise as <key>.spec.json. The build uses its own target
# directory ($ATELIER_CACHE/target-wasm), so it never waits on the shared one; the first build
# takes ~8 minutes on 2 cores, later ones (runtime crate only) well under a minute.
# Chopsticks itself (pinned, patched) is installed by scripts/setup.sh.
#
# Only the URL goes to stdout (url="$(scripts/chain.sh start)"); progress and errors go to stderr.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CHOPSTICKS_DIR="${ATELIER_CHOPSTICKS_DIR:-$ATELIER_CACHE/chopsticks}"
CHAIN_CACHE="$ATELIER_CACHE/chain"
WASM_TARGET_DIR="$ATELIER_CACHE/target-wasm"
START_TIMEOUT="${ATELIER_CHAIN_START_TIMEOUT:-120}"
WASM_RUSTFLAGS="-C target-cpu=mvp -C link-arg=--export-table -C link-arg=--export=__heap_base -C link-arg=--import-memory --cfg substrate_runtime"

die() { printf 'error: %s\n' "$*" >&2; exit 1; }
note() { printf '==> %s\n' "$*" >&2; }

usage() {
    sed -n '/^#   scripts/p' "${BASH_SOURCE[0]}" | sed 's/^#//' >&2
    exit 2
}

# --- Chopsticks ------------------------------------------------------------------------
# The stamp written by scripts/setup.sh; a different one means the pinned set changed.
chopsticks_stamp() {
    cat "$ATELIER_ROOT/scripts/chopsticks/package.json" "$ATELIER_ROOT/scripts/chopsticks/package-lock.json" \
        "$ATELIER_ROOT"/scripts/chopsticks/patches/*.patch | sha256sum | cut -d' ' -f1
}

require_chopsticks() {
    command -v node >/dev/null || die "node is not installed; Chopsticks needs Node.js 20 or newer (run scripts/setup.sh)"
    local major
    major="$(node -p 'process.versions.node.split(".")[0]')"
    [ "$major" -ge 20 ] || die "node $(node --version) is too old; Chopsticks needs Node.js 20 or newer"
    [ -x "$CHOPSTICKS_DIR/node_modules/.bin/chopsticks" ] ||
        die "Chopsticks is not installed in $CHOPSTICKS_DIR; run scripts/setup.sh"
    [ "$(cat "$CHOPSTICKS_DIR/.atelier-stamp" 2>/dev/null)" = "$(chopsticks_stamp)" ] ||
        die "the Chopsticks in $CHOPSTICKS_DIR does not match scripts/chopsticks/ (pinned versions or patch changed); run scripts/setup.sh"
}

# --- runtime wasm ----------------------------------------------------------------------
runtime_key() {
    (
        cd "$ATELIER_ROOT"
        find tests/runtime -type f -not -path '*/target/*' | LC_ALL=C sort | while IFS= read -r f; do
            printf '%s ' "$f"
            sha256sum <"$f"
        done
        sha256sum <Cargo.toml
        sha256sum <Cargo.lock
        echo "$WASM_RUSTFLAGS"
        rustc +debian-web --version
    ) | sha256sum | cut -c1-16
}

# Prints the path of an up-to-date runtime wasm, building it when needed.
runtime_wasm() {
    if [ -n "${WASM_OVERRIDE:-}" ]; then
        [ -f "$WASM_OVERRIDE" ] || die "the runtime wasm $WASM_OVERRIDE does not exist"
        realpath "$WASM_OVERRIDE"
        return
    fi
    rustup toolchain list 2>/dev/null | grep -q '^debian-web' ||
        die "the rustup toolchain 'debian-web' is missing; run scripts/setup.sh"
    mkdir -p "$CHAIN_CACHE"
    local key wasm
    key="$(runtime_key)"
    wasm="$CHAIN_CACHE/$key.wasm"
    if [ -s "$wasm" ]; then
        echo "$wasm"
        return
    fi
    # One build at a time (tests may start several chains at once); the others wait and reuse it.
    exec 8>"$CHAIN_CACHE/build.lock"
    flock 8
    if [ ! -s "$wasm" ]; then
        note "building the runtime wasm (tests/runtime, key $key; ~8 minutes the first time, then well under one)"
        local started=$SECONDS
        (
            cd "$ATELIER_ROOT"
            RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$WASM_TARGET_DIR" RUSTFLAGS="$WASM_RUSTFLAGS" \
                cargo +debian-web rustc --locked -p atelier-runtime --lib --crate-type cdylib \
                --target wasm32-unknown-unknown --release -Z build-std=core,alloc \
                --no-default-features -j "$CARGO_BUILD_JOBS" >&2
        ) || die "building the runtime wasm failed (see the compiler output above)"
        cp "$WASM_TARGET_DIR/wasm32-unknown-unknown/release/atelier_runtime.wasm" "$wasm.tmp"
        mv "$wasm.tmp" "$wasm"
        note "runtime wasm built in $((SECONDS - started)) s: $wasm ($(stat -c %s "$wasm") bytes)"
        # Keep the three newest builds (and their specs).
        ls -t "$CHAIN_CACHE"/*.wasm 2>/dev/null | tail -n +4 | while IFS= read -r old; do
            rm -f "$old" "${old%.wasm}".*.spec.json
        done
    fi
    flock -u 8
    echo "$wasm"
}

# Prints the path of the raw chain spec for the runtime wasm, generating it when needed.
chain_spec() {
    local wasm="$1" key spec
    key="$( (sha256sum <"$wasm"; sha256sum <"$ATELIER_ROOT/scripts/chain-spec.mjs"; chopsticks_stamp) | sha256sum | cut -c1-16)"
    spec="$CHAIN_CACHE/$(basename "${wasm%.wasm}").$key.spec.json"
    mkdir -p "$CHAIN_CACHE"
    if [ ! -s "$spec" ]; then
        local started=$SECONDS
        ATELIER_CHOPSTICKS_DIR="$CHOPSTICKS_DIR" node "$ATELIER_ROOT/scripts/chain-spec.mjs" \
            --wasm "$wasm" --out "$spec" --preset development >&2 ||
            die "generating the chain spec from $wasm failed"
        note "chain spec generated in $((SECONDS - started)) s"
    fi
    echo "$spec"
}

# --- running chain ---------------------------------------------------------------------
rpc() { # rpc PORT METHOD [PARAMS-JSON]
    curl -sS -m 10 -H 'Content-Type: application/json' \
        -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":${3:-[]}}" "http://127.0.0.1:$1"
}

running_pid() { # prints the pid of the chain of the state dir when it runs
    local pid
    pid="$(cat "$STATE_DIR/pid" 2>/dev/null)" || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q chopsticks "/proc/$pid/cmdline" 2>/dev/null || return 1
    echo "$pid"
}

free_port() {
    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

port_in_use() {
    node -e 'const s=require("net").createServer();s.once("error",()=>process.exit(0));s.listen(+process.argv[1],"127.0.0.1",()=>s.close(()=>process.exit(1)))' "$1"
}

cmd_start() {
    require_chopsticks
    if pid="$(running_pid)"; then
        die "a chain already runs from $STATE_DIR (pid $pid, $(cat "$STATE_DIR/url")); stop it with: scripts/chain.sh stop --dir $STATE_DIR"
    fi
    local wasm spec port
    if [ -n "$PORT" ]; then
        [[ "$PORT" =~ ^[0-9]+$ ]] && [ "$PORT" -ge 1 ] && [ "$PORT" -le 65535 ] || die "--port wants a number from 1 to 65535, not '$PORT'"
        ! port_in_use "$PORT" || die "port $PORT on 127.0.0.1 is already in use; pick another with --port, or leave it out to get a free one"
    fi
    wasm="$(runtime_wasm)"
    spec="$(chain_spec "$wasm")"
    if [ -n "$PORT" ]; then
        port="$PORT"
    else
        port="$(free_port)"
    fi
    mkdir -p "$STATE_DIR"
    rm -f "$STATE_DIR/pid" "$STATE_DIR/url" "$STATE_DIR/port"
    local log="$STATE_DIR/chopsticks.log" started=$SECONDS
    note "starting Chopsticks on 127.0.0.1:$port (log: $log)"
    # Its own session (survives the caller's Ctrl-C) and the state dir as working directory
    # (Chopsticks reads .env and config files from there, none from the repository).
    # Every block stays in memory: Chopsticks keeps only the newest 500 by default and then
    # answers a made-up hash (0x4545..) for the blocks it dropped (with --db too, for the
    # genesis block), which an indexer backfilling from block 0 would read. An empty block
    # costs a few KB.
    (cd "$STATE_DIR" && exec setsid node "$CHOPSTICKS_DIR/node_modules/.bin/chopsticks" \
        --genesis "$spec" --host 127.0.0.1 --port "$port" --build-block-mode Instant \
        --max-memory-block-count 1000000 </dev/null >"$log" 2>&1) &
    local pid=$!
    echo "$pid" >"$STATE_DIR/pid"
    until [ "$(rpc "$port" system_chain 2>/dev/null | grep -c '"result"')" = 1 ]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$STATE_DIR/pid"
            tail -n 20 "$log" >&2 || true
            die "Chopsticks exited before answering on port $port (its log is above and in $log)"
        fi
        if [ $((SECONDS - started)) -ge "$START_TIMEOUT" ]; then
            kill "$pid" 2>/dev/null || true
            rm -f "$STATE_DIR/pid"
            tail -n 20 "$log" >&2 || true
            die "Chopsticks did not answer JSON-RPC on port $port within $START_TIMEOUT s (log: $log)"
        fi
        sleep 0.3
    done
    echo "$port" >"$STATE_DIR/port"
    echo "ws://127.0.0.1:$port" >"$STATE_DIR/url"
    note "chain ready in $((SECONDS - started)) s: ws://127.0.0.1:$port (also http://127.0.0.1:$port); stop it with scripts/chain.sh stop${DIR_ARG:+ --dir $STATE_DIR}"
    echo "ws://127.0.0.1:$port"
}

cmd_stop() {
    local pid
    if ! pid="$(running_pid)"; then
        rm -f "$STATE_DIR/pid" "$STATE_DIR/url" "$STATE_DIR/port"
        note "no chain runs from $STATE_DIR"
        return 0
    fi
    kill -TERM "$pid"
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        note "Chopsticks (pid $pid) ignored SIGTERM for 10 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$STATE_DIR/pid" "$STATE_DIR/url" "$STATE_DIR/port"
    note "stopped the chain of $STATE_DIR (pid $pid)"
}

cmd_url() {
    running_pid >/dev/null || die "no chain runs from $STATE_DIR; start one with: scripts/chain.sh start${DIR_ARG:+ --dir $STATE_DIR}"
    cat "$STATE_DIR/url"
}

cmd_build() {
    require_chopsticks
    local wasm
    wasm="$(runtime_wasm)"
    chain_spec "$wasm"
}

# Smoke test: the chain answers, has metadata, and its runtime has pallet Revive.
cmd_check() {
    running_pid >/dev/null || die "no chain runs from $STATE_DIR"
    local port chain metadata
    port="$(cat "$STATE_DIR/port")"
    chain="$(rpc "$port" system_chain)" || die "the chain on port $port does not answer"
    metadata="$(rpc "$port" state_getMetadata)" || die "state_getMetadata failed on port $port"
    # Pallet names are SCALE strings in the metadata: "Revive" is 0x526576697665.
    grep -q '"result":"0x' <<<"$metadata" || die "state_getMetadata returned no metadata: ${metadata:0:200}"
    grep -qi '526576697665' <<<"$metadata" || die "the chain's runtime metadata has no pallet Revive"
    echo "ok: $(sed -E 's/.*"result":"([^"]*)".*/\1/' <<<"$chain") at ws://127.0.0.1:$port answers, metadata $(((${#metadata} - 40) / 2)) bytes, pallet Revive present"
}

# Empty blocks on demand (`dev_newBlock`, a few per request: each takes a runtime execution,
# ~0.25 s on 2 cores), for histories with long quiet stretches. Prints the new head number.
cmd_new_blocks() {
    running_pid >/dev/null || die "no chain runs from $STATE_DIR"
    [[ "$COUNT" =~ ^[0-9]+$ ]] || die "new-blocks wants a number of blocks, e.g. scripts/chain.sh new-blocks 5000"
    local port built=0 n answer started=$SECONDS
    port="$(cat "$STATE_DIR/port")"
    while [ "$built" -lt "$COUNT" ]; do
        n=$((COUNT - built < 20 ? COUNT - built : 20))
        answer="$(curl -sS -m 300 -H 'Content-Type: application/json' \
            -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"dev_newBlock\",\"params\":[{\"count\":$n}]}" \
            "http://127.0.0.1:$port")" || die "dev_newBlock failed after $built blocks"
        grep -q '"result"' <<<"$answer" || die "dev_newBlock refused after $built blocks: ${answer:0:200}"
        built=$((built + n))
        if [ $((built % 500)) -eq 0 ] || [ "$built" -eq "$COUNT" ]; then
            note "empty blocks: $built / $COUNT ($((SECONDS - started)) s)"
        fi
    done
    answer="$(rpc "$port" chain_getHeader)" || die "chain_getHeader failed on port $port"
    printf '%d\n' "$(sed -E 's/.*"number":"(0x[0-9a-fA-F]+)".*/\1/' <<<"$answer")"
}

# --- arguments -------------------------------------------------------------------------
[ $# -ge 1 ] || usage
COMMAND="$1"
shift
PORT=""
DIR_ARG=""
COUNT=""
WASM_OVERRIDE="${ATELIER_RUNTIME_WASM:-}"
while [ $# -gt 0 ]; do
    case "$1" in
        --port) [ $# -ge 2 ] || die "--port needs a value"; PORT="$2"; shift 2 ;;
        --dir) [ $# -ge 2 ] || die "--dir needs a value"; DIR_ARG="$2"; shift 2 ;;
        --wasm) [ $# -ge 2 ] || die "--wasm needs a value"; WASM_OVERRIDE="$2"; shift 2 ;;
        -h | --help) usage ;;
        [0-9]*) [ "$COMMAND" = new-blocks ] || die "unknown argument '$1' (see scripts/chain.sh --help)"; COUNT="$1"; shift ;;
        *) die "unknown argument '$1' (see scripts/chain.sh --help)" ;;
    esac
done
if [ -n "$DIR_ARG" ]; then
    STATE_DIR="$(realpath -m "$DIR_ARG")"
else
    STATE_DIR="$CHAIN_CACHE/run"
fi

case "$COMMAND" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    url) cmd_url ;;
    build) cmd_build ;;
    check) cmd_check ;;
    new-blocks) cmd_new_blocks ;;
    -h | --help | help) usage ;;
    *) die "unknown command '$COMMAND'; use start, stop, url, build, check or new-blocks" ;;
esac
