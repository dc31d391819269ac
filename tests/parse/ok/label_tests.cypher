MATCH (n) WHERE n:Person OR n:Company:Platform RETURN n:Person AS isPerson, (n:Person).x, -n:A
