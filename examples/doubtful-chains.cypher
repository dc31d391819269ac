// Chains from a platform or website to a campaign, party or company that rest on at least
// one disputed or alleged hop: the claims a story must attribute carefully.
MATCH p = (origin)-[:DATA_FLOW*]->(receiver)
WHERE (origin:Platform OR origin:Website)
  AND weakestStatus(p) IN ['disputed', 'alleged']
RETURN origin.name AS origin, receiver.name AS receiver, length(p) AS hops,
       weakestStatus(p) AS weakest,
       [r IN relationships(p) WHERE r.status IN ['disputed', 'alleged'] |
          startNode(r).name + ' -> ' + endNode(r).name + ' (' + r.status + ')'] AS doubtful_hops
ORDER BY origin, receiver, hops;
