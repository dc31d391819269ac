MATCH (n) WHERE n.name = 'Cambridge Analytica RETURN n
