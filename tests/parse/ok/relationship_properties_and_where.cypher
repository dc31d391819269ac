MATCH (s)-[f:DATA_FLOW {mode: 'sold'} WHERE f.records > 1000000]->(t)
RETURN s.name AS seller, t.name AS buyer, f.records
