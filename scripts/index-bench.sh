#!/usr/bin/env bash
# Benchmarks the indexer as users run it: the optimised `atelier` binary indexing a real
# local chain (Chopsticks serving the project's runtime) from block 0, into SQLite and into
# PostgreSQL, next to a plain fetch + decode of the same blocks measured in the same run.
#
# * A fresh chain in its own state directory, the DAO deployed and seeded on it
#   (`atelier dev --no-services`), then `atelier bench-sync`:
#   - history: --empty-blocks empty blocks (default 5,000, `scripts/chain.sh new-blocks`,
#     before the DAO is deployed), then the DAO's deployment and seed, then --royalties
#     routed royalties (one contract event each), --per-call of them in each
#     `royalty_router.route_batch` call, --per-batch calls in each extrinsic
#     (`Utility::batch_all`, one block each);
#   - ceiling: the same blocks read (ranged block hashes, one storage read per block, 16 in
#     flight) and their events decoded, no contract decoding, no store: `atelier index
#     --once --no-store` as a child process, timed from spawn to exit like the indexer;
#   - per store: `atelier index --once` as a child process from block 0 to the end of the
#     empty stretch (--to-block), then on to the head: contract events/s on the dense
#     stretch, blocks/s on the empty one, each as a share of the ceiling; the indexer's
#     peak RSS (VmHWM, printed by itself); the chain server's CPU seconds during each run.
#   Each run checks that the indexer stored as many blocks and events as the ceiling read.
# * Goals (from the issue): >= 10,000 contract events/s on the dense stretch and >= 1,000
#   blocks/s on the empty one into both stores, >= 80% of the ceiling, peak RSS <= 150 MB.
#   The exit status is 0 whatever the figures (it is a measurement), non-zero when the run
#   itself fails.
#
# The chain, the indexer and PostgreSQL share the machine (2 cores here). Building the
# release binary takes a while the first time (subxt, sqlx, axum at opt-level 3; the dev
# runtime is not in it); building the history takes a few minutes on Chopsticks.
#
#   scripts/index-bench.sh [--out FILE] [bench-sync options: --royalties N --per-call N
#                           --per-batch N --empty-blocks N --concurrency N]
#     --out FILE   where the table is kept (default $CARGO_TARGET_DIR/index-bench.txt)
#     --keep       leave the chain running and its history (and the work folder) in place,
#                  to profile `atelier index --once` against it; prints how to stop it
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ATELIER_ROOT"

out="$CARGO_TARGET_DIR/index-bench.txt"
keep=
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out="$2"; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '/^#   scripts/,/^#     --out/p' "${BASH_SOURCE[0]}" | sed 's/^#//'; exit 0 ;;
        *) args+=("$1"); shift ;;
    esac
done

"$ATELIER_ROOT/scripts/setup.sh" >/dev/null
work="$(mktemp -d)"
admin="${ATELIER_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
pg_db="atelier_index_bench_$$"
cleanup() {
    if [ -n "${blocks_pid:-}" ]; then kill "$blocks_pid" 2>/dev/null || true; fi
    if [ -n "$keep" ]; then
        echo "kept: the chain at ${url:-?} (state in $work/chain, deployment $work/deployment.json); stop it with scripts/chain.sh stop --dir $work/chain" >&2
        return
    fi
    "$ATELIER_ROOT/scripts/chain.sh" stop --dir "$work/chain" >/dev/null 2>&1 || true
    psql "$admin" -qc "drop database if exists $pg_db with (force)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

say "starting a fresh local chain"
url="$("$ATELIER_ROOT/scripts/chain.sh" start --dir "$work/chain")"
chain_pid="$(cat "$work/chain/pid")"
empty=5000
for ((i = 0; i < ${#args[@]}; i++)); do
    if [ "${args[$i]}" = --empty-blocks ]; then empty="${args[$((i + 1))]}"; fi
done
# The empty stretch (minutes: Chopsticks builds each block) is built while the contracts
# are checked and the release binary is built; the history waits for all three.
say "building $empty empty blocks in the background (before the DAO arrives, as on a chain it joins late)"
"$ATELIER_ROOT/scripts/chain.sh" new-blocks "$empty" --dir "$work/chain" >"$work/empty_to" &
blocks_pid=$!
if ! "$ATELIER_ROOT/scripts/artifacts.sh" --check; then
    echo "error: contracts/artifacts do not match the contract sources; run scripts/artifacts.sh" >&2
    exit 1
fi
say "building the optimised atelier (cargo build --release)"
cargo build --release --locked --bin atelier -j "$CARGO_BUILD_JOBS"
bin="$CARGO_TARGET_DIR/release/atelier"
if ! wait "$blocks_pid"; then
    blocks_pid=
    echo "error: building the empty blocks failed" >&2
    exit 1
fi
blocks_pid=
empty_to="$(cat "$work/empty_to")"
say "deploying and seeding the DAO on $url"
"$bin" dev --url "$url" --deployment "$work/deployment.json" --no-services >/dev/null

dbs=(--db "sqlite://$work/bench.db")
if psql "$admin" -qc "create database $pg_db" >/dev/null 2>&1; then
    dbs+=(--db "${admin%/*}/$pg_db")
else
    echo "warning: no PostgreSQL at $admin; measuring SQLite only" >&2
fi

say "atelier bench-sync"
bench_args=()
for ((i = 0; i < ${#args[@]}; i++)); do
    if [ "${args[$i]}" = --empty-blocks ]; then i=$((i + 1)); else bench_args+=("${args[$i]}"); fi
done
"$bin" bench-sync --url "$url" --deployment "$work/deployment.json" --chain-pid "$chain_pid" \
    --empty-to "$empty_to" "${dbs[@]}" "${bench_args[@]+"${bench_args[@]}"}" | tee "$out"
echo "figures: $out"
