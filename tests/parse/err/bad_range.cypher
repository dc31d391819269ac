MATCH (a)-[*1..2..3]->(b) RETURN a
