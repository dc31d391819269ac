MERGE (c:Company {name: 'Experian'})
ON CREATE SET c.created = timestamp(), c.country = 'uk'
ON MATCH SET c.seen = coalesce(c.seen, 0) + 1
RETURN c
