MATCH (s:Platform)
WHERE s.name = 'Facebook'
RETURN s.name AS, s.country
