MATCH (n) RETURN count(*), count(n), count(DISTINCT n.country), collect(DISTINCT n.name), toUpper(n.name), apoc.text.join(['a'], ','), date('2018-03-17'), coalesce(n.a, n.b, 0), COUNT(n), rand()
