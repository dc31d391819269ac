// Where did each platform's data go? Everyone that data from a platform reached over
// DATA_FLOW, the fewest hops it took, and the weakest status of the chains that got there.
MATCH p = (platform:Platform)-[:DATA_FLOW*]->(receiver)
RETURN platform.name AS platform, receiver.name AS receiver, min(length(p)) AS hops,
       collect(DISTINCT weakestStatus(p)) AS chain_statuses
ORDER BY platform, hops, receiver;
