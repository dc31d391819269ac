#!/usr/bin/env bash
# FollowTheMoney in and out. Entities from Aleph or OpenSanctions load with --ftm: things
# become nodes labelled with their schema, interval entities (Ownership, Payment, ...)
# relationships from source to target. --format ftm writes any result back as entities.
set -euo pipefail
datatrail=${DATATRAIL:-datatrail}
out=${OUT:-.}
cat > "$out/entities.ftm.json" <<'FTM'
{"id": "kogan", "schema": "Person", "properties": {"name": ["Aleksandr Kogan"], "nationality": ["us"]}}
{"id": "gsr", "schema": "Company", "properties": {"name": ["Global Science Research"], "jurisdiction": ["gb"]}}
{"id": "ca", "schema": "Organization", "properties": {"name": ["Cambridge Analytica"]}}
{"id": "own-1", "schema": "Ownership", "properties": {"owner": ["kogan"], "asset": ["gsr"], "startDate": ["2014"]}}
{"id": "pay-1", "schema": "Payment", "properties": {"payer": ["ca"], "beneficiary": ["gsr"], "amount": ["750000"], "currency": ["GBP"], "date": ["2014-06"]}}
FTM
# Who paid whom, and how much; FtM properties are lists.
"$datatrail" --quiet --ftm "$out/entities.ftm.json" --format table \
  -c "MATCH (a)-[p:PAYMENT]->(b) RETURN a.name[0] AS payer, b.name[0] AS beneficiary,
             p.amount[0] AS amount, p.currency[0] AS currency, p.date[0] AS date"
# The built-in case graph as FtM entities (labels that are no FtM schema become
# LegalEntity, relationships that are none UnknownLink).
"$datatrail" --quiet --format ftm -c "MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN n, r" \
  > "$out/case.ftm.json"
echo "wrote $out/case.ftm.json"
