MATCH (n) RETURN n.name, n.country,
