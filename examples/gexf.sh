#!/usr/bin/env bash
# The case graph as GEXF 1.3 for Gephi: each dated relationship carries a spell from its
# start to its end date, so Gephi's timeline (Window > Timeline) plays the data flows
# as they happened.
set -euo pipefail
datatrail=${DATATRAIL:-datatrail}
out=${OUT:-.}
"$datatrail" --quiet --format gexf \
  -c "MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN n, r" > "$out/case.gexf"
"$datatrail" --quiet -c "COPY (MATCH p = (:Platform)-[:DATA_FLOW*1..3]->() RETURN p) TO '$out/chains.gexf'"
echo "wrote $out/case.gexf and $out/chains.gexf"
