MATCH (`the node`:`Two Words`)-[`r`:`HAS-DASH`]->(`match`)
RETURN `the node`.`full name` AS `a``b`, `match`.x AS `return`, `` AS empty
