MATCH (a)-->(b), (a)<--(c), (a)--(d), (a)<-->(e), (a)-[r]->(f), (a)<-[s]-(g), (a)-[t]-(h)
RETURN a
