COPY MATCH (n) RETURN n TO 'x.csv'
