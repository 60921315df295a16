#!/usr/bin/env bash
# Benchmarks the read API against PostGraphile v4 (the GraphQL engine of SubQuery's query
# service) over the same PostgreSQL store, in the same run, as the baseline.
#
# * The store: a fresh database (dropped first) migrated by the API itself, then generated
#   with generate_series (scripts/api-bench/generate.sql): 100,000 proposals (states,
#   summaries, lifecycle events), 1,000,000 votes, 5,000 members, total checkpoints, and
#   the raw events the indexer keeps beside them (one per proposal and vote); VACUUM ANALYZE.
#   Both engines read the same tables with the same indexes. The only change for PostGraphile
#   is a smart comment renaming the table `cursor`, whose type name clashes with its built-in
#   `Cursor` type.
# * The API: api/examples/serve_bench.rs, a release build of what `atelier serve` runs: the
#   same Store::open, the same Config flags and atelier_api::serve, hence the same router and
#   middleware (rate limit off, as for any benchmark: --rate-limit 0). Not `atelier serve`
#   itself because a release build of the whole CLI also builds the runtime and libtorch.
# * PostGraphile: the version pinned by scripts/postgraphile/package-lock.json, installed with
#   `npm ci` into $ATELIER_CACHE/postgraphile; one Node process (as SubQuery runs it), read
#   only (-M), no query log, a pool of 8 connections like the API's store.
# * Two queries through both engines, checked first to return the same rows (bench.py check):
#   1. one proposal by id: GET /proposals/{id} | proposalById + proposalStateByProposalId +
#      allProposalEvents (the same rows; the API also derives state and quorum from the head,
#      the governor's settings and the total weight, which costs it extra queries);
#   2. a filtered page of 50: GET /votes?proposal={id}&limit=50 | allVotes(condition:
#      {proposalId}, orderBy: [BLOCK_ASC, EVENT_INDEX_ASC], first: 50) with pageInfo.
# * Load: wrk (-t2 -c32, 15 s after a 3 s warm-up; ids drawn at random, the same sequence for
#   both engines: any proposal for query 1, proposals with 60 votes for query 2) gives req/s
#   (2xx only) and p50/p99; oha paced at a fixed 1,000 req/s (--latency-correction, so a
#   server that falls behind is charged for the wait; requests under way at the end are
#   waited for; one fixed id) gives p99 at that rate and the rate it really served.
#   Then the API server's peak resident memory (VmHWM of /proc/PID/status).
# * Goals (from the issue): API/PostGraphile >= 1.5x req/s on both queries, p99 <= 20 ms at
#   1,000 req/s, API peak RSS <= 150 MB. The table says which are met; the exit status is 0
#   either way (it is a measurement), non-zero only when the run itself fails.
#
# Load generator, servers and PostgreSQL share the machine; on 2 cores the figures are
# relative more than absolute. About 5 minutes once built (the first run builds oha and the
# example, and installs wrk and PostGraphile).
#
#   scripts/api-bench.sh [--out FILE] [--duration S] [--connections N] [--rate R] [--reuse-db]
#     --out FILE      figures as JSON (default $CARGO_TARGET_DIR/api-bench.json)
#     --duration S    seconds of each measured load run (default 15)
#     --connections N wrk/oha connections (default 32)
#     --rate R        the paced rate, req/s (default 1000)
#     --reuse-db      keep the database when it holds a store generated with the same settings
#   ATELIER_BENCH_DB   the benchmark database URL (default
#                      postgres://postgres@127.0.0.1:5432/atelier_bench); it is DROPPED and
#                      re-created through the `postgres` database of the same server
#   ATELIER_BENCH_PROPOSALS / ATELIER_BENCH_VOTES / ATELIER_BENCH_MEMBERS   store size
#                      (default 100000 / 1000000 / 5000)
#   ATELIER_BENCH_RAW_EVENTS=0   leave raw_events empty (a store unlike the indexer's; to see
#                      what that table costs the API)
#   ATELIER_BENCH_PG_WORKERS=N   run PostGraphile with --cluster-workers N (default 1: one
#                      process, as SubQuery's query service runs it)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ATELIER_ROOT"

out="$CARGO_TARGET_DIR/api-bench.json"
duration=15
connections=32
threads=2
rate=1000
warmup=3
reuse=0
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --rate) rate="$2"; shift 2 ;;
        --reuse-db) reuse=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "error: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
db_url="${ATELIER_BENCH_DB:-postgres://postgres@127.0.0.1:5432/atelier_bench}"
db_name="${db_url##*/}"
db_name="${db_name%%\?*}"
admin_url="${db_url%/*}/postgres"
proposals="${ATELIER_BENCH_PROPOSALS:-100000}"
votes="${ATELIER_BENCH_VOTES:-1000000}"
members="${ATELIER_BENCH_MEMBERS:-5000}"
raw_events="${ATELIER_BENCH_RAW_EVENTS:-1}"
pg_workers="${ATELIER_BENCH_PG_WORKERS:-1}"
bench_dir="$ATELIER_ROOT/scripts/api-bench"
started_at=$(date +%s)
loadavg_before="$(cut -d' ' -f1-3 /proc/loadavg)"

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- tools -----------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
    say "installing wrk (Debian package)"
    sudo_ apt-get update -qq
    sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
fi
for t in psql python3 node npm curl; do
    command -v "$t" >/dev/null || { echo "error: $t is missing" >&2; exit 1; }
done

OHA_VERSION=1.16.0
oha="$ATELIER_CACHE/oha/bin/oha"
if ! "$oha" --version 2>/dev/null | grep -q "$OHA_VERSION"; then
    say "installing oha $OHA_VERSION into $ATELIER_CACHE/oha (a few minutes)"
    cargo install --locked --root "$ATELIER_CACHE/oha" "oha@$OHA_VERSION"
fi

pg_dir="$ATELIER_CACHE/postgraphile"
pg_src="$ATELIER_ROOT/scripts/postgraphile"
pg_stamp="$(cat "$pg_src/package.json" "$pg_src/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$pg_dir/.atelier-stamp" 2>/dev/null)" != "$pg_stamp" ] || [ ! -x "$pg_dir/node_modules/.bin/postgraphile" ]; then
    say "installing PostGraphile (pinned) into $pg_dir"
    rm -rf "$pg_dir"
    mkdir -p "$pg_dir"
    cp "$pg_src/package.json" "$pg_src/package-lock.json" "$pg_dir/"
    (cd "$pg_dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$pg_stamp" >"$pg_dir/.atelier-stamp"
fi
pg_version="$(node -p "require('$pg_dir/node_modules/postgraphile/package.json').version")"

say "building the API server (release, api/examples/serve_bench.rs)"
cargo build --release --quiet -p atelier-api --example serve_bench
server_bin="$CARGO_TARGET_DIR/release/examples/serve_bench"

work="$(mktemp -d)"
results="$work/results"
mkdir -p "$results"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { # wait_for WHAT LOG CMD...: until CMD succeeds (60 s)
    local what="$1" log="$2"; shift 2
    for _ in $(seq 1 600); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "error: $what did not come up; its log:" >&2; cat "$log" >&2; exit 1
}
start_api() {
    api_port="$(free_port)"
    "$server_bin" --db "$db_url" --listen "127.0.0.1:$api_port" --rate-limit 0 --stall-after-s 0 \
        >>"$work/api.log" 2>&1 &
    api_pid=$!
    pids+=("$api_pid")
    wait_for "the API" "$work/api.log" curl -fsS "http://127.0.0.1:$api_port/health"
}

# --- the store ---------------------------------------------------------------------------
shape="atelier api-bench store: proposals=$proposals votes=$votes members=$members raw_events=$raw_events"
if [ "$reuse" = 1 ] && [ "$(psql "$admin_url" -qAtc "select shobj_description(oid, 'pg_database') from pg_database where datname = '$db_name'" 2>/dev/null)" = "$shape" ]; then
    say "reusing the store in $db_name ($shape)"
    start_api
else
    say "creating $db_name: migrated by the API, then $proposals proposals and $votes votes (about 1-2 minutes)"
    psql "$admin_url" -qc "drop database if exists \"$db_name\" with (force)" -c "create database \"$db_name\""
    start_api # migrates the empty database
    t0=$(date +%s)
    psql "$db_url" -q -v ON_ERROR_STOP=1 -v proposals="$proposals" -v votes="$votes" \
        -v members="$members" -v raw_events="$raw_events" -f "$bench_dir/generate.sql"
    # Set hint bits and the visibility map now, so that neither engine pays for it later.
    psql "$db_url" -qc "vacuum (analyze)"
    psql "$db_url" -qc "comment on table cursor is E'@name indexer_cursor'" \
        -c "comment on database \"$db_name\" is '$shape'"
    echo "generated in $(( $(date +%s) - t0 ))s: $(psql "$db_url" -qAtc "select pg_size_pretty(pg_database_size(current_database()))")"
fi
n_raw="$(psql "$db_url" -qAtc "select count(*) from raw_events")"

pg_port="$(free_port)"
pg_cluster=()
[ "$pg_workers" -gt 1 ] && pg_cluster=(--cluster-workers "$pg_workers")
"$pg_dir/node_modules/.bin/postgraphile" -c "$db_url" --schema public --host 127.0.0.1 \
    --port "$pg_port" --disable-graphiql --disable-default-mutations --disable-query-log \
    --max-pool-size 8 "${pg_cluster[@]}" >>"$work/postgraphile.log" 2>&1 &
pg_pid=$!
pids+=("$pg_pid")
gql="http://127.0.0.1:$pg_port/graphql"
api="http://127.0.0.1:$api_port"
wait_for "PostGraphile" "$work/postgraphile.log" curl -fsS -XPOST -H 'content-type: application/json' \
    -d '{"query":"{ __typename }"}' "$gql"
# The memory of the Node process that listens (with --cluster-workers, the workers' largest).
pg_node_pid="$(ss -ltnpH "sport = :$pg_port" | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2)"

# --- same answers on both sides ------------------------------------------------------------
# Query 1 over any proposal, query 2 over the popular ones (ids 1 mod 10: 60 votes each).
popular=$(( proposals / 10 ))
fixed=$(( (proposals / 2 / 10) * 10 + 11 )) # popular, with 60 votes
say "checking that both engines return the same rows"
python3 "$bench_dir/bench.py" check "$api" "$gql" \
    "1,2,3,4,7,9,$fixed,$(( proposals - 1 )),$proposals" \
    "1,11,$fixed,$(( proposals - 9 ))"

# --- load ------------------------------------------------------------------------------------
rest_path() { case "$1" in proposal) echo "/proposals/__ID__" ;; votes) echo "/votes?proposal=__ID__&limit=50" ;; esac; }
ids() { case "$1" in proposal) echo "1 1 $proposals" ;; votes) echo "1 10 $popular" ;; esac; }
run_wrk() { # run_wrk QUERY ENGINE SECONDS FILE
    local q="$1" e="$2" secs="$3" file="$4"
    # shellcheck disable=SC2046
    if [ "$e" = api ]; then
        wrk -t"$threads" -c"$connections" -d"${secs}s" --timeout 30s --latency -s "$bench_dir/wrk.lua" \
            "$api" -- GET "$(rest_path "$q")" $(ids "$q") >"$file"
    else
        wrk -t"$threads" -c"$connections" -d"${secs}s" --timeout 30s --latency -s "$bench_dir/wrk.lua" \
            "$gql" -- POST "$(python3 "$bench_dir/bench.py" body "$q" __ID__)" \
            $(ids "$q") >"$file"
    fi
}
run_oha() { # run_oha QUERY ENGINE FILE
    local q="$1" e="$2" file="$3"
    local common=(-z "${duration}s" -q "$rate" -c "$connections" --latency-correction -w --no-tui
                  --output-format json)
    if [ "$e" = api ]; then
        "$oha" "${common[@]}" "$api$(rest_path "$q" | sed "s/__ID__/$fixed/")" >"$file"
    else
        "$oha" "${common[@]}" -m POST -T application/json \
            -d "$(python3 "$bench_dir/bench.py" body "$q" "$fixed")" "$gql" >"$file"
    fi
}
for q in proposal votes; do
    for e in api postgraphile; do
        say "$q on $e: warm-up ${warmup}s, wrk ${duration}s, then oha at $rate req/s for ${duration}s"
        run_wrk "$q" "$e" "$warmup" /dev/null
        sleep 2
        run_wrk "$q" "$e" "$duration" "$results/$q.$e.wrk.txt"
        grep -E "requests in|Requests/sec|^ +(50|99)%|Non-2xx|Socket errors" "$results/$q.$e.wrk.txt" | sed 's/^ */    /'
        if grep -qE "Non-2xx|Socket errors" "$results/$q.$e.wrk.txt"; then
            echo "    errors: the last lines of the $e server's log (all of it: ${out%.json}.$e.log):"
            tail -n 5 "$work/$e.log" | sed 's/^/      /'
            # The API logs nothing here (no log subscriber); its own counters say which statuses.
            if [ "$e" = api ]; then
                { curl -fsS "$api/metrics" | grep '^atelier_api_requests_total' | grep -v 'status="2' | sed 's/^/      /'; } || true
            fi
        fi
        sleep 2
        run_oha "$q" "$e" "$results/$q.$e.oha.json"
        python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s=d["summary"]; p=d["latencyPercentiles"]; print("    paced: %.1f responses/s, p99 %.2f ms, status %s, errors %s" % (s["requestsPerSec"], (p["p99"] or 0)*1e3, d["statusCodeDistribution"], d["errorDistribution"] or "none"))' "$results/$q.$e.oha.json"
        sleep 2
    done
done

# The servers still answer the same after the load.
python3 "$bench_dir/bench.py" check "$api" "$gql" "$fixed" "$fixed"

hwm() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
api_hwm="$(hwm "$api_pid")"
pg_hwm="$(hwm "${pg_node_pid:-$pg_pid}")"
for w in $(pgrep -P "$pg_pid" 2>/dev/null || true); do
    [ "$(hwm "$w")" -gt "$pg_hwm" ] && pg_hwm="$(hwm "$w")"
done

python3 - "$results/meta.json" <<EOF
import json, sys
json.dump({
    "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
    "commit": "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo +dirty)",
    "machine": {"cpus": $(nproc), "loadavg_before": "$loadavg_before",
                "postgres": "$(psql "$db_url" -qAtc 'show server_version')"},
    "store": {"proposals": $proposals, "votes": $votes, "members": $members, "raw_events": $n_raw},
    "postgraphile_version": "$pg_version",
    "postgraphile_workers": $pg_workers,
    "oha_version": "$OHA_VERSION",
    "wrk": {"threads": $threads, "connections": $connections, "duration_s": $duration},
    "rate": $rate,
    "api_vmhwm_kb": $api_hwm,
    "postgraphile_vmhwm_kb": $pg_hwm,
    "goals": {"ratio": 1.5, "p99_ms": 20, "rss_mb": 150},
}, open(sys.argv[1], "w"))
EOF
mkdir -p "$(dirname "$out")"
python3 "$bench_dir/bench.py" report "$results" "$out"
cp "$work/api.log" "${out%.json}.api.log"
cp "$work/postgraphile.log" "${out%.json}.postgraphile.log"
echo "took $(( $(date +%s) - started_at ))s; the store stays in $db_name"
