CREATE (k:Person {name: 'Aleksandr Kogan', aka: ['ألكسندر كوغان']}), (g:Company {name: 'Global Science Research'})
CREATE (k)-[:LEADS {role: 'founder'}]->(g), p = (g)<-[:WORKS_FOR]-(:Person)
