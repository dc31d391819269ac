MATCH (n:Person)
RETURN n.name AS name, n.country AS country
ORDER BY country ASC, name DESCENDING, n.aka ASCENDING, n.id DESC
SKIP $offset LIMIT 10
