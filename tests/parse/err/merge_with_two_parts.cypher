MERGE (a:Person), (b:Person) RETURN a
