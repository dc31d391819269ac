// When did the data move? Each dated data flow with its dates as the articles give them:
// a day, a month (2014-12), a year (2017) or only a bound (<2017-06-08: before the 2017
// general election). earliest() and latest() are the first and last day a date may be;
// a period written in months lasts to the end of its last month.
MATCH (a)-[r:DATA_FLOW]->(b)
WHERE r.start_date IS NOT NULL OR r.end_date IS NOT NULL
RETURN a.name AS giver, b.name AS receiver, r.start_date AS started, r.end_date AS ended,
       earliest(r.start_date) AS earliest_start, latest(r.end_date) AS latest_end,
       duration.between(r.start_date, r.end_date) AS lasted
ORDER BY r.start_date, giver;

// Which flows certainly ended before the 2017 general election (8 June 2017)? A flow
// dated "2017" is not among them: it may or may not have (its comparison is null).
MATCH (a)-[r:DATA_FLOW]->(b)
WHERE r.end_date < date('2017-06-08')
RETURN a.name AS giver, b.name AS receiver, r.end_date AS ended, r.status AS status
ORDER BY giver;
