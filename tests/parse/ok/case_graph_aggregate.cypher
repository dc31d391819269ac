MATCH (s)-[f:DATA_FLOW]->(t)
WITH t, collect(DISTINCT s.name) AS sources, sum(f.records) AS records
WHERE size(sources) > 1
RETURN t.name AS recipient, sources, records ORDER BY records DESC LIMIT 10
