MATCH p = shortestPath((a:Person {name: 'Aleksandr Kogan'})-[*..6]-(b:Person {name: 'Brad Parscale'}))
RETURN [n IN nodes(p) | n.name] AS chain
