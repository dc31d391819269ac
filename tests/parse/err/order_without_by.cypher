MATCH (n) RETURN n ORDER n.name
