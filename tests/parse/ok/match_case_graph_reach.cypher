MATCH p = (:Platform {name: 'Facebook'})-[:DATA_FLOW*]->(x)
RETURN x.name AS reached, length(p) AS hops
ORDER BY hops
