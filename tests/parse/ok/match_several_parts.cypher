MATCH (a:Person)-[:WORKS_FOR]->(c:Company), (c)<-[:OWNS]-(owner), route = (a)-->(b)
RETURN a, b, c, owner, route
