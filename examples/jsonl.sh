#!/usr/bin/env bash
# JSON Lines out and back in: --jsonl loads the nodes and relationships --format jsonl
# wrote, so a subgraph can be cut out, edited with jq, and loaded again.
set -euo pipefail
datatrail=${DATATRAIL:-datatrail}
out=${OUT:-.}
"$datatrail" --quiet --format jsonl \
  -c "MATCH (a)-[r:DATA_FLOW]->(b) WHERE r.status = 'reported' RETURN a, r, b" > "$out/reported.jsonl"
"$datatrail" --quiet --jsonl "$out/reported.jsonl" --format table \
  -c "MATCH (a)-[r]->(b) WHERE r.records IS NOT NULL
      RETURN a.name AS from, b.name AS to, r.records AS records
      ORDER BY records DESC LIMIT 5"
