MATCH p = allShortestPaths((a:Platform {name: 'Facebook'})-[:DATA_FLOW|WORKS_ON*]->(c:Campaign))
RETURN p
