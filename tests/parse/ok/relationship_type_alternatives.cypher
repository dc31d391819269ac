MATCH (a)-[r:DATA_FLOW|PAYS|:ACQUIRED]->(b)
RETURN type(r) AS kind, count(*) AS n
