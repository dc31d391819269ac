MATCH (s:Platform WHERE s.country = 'us')-[r:DATA_FLOW* WHERE 'location' IN r.categories]->(x)
RETURN x
