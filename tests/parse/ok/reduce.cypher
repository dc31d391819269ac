MATCH p = (a)-[:DATA_FLOW*]->(b) RETURN reduce(total = 0, r IN relationships(p) | total + coalesce(r.records, 0)) AS records
