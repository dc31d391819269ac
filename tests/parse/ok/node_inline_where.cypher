MATCH (s:Platform WHERE s.country = 'us')-[:DATA_FLOW]->(t:Company {name: 'Global Science Research'} WHERE t.country IS NOT NULL)
RETURN s
