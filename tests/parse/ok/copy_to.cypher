COPY (MATCH (s)-[f:DATA_FLOW]->(t) RETURN s.name AS source, t.name AS target) TO 'flows.csv'
