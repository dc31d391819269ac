#!/usr/bin/env bash
# datatrail side of the peer benchmark (see bench/README.md).
#
#   bench/run.sh small|medium|large RESULTS.jsonl [--peers] [--only Q1,Q3]
#
# 1. Data: $BENCH_DATA/<scale>-datatrail/{nodes,edges}.csv (default /tmp/bench-data) in
#    datatrail's header format (DATA-MODEL.md).  Reused if present; else made from the
#    peers' plain-header copy $BENCH_DATA/<scale> by rewriting the header line (the rows are
#    byte-identical: the generator writes the same rows either way), else generated with
#    `gen_graph.py --datatrail --seed 42`.  The plain copy stays as run_peers.sh expects it.
# 2. Builds the `peers` bench target (bench profile = release) and runs it: one load, then
#    the canonical Q1-Q8 of ../shared/bench/queries.cypher, 1 warm-up + 5 timed runs each,
#    median; JSON lines in the peers' format are appended to RESULTS.jsonl.
# 3. With --peers, runs ../shared/bench/run_peers.sh for the same scale into RESULTS.jsonl
#    too (needs the peers' venvs, see PEERS.md).
# 4. Prints summarize.py's tables over the shared peers' results plus RESULTS.jsonl, then
#    datatrail's ratios to the best Cypher engine and to the best peer (bench/compare.py).
#
# Environment: BENCH_DATA, PEERS_RESULTS (default: the shared results-peers-*.jsonl),
# BENCH_QUERY_TIMEOUT (s per run, default 60), BENCH_MAX_RSS_MB (watchdog limit on resident memory, default 4000; 8000 at large).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
shared=${SHARED_BENCH:-$repo/../shared/bench}
scale=${1:?usage: bench/run.sh small|medium|large RESULTS.jsonl [--peers] [--only Q1,Q2]}
results=${2:?results file}
shift 2
with_peers=0
only=()
while [ $# -gt 0 ]; do
  case $1 in
    --peers) with_peers=1 ;;
    --only) only=(--only "${2:?--only needs Q1,Q2,...}"); shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
if [ $with_peers = 1 ] && [ ! -x "${PEERS_VENV:-/tmp/peers-venv}/bin/python" ]; then
  echo "--peers: no ${PEERS_VENV:-/tmp/peers-venv}; set up the peers' venvs first (see $shared/run_peers.sh)" >&2
  exit 2
fi
case $scale in
  small)  n=10000;   m=50000;    max_rss=${BENCH_MAX_RSS_MB:-4000} ;;
  medium) n=100000;  m=1000000;  max_rss=${BENCH_MAX_RSS_MB:-4000} ;;
  large)  n=1000000; m=10000000; max_rss=${BENCH_MAX_RSS_MB:-8000} ;;
  *) echo "unknown scale $scale" >&2; exit 2 ;;
esac
base=${BENCH_DATA:-/tmp/bench-data}
plain=$base/$scale
data=$base/$scale-datatrail
results=$(realpath -m "$results")
mkdir -p "$(dirname "$results")"
touch "$results"

# ── data ──
if [ -s "$data/nodes.csv" ] && [ -s "$data/edges.csv" ]; then
  echo "reusing $data" >&2
elif [ -s "$plain/nodes.csv" ] && [ -s "$plain/edges.csv" ]; then
  echo "rewriting headers of $plain into $data" >&2
  mkdir -p "$data.tmp"
  { echo "id:ID,:LABEL,name,country,founded:int"; tail -n +2 "$plain/nodes.csv"; } > "$data.tmp/nodes.csv"
  { echo ":START_ID,:END_ID,:TYPE,records:long,date:date"; tail -n +2 "$plain/edges.csv"; } > "$data.tmp/edges.csv"
  [ -f "$plain/meta.json" ] && cp "$plain/meta.json" "$data.tmp/"
  rm -rf "$data" && mv "$data.tmp" "$data"
else
  echo "generating $scale ($n nodes, $m edges, seed 42) into $data" >&2
  rm -rf "$data.tmp"
  python3 "$shared/gen_graph.py" --nodes "$n" --edges "$m" --seed 42 --datatrail --out "$data.tmp" >&2
  rm -rf "$data" && mv "$data.tmp" "$data"
fi
head -1 "$data/nodes.csv" | grep -q '^id:ID,' || { echo "$data/nodes.csv: not datatrail headers" >&2; exit 2; }

# ── build and run ──
cd "$repo"
cargo build --release --quiet           # the CLI, for anyone checking by hand
exe=$(cargo bench --bench peers --no-run --quiet --message-format=json |
  python3 -c 'import json,sys; print([m["executable"] for m in map(json.loads, sys.stdin) if m.get("target", {}).get("name") == "peers" and m.get("executable")][-1])')
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
echo "== datatrail $scale $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
set +e
# The watchdog interrupts a query above $max_rss MiB resident; the address-space limit is a
# backstop (the machine is shared: an unbounded path enumeration once took all 23 GiB).
(ulimit -v $(( (max_rss + 4000) * 1024 )); exec "$exe" --data "$data" --scale "$scale" \
  --queries "$shared/queries.cypher" --timeout "${BENCH_QUERY_TIMEOUT:-60}" \
  --max-rss-mb "$max_rss" "${only[@]}") > "$tmp"
rc=$?
set -e
cat "$tmp" >> "$results"
cat "$tmp" >&2
if [ $rc -ne 0 ]; then
  printf '{"peer": "datatrail", "scale": "%s", "step": "run", "status": "failed", "rc": %d}\n' \
    "$scale" "$rc" | tee -a "$results" >&2
fi
echo "== done $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# ── peers (only when asked) ──
if [ $with_peers = 1 ]; then
  "$shared/run_peers.sh" "$scale" "$results"
fi

# ── tables ──
peers_results=${PEERS_RESULTS:-$(ls "$shared"/results-peers-*.jsonl | sort | tail -1)}
merged=$(mktemp)
trap 'rm -f "$tmp" "$merged"' EXIT
# Later lines win, so our re-runs override; only this scale, to keep the tables short.
cat "$peers_results" "$results" |
  python3 -c 'import json,sys
for l in sys.stdin:
    if l.startswith("{") and json.loads(l).get("scale") == sys.argv[1]: sys.stdout.write(l)' "$scale" > "$merged"
python3 "$shared/summarize.py" "$merged"
python3 "$here/compare.py" "$merged" "$scale"
