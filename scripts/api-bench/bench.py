#!/usr/bin/env python3
"""Helpers of scripts/api-bench.sh (standard library only).

  bench.py body QUERY_NAME ID            GraphQL request body of a query, for one id (or __ID__)
  bench.py check API_URL GQL_URL         both engines answer the same data for sample ids
  bench.py wrk FILE                      parses wrk --latency output into JSON
  bench.py report RESULTS_DIR OUT        prints the table and writes the figures as JSON
"""

import json
import os
import re
import sys
import time
import urllib.request

# The two GraphQL queries, the PostGraphile side of the two API requests.
# 1. GET /proposals/{id}: the proposal, its state row (tallies, timeline blocks, actions),
#    its worker summary and its lifecycle events, all in one request.
# 2. GET /votes?proposal={id}&limit=50: the proposal's first 50 votes in (block, event index)
#    order, with whether there is a next page and its cursor.
GRAPHQL = {
    "proposal": (
        "query($id: BigInt!) { "
        "proposalById(id: $id) { id proposer description descriptionHash block eventIndex "
        "summaryByProposalId { text hash modelId } } "
        "proposalStateByProposalId(proposalId: $id) { snapshot voteEnd quorumBps actions "
        "forVotes againstVotes abstainVotes status eta summaryHash summaryModel } "
        "allProposalEvents(condition: {proposalId: $id}, orderBy: [BLOCK_ASC, EVENT_INDEX_ASC]) "
        "{ nodes { kind block eventIndex } } }"
    ),
    "votes": (
        "query($id: BigInt!) { "
        "allVotes(condition: {proposalId: $id}, orderBy: [BLOCK_ASC, EVENT_INDEX_ASC], first: 50) "
        "{ nodes { proposalId voter support weight reason relayer block eventIndex } "
        "pageInfo { hasNextPage endCursor } } }"
    ),
}
REST = {"proposal": "/proposals/{id}", "votes": "/votes?proposal={id}&limit=50"}


def body(name, ident):
    return json.dumps({"query": GRAPHQL[name], "variables": {"id": str(ident)}})


def get(url):
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.load(r)


def post(url, data):
    req = urllib.request.Request(
        url, data=data.encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=60) as r:
        out = json.load(r)
    if out.get("errors"):
        raise SystemExit(f"GraphQL errors: {out['errors']}")
    return out["data"]


def check(api, gql, proposal_ids, vote_ids):
    """Same rows on both sides: the proposal (id, proposer, tallies, events) and the same 50
    votes in the same order, each with a next page."""
    started = time.monotonic()
    for i in proposal_ids:
        a = get(api + REST["proposal"].format(id=i))
        g = post(gql, body("proposal", i))
        p, s = g["proposalById"], g["proposalStateByProposalId"]
        assert a["id"] == i == int(p["id"]), (i, a.get("id"), p)
        assert a["proposer"] == p["proposer"], i
        assert a["description"] == p["description"], i
        assert a["tallies"]["for"] == s["forVotes"], i
        assert a["tallies"]["against"] == s["againstVotes"], i
        assert a["timeline"]["vote_end"] == int(s["voteEnd"]), i
        ev_a = [(e["kind"], e["block"]) for e in a["timeline"]["events"]]
        ev_g = [(e["kind"], int(e["block"])) for e in g["allProposalEvents"]["nodes"]]
        assert ev_a == ev_g, (i, ev_a, ev_g)
        assert (a["summary"]["text"] is None) == (p["summaryByProposalId"] is None), i
    for i in vote_ids:
        a = get(api + REST["votes"].format(id=i))
        g = post(gql, body("votes", i))["allVotes"]
        va = [(v["voter"], v["support"], v["weight"], v["position"]["block"],
               v["position"]["event_index"]) for v in a["items"]]
        vg = [(v["voter"], v["support"], v["weight"], int(v["block"]), int(v["eventIndex"]))
              for v in g["nodes"]]
        assert len(va) == 50 == len(vg), (i, len(va), len(vg))
        assert va == vg, i
        assert a["next_cursor"] and g["pageInfo"]["hasNextPage"], i
    print(
        f"ok: {len(proposal_ids)} proposals and {len(vote_ids)} vote pages of 50 are the same "
        f"on both engines ({time.monotonic() - started:.1f}s)"
    )


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    return float(m.group(1)) * UNITS[m.group(2)]


def parse_wrk(path):
    text = open(path).read()
    out = {}
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m),", text)
    out["requests"] = int(m.group(1))
    out["duration_s"] = ms(m.group(2) + m.group(3)) / 1e3
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    out["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    out["socket_errors"] = sum(map(int, m.groups())) if m else 0
    out["timeouts"] = int(m.group(4)) if m else 0
    out["ok"] = out["requests"] - out["non_2xx"]
    out["rps"] = out["ok"] / out["duration_s"]
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M)
        out[f"p{pct}_ms"] = ms(m.group(1)) if m else None
    return out


def parse_oha(path, rate):
    d = json.load(open(path))
    s = d["summary"]
    codes = d.get("statusCodeDistribution", {})
    ok = sum(n for c, n in codes.items() if str(c).startswith("2"))
    total = sum(codes.values())
    errors = sum(d.get("errorDistribution", {}).values())
    pct = d.get("latencyPercentiles", {})
    took = s.get("total") or 0
    return {
        "target_rps": rate,
        "achieved_rps": ok / took if took else 0.0,
        "responses": total,
        "ok": ok,
        "errors": errors,
        "p50_ms": (pct.get("p50") or 0) * 1e3,
        "p99_ms": (pct.get("p99") or 0) * 1e3,
        "max_ms": (s.get("slowest") or 0) * 1e3,
    }


def fmt(v, nd=1):
    return "-" if v is None else f"{v:,.{nd}f}"


def report(results, out_path):
    meta = json.load(open(os.path.join(results, "meta.json")))
    goals = meta["goals"]
    queries = {}
    for q in ("proposal", "votes"):
        row = {}
        for e in ("api", "postgraphile"):
            row[e] = {
                "wrk": parse_wrk(os.path.join(results, f"{q}.{e}.wrk.txt")),
                "paced": parse_oha(os.path.join(results, f"{q}.{e}.oha.json"), meta["rate"]),
            }
        row["ratio"] = (
            row["api"]["wrk"]["rps"] / row["postgraphile"]["wrk"]["rps"]
            if row["postgraphile"]["wrk"]["rps"] else None
        )
        queries[q] = row

    def sustained(p):
        return p["achieved_rps"] >= 0.95 * p["target_rps"] and p["errors"] == 0

    verdict = {}
    for q, row in queries.items():
        api = row["api"]
        verdict[q] = {
            "throughput_ratio": row["ratio"] is not None and row["ratio"] >= goals["ratio"],
            "paced_p99": sustained(api["paced"]) and api["paced"]["p99_ms"] <= goals["p99_ms"],
        }
    verdict["api_peak_rss"] = meta["api_vmhwm_kb"] / 1024 <= goals["rss_mb"]
    result = {**meta, "queries": queries, "goals_met": verdict}
    with open(out_path, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")

    names = {
        "proposal": "GET one proposal  (/proposals/{id} | proposalById + state + events)",
        "votes": "votes page of 50  (/votes?proposal=&limit=50 | allVotes(condition, first: 50))",
    }
    print()
    workers = meta.get("postgraphile_workers", 1)
    print(f"Atelier API vs PostGraphile {meta['postgraphile_version']} "
          f"({workers} Node process{'es' if workers > 1 else ''}) over one PostgreSQL store "
          f"({meta['store']['proposals']:,} proposals, {meta['store']['votes']:,} votes, "
          f"{meta['store']['raw_events']:,} raw events)")
    print(f"wrk -t{meta['wrk']['threads']} -c{meta['wrk']['connections']} -d{meta['wrk']['duration_s']}s "
          f"(random ids); paced: oha -q {meta['rate']} -c {meta['wrk']['connections']} "
          f"-z {meta['wrk']['duration_s']}s --latency-correction (one fixed id); "
          f"{meta['machine']['cpus']} CPUs, load before the run {meta['machine']['loadavg_before']}")
    print()
    head = (f"{'query':<10} {'engine':<13} {'req/s':>9} {'p50 ms':>10} {'p99 ms':>10} {'errors':>7}"
            f"   {'@' + str(meta['rate']) + '/s: got':>12} {'p99 ms':>10}")
    print(head)
    print("-" * len(head))
    for q, row in queries.items():
        for e in ("api", "postgraphile"):
            w, p = row[e]["wrk"], row[e]["paced"]
            errs = w["non_2xx"] + w["socket_errors"]
            print(f"{q:<10} {e:<13} {fmt(w['rps']):>9} {fmt(w['p50_ms'], 2):>10} "
                  f"{fmt(w['p99_ms'], 2):>10} {errs:>7}   {fmt(p['achieved_rps']):>12} "
                  f"{fmt(p['p99_ms'], 2):>10}")
        r = row["ratio"]
        ratio = "-" if r is None else f"{r:.2f}x" if r >= 0.1 else f"{r:.4f}x"
        print(f"{'':<10} {'API/PG':<13} {ratio:>9}"
              f"   goal >= {goals['ratio']}x: {'met' if verdict[q]['throughput_ratio'] else 'NOT met'}"
              f"; API p99 @{meta['rate']}/s goal <= {goals['p99_ms']} ms: "
              f"{'met' if verdict[q]['paced_p99'] else 'NOT met'}")
    print("-" * len(head))
    print(f"API server peak RSS (VmHWM): {meta['api_vmhwm_kb'] / 1024:.1f} MB "
          f"(goal <= {goals['rss_mb']} MB: {'met' if verdict['api_peak_rss'] else 'NOT met'}); "
          f"PostGraphile: {meta['postgraphile_vmhwm_kb'] / 1024:.1f} MB")
    for q in queries:
        print(f"  {q}: {names[q]}")
    print(f"figures: {out_path}")


def main():
    cmd = sys.argv[1]
    if cmd == "body":
        print(body(sys.argv[2], sys.argv[3]))
    elif cmd == "check":
        check(sys.argv[2], sys.argv[3],
              [int(x) for x in sys.argv[4].split(",")], [int(x) for x in sys.argv[5].split(",")])
    elif cmd == "wrk":
        print(json.dumps(parse_wrk(sys.argv[2])))
    elif cmd == "report":
        report(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
