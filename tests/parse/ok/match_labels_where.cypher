MATCH (c:Company:Platform)
WHERE c.country = 'us' AND c.name <> 'Twitter'
RETURN c.name
