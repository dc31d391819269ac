MATCH (n) WHERE n.name STARTS WITH 'Cam' OR n.name ENDS WITH 'ica' OR n.name CONTAINS 'bridge' OR n.name =~ '(?i)cam.*' OR n.country IN ['uk', 'us'] RETURN n
