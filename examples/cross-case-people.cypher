// People who link organisations across the separate cases (articles): a person tied to
// organisations that different articles report on.
MATCH (person:Person)-[:WORKS_FOR|LEADS|OWNS]->(org)
WITH person, collect(DISTINCT org.name) AS organisations,
     reduce(ids = [], o IN collect(org) | ids + [s IN o.sources WHERE NOT s IN ids]) AS articles
WHERE size(organisations) > 1
RETURN person.name AS person, organisations, size(articles) AS articles
ORDER BY articles DESC, person;
