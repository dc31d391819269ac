match (n:Person) where n.name starts with 'B' and not n.name ends with 'x' or n.x is null
with n order by n.name descending limit 3
optional match (n)-[r]->(m) return distinct n, collect(m) as ms union all match (n) return n, null as ms
