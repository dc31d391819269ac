MATCH (p:Person {name: 'Aleksandr Kogan'})
OPTIONAL MATCH (p)-[w:WORKS_FOR]->(org)
RETURN p.name, org.name AS employer, w.role
