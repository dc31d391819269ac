// who sold data to whom
MATCH (s)-[f:DATA_FLOW /* only sales */ {mode: 'sold'}]->(t) // inline
/* multi
   line */ RETURN s.name, // trailing
t.name // done
