MATCH (n {name: $name}) WHERE n.x IN $list AND n.y = $0 RETURN n, $`odd name`, $match
