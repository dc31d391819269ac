// Which categories of personal data flowed into each political party or campaign, and
// from whom?
MATCH (source)-[flow:DATA_FLOW]->(receiver)
WHERE receiver:PoliticalParty OR receiver:Campaign
UNWIND flow.categories AS category
WITH receiver.name AS receiver, source.name AS source, category
ORDER BY category, source
RETURN receiver, collect(DISTINCT category) AS categories, collect(DISTINCT source) AS sources
ORDER BY receiver;
