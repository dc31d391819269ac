MATCH (n:Person) RETURN n {.*}, n {.name, .country, employer: 'x', n}, n {}
