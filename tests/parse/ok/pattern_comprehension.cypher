MATCH (c:Company) RETURN c.name, [(c)-[f:DATA_FLOW]->(t) WHERE f.mode = 'sold' | t.name] AS buyers, [p = (c)<-[:OWNS]-() | length(p)] AS owners
