// Fines per regulator, summed per currency, and the data flows out of each fined party
// that the fine concerns.
MATCH (regulator:Regulator)-[fine:FINED]->(fined)
OPTIONAL MATCH (fined)-[flow:DATA_FLOW]->(receiver)
RETURN regulator.name AS regulator, fined.name AS fined, fine.amount AS amount,
       fine.currency AS currency,
       collect(receiver.name + ' (' + coalesce(toString(flow.records), '?') + ' records, ' +
               flow.mode + ')') AS flows
ORDER BY regulator, fined;
