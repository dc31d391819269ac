MATCH (n:Company:Contractor) REMOVE n.country, n:Contractor:Company, n.meta.k
