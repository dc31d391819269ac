MATCH (n {name: 'Data Propria'})
SET n.country = 'us', n.tags = ['political'], n:Company:Contractor, n += {status: 'confirmed'}, n = properties(n), n.a.b = 1
