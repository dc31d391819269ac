MATCH (match) RETURN match
