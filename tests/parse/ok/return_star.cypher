MATCH (n) WITH * RETURN DISTINCT *, n.name AS name
