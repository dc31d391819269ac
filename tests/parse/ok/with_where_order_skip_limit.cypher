MATCH (s)-[f:DATA_FLOW]->(t)
WITH DISTINCT s, count(f) AS flows ORDER BY flows DESC SKIP 1 LIMIT 5 WHERE flows > 1
RETURN s.name, flows
