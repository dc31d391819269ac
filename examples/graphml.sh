#!/usr/bin/env bash
# The case graph's data flows as GraphML, for Gephi, yEd or networkx:
#   networkx.read_graphml("flows.graphml", force_multigraph=True)
set -euo pipefail
datatrail=${DATATRAIL:-datatrail}
out=${OUT:-.}
"$datatrail" --quiet -c "COPY (MATCH (a)-[r:DATA_FLOW]->(b) RETURN a, r, b) TO '$out/flows.graphml'"
# The same with --format, for a query's result on stdout:
"$datatrail" --quiet --format graphml -c "MATCH (a)-[r]->(b) RETURN a, r, b" > "$out/case.graphml"
echo "wrote $out/flows.graphml and $out/case.graphml"
