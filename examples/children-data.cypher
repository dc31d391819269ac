// Which campaigns and parties received data about children, through which chain from
// where the data was first collected, and how many records?
MATCH p = (origin)-[:DATA_FLOW*]->(receiver)
WHERE (receiver:PoliticalParty OR receiver:Campaign)
  AND NOT EXISTS { ()-[:DATA_FLOW]->(origin) }
  AND any(r IN relationships(p) WHERE 'children' IN r.subjects)
RETURN receiver.name AS receiver, [n IN nodes(p) | n.name] AS chain,
       last(relationships(p)).records AS records,
       last(relationships(p)).records_qualifier AS qualifier
ORDER BY receiver, chain;
