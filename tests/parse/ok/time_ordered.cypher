MATCH TIME ORDERED BY start_date, end_date STRICT p = (:Platform {name: 'Facebook'})-[:DATA_FLOW*]->(x)
RETURN x.name
