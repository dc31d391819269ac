MATCH (p:Person)-[w1:WORKS_FOR]->(:Company {name: 'Cambridge Analytica'}), (p)-[w2:WORKS_FOR]->(dp:Company {name: 'Data Propria'})
OPTIONAL MATCH (dp)-[:WORKS_ON]->(camp:Campaign)
RETURN p.name, w1.role, w2.role, collect(camp.name) AS campaigns
