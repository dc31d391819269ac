MATCH (a:Person), (b:Company) WHERE (a)-[:WORKS_FOR]->(b) AND NOT (a)<-[:FINED]-(:Regulator) RETURN a, b
