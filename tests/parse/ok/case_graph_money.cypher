MATCH (r:Regulator)-[f:FINED]->(c)
WHERE f.amount >= 500000 AND f.currency = 'GBP' AND f.start_date >= date('2018-01-01')
RETURN r.name AS regulator, c.name AS fined, f.amount AS amount
ORDER BY amount DESC
