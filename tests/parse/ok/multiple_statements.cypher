CREATE (:Regulator {name: 'Information Commissioner\'s Office'});
MATCH (r:Regulator) RETURN r.name;;
MATCH (n) RETURN count(n);
