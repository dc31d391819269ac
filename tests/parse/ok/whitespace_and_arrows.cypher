MATCH(a)
 -[ r : X ]->
 ( b )  RETURN  a,b
