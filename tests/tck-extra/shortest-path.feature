#
# datatrail's own scenarios for shortestPath and allShortestPaths, which the openCypher
# TCK does not cover. Expected results follow Neo4j's semantics:
# - shortestPath returns one shortest path per row (here the shortest path is unique
#   unless only its length is returned), allShortestPaths every path of minimal length;
# - a MATCH that finds no path drops the row; OPTIONAL MATCH binds null;
# - a length bound such as *..2 only admits paths within it, so a longer shortest
#   path means no result;
# - with *0.. a start node that is also the end node gives a zero-length path;
# - a WHERE predicate on the path chooses the shortest path that satisfies it.
#
# The graph used by most scenarios ("graph A"):
#
#   (a)-[:R]->(b)-[:R]->(c)-[:R]->(d)        a directed R-chain of length 3
#   (a)-[:S]->(e)-[:S]->(d)                  an S-detour of length 2
#   (lonely)                                 unconnected
#

Feature: ShortestPath - shortestPath and allShortestPaths

  Scenario: [1] Directed shortest path takes the shorter of two routes
    Given an empty graph
    And having executed:
      """
      CREATE (a:N {name: 'a'}), (b:N {name: 'b'}), (c:N {name: 'c'}),
             (d:N {name: 'd'}), (e:N {name: 'e'}), (:N {name: 'lonely'}),
             (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(d),
             (a)-[:S]->(e), (e)-[:S]->(d)
      """
    When executing query:
      """
      MATCH (a:N {name: 'a'}), (d:N {name: 'd'})
      MATCH p = shortestPath((a)-[*]->(d))
      RETURN p, length(p) AS len
      """
    Then the result should be, in any order:
      | p                                                                   | len |
      | <(:N {name: 'a'})-[:S]->(:N {name: 'e'})-[:S]->(:N {name: 'd'})>   | 2   |
    And no side effects

  Scenario: [2] Returning the nodes and relationships of a shortest path
    Given an empty graph
    And having executed:
      """
      CREATE (a:N {name: 'a'}), (b:N {name: 'b'}), (c:N {name: 'c'}),
             (d:N {name: 'd'}), (e:N {name: 'e'}), (:N {name: 'lonely'}),
             (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(d),
             (a)-[:S]->(e), (e)-[:S]->(d)
      """
    When executing query:
      """
      MATCH (a:N {name: 'a'}), (d:N {name: 'd'})
      MATCH p = shortestPath((a)-[*]->(d))
      RETURN nodes(p) AS ns, [r IN relationships(p) | type(r)] AS types
      """
    Then the result should be, in any order:
      | ns                                                     | types      |
      | [(:N {name: 'a'}), (:N {name: 'e'}), (:N {name: 'd'})] | ['S', 'S'] |
    And no side effects

  Scenario: [3] A relationship type restricts the shortest path
    Given an empty graph
    And having executed:
      """
      CREATE (a:N {name: 'a'}), (b:N {name: 'b'}), (c:N {name: 'c'}),
             (d:N {name: 'd'}), (e:N {name: 'e'}), (:N {name: 'lonely'}),
             (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(d),
             (a)-[:S]->(e), (e)-[:S]->(d)
      """
    When executing query:
      """
      MATCH (a:N {name: 'a'}), (d:N {name: 'd'})
      MATCH p = shortestPath((a)-[:R*]->(d))
      RETURN [n IN nodes(p) | n.name] AS names, length(p) AS len
      """
    Then the result should be, in any order:
      | names                | len |
      | ['a', 'b', 'c', 'd'] | 3   |
    And no side effects

  Scenario: [4] Alternative relationship types in a shortest path
    Given an empty graph
    And having executed:
      """
      CREATE (a:N {name: 'a'}), (b:N {name: 'b'}), (c:N {name: 'c'}),
             (d:N {name: 'd'}), (e:N {name: 'e'}), (:N {name: 'lonely'}),
             (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(d),
             (a)-[:S]->(e), (e)-[:S]->(d)
      """
    When executing query:
      """
      MATCH (a:N {name: 'a'}), (d:N {name: 'd'})
      MATCH p = shortestPath((a)-[:R|S*]->(d))
      RETURN [n IN nodes(p) | n.name] AS names
      """
    Then the result should be, in any order:
      | names           |
      | ['a', 'e', 'd'] |
    And no side effects

  Scenario: [5] A directed shortest path against the arrows finds nothing
    Given an empty graph
    And having executed:
      """
      CREATE (a:N {name: 'a'}), (b:N {name: 'b'}), (c:N {name: 'c'}),
             (d:N {name: 'd'}), (e:N {name: 'e'}), (:N {name: 'lonely'}),
             (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(d),
             (a)-[:S]->(e), (e)-[:S]->(d)
      """
    When executing query:
      """
      MATCH (a:N {name: 'a'}), (d:N {name: 'd'})
      MATCH p = shortestPath((d)-[*]->(a))
      RETURN p
      """
    Then the result should be, in any order:
      | p |
    And no side effects

  Scenario: [6] An undirected shortest path follows relationships either way
    Given an empty graph
    And having executed:
      """
      CREATE (a:N {name: 'a'}), (b:N {name: 'b'}), (c:N {name: 'c'}),
             (d:N {name: 'd'}), (e:N {name: 'e'}), (:N {name: 'lonely'}),
             (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(d),
             (a)-[:S]->(e), (e)-[:S]->(d)
      """
    When executing query:
      """
      MATCH (a:N {name: 'a'}), (d:N {name: 'd'})
      MATCH p = shortestPath((d)-[*]-(a))
      RETURN p, length(p) AS len
      """
    Then the result should be, in any order:
      | p                                                                   | len |
      | <(:N {name: 'd'})<-[:S]-(:N {name: 'e'})<-[:S]-(:N {name: 'a'})>   | 2   |
    And no side effects

  Scenario: [7] An incoming pattern is a directed pattern read backwards
    Given an empty graph
    And having executed:
      """
      CREATE (a:N {name: 'a'}), (b:N {name: 'b'}), (c:N {name: 'c'}),
             (d:N {name: 'd'}), (e:N {name: 'e'}), (:N {name: 'lonely'}),
             (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(d),
             (a)-[:S]->(e), (e)-[:S]->(d)
      """
    When executing query:
      """
      MATCH (a:N {name: 'a'}), (c:N {name: 'c'})
      MATCH p = shortestPath((c)<-[*]-(a))
      RETURN p
      """
    Then the result should be, in any order:
      | p                                                                   |
      | <(:N {name: 'c'})<-[:R]-(:N {name: 'b'})<-[:R]-(:N {name: 'a'})>   |
    And no side effects

  Scenario: [8] No path to an unconnected node gives no rows
    Given an empty graph
    And having executed:
      """
      CREATE (a:N {name: 'a'}), (b:N {name: 'b'}), (c:N {name: 'c'}),
             (d:N {name: 'd'}), (e:N {name: 'e'}), (:N {name: 'lonely'}),
             (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(d),
             (a)-[:S]->(e), (e)-[:S]->(d)
      """
    When executing query:
      """
      MATCH (a:N {name: 'a'}), (z:N {name: 'lonely'})
      MATCH p = shortestPath((a)-[*]-(z))
      RETURN length(p) AS len
      """
    Then the result should be, in any order:
      | len |
    And no side effects

  Scenario: [9] OPTIONAL MATCH binds null when there is no path
    Given an empty graph
    And having executed:
      """
      CREATE (a:N {name: 'a'}), (b:N {name: 'b'}), (c:N {name: 'c'}),
             (d:N {name: 'd'}), (e:N {name: 'e'}), (:N {name: 'lonely'}),
             (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(d),
             (a)-[:S]->(e), (e)-[:S]->(d)
      """
    When executing query:
      """
      MATCH (a:N {name: 'a'}), (z:N {name: 'lonely'})
      OPTIONAL MATCH p = shortestPath((a)-[*]-(z))
      RETURN p, length(p) AS len
      """
    Then the result should be, in any order:
      | p    | len  |
      | null | null |
    And no side effects

  Scenario: [10] An upper bound at least the shortest length finds the path
    Given an empty graph
    And having executed:
      """
      CREATE (a:N {name: 'a'}), (b:N {name: 'b'}), (c:N {name: 'c'}),
             (d:N {name: 'd'}), (e:N {name: 'e'}), (:N {name: 'lonely'}),
             (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(d),
             (a)-[:S]->(e), (e)-[:S]->(d)
      """
    When executing query:
      """
      MATCH (a:N {name: 'a'}), (d:N {name: 'd'})
      MATCH p = shortestPath((a)-[:R*..3]->(d))
      RETURN length(p) AS len
      """
    Then the result should be, in any order:
      | len |
      | 3   |
    And no side effects

  Scenario: [11] An upper bound below the shortest length finds nothing
    Given an empty graph
    And having executed:
      """
      CREATE (a:N {name: 'a'}), (b:N {name: 'b'}), (c:N {name: 'c'}),
             (d:N {name: 'd'}), (e:N {name: 'e'}), (:N {name: 'lonely'}),
             (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(d),
             (a)-[:S]->(e), (e)-[:S]->(d)
      """
    When executing query:
      """
      MATCH (a:N {name: 'a'}), (d:N {name: 'd'})
      MATCH p = shortestPath((a)-[:R*..2]->(d))
      RETURN length(p) AS len
      """
    Then the result should be, in any order:
      | len |
    And no side effects

  Scenario Outline: [12] Bounds *1..2 admit paths of length 1 and 2
    Given an empty graph
    And having executed:
      """
      CREATE (a:N {name: 'a'}), (b:N {name: 'b'}), (c:N {name: 'c'}),
             (d:N {name: 'd'}), (e:N {name: 'e'}), (:N {name: 'lonely'}),
             (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(d),
             (a)-[:S]->(e), (e)-[:S]->(d)
      """
    When executing query:
      """
      MATCH (a:N {name: 'a'}), (t:N {name: '<target>'})
      MATCH p = shortestPath((a)-[:R*1..2]->(t))
      RETURN t.name AS target, length(p) AS len
      """
    Then the result should be, in any order:
      | target     | len   |
      | '<target>' | <len> |
    And no side effects

    Examples:
      | target | len |
      | b      | 1   |
      | c      | 2   |

  Scenario: [13] Bounds *1..2 exclude a path of length 3
    Given an empty graph
    And having executed:
      """
      CREATE (a:N {name: 'a'}), (b:N {name: 'b'}), (c:N {name: 'c'}),
             (d:N {name: 'd'}), (e:N {name: 'e'}), (:N {name: 'lonely'}),
             (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(d),
             (a)-[:S]->(e), (e)-[:S]->(d)
      """
    When executing query:
      """
      MATCH (a:N {name: 'a'}), (d:N {name: 'd'})
      MATCH p = shortestPath((a)-[:R*1..2]->(d))
      RETURN length(p) AS len
      """
    Then the result should be, in any order:
      | len |
    And no side effects

  Scenario: [14] A shortest path per row, to several end nodes
    Given an empty graph
    And having executed:
      """
      CREATE (a:N {name: 'a'}), (b:N {name: 'b'}), (c:N {name: 'c'}),
             (d:N {name: 'd'}), (e:N {name: 'e'}), (:N {name: 'lonely'}),
             (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(d),
             (a)-[:S]->(e), (e)-[:S]->(d)
      """
    When executing query:
      """
      MATCH (a:N {name: 'a'}), (t:N)
      WHERE t.name <> 'a'
      MATCH p = shortestPath((a)-[*]->(t))
      RETURN t.name AS target, length(p) AS len
      """
    Then the result should be, in any order:
      | target | len |
      | 'b'    | 1   |
      | 'c'    | 2   |
      | 'd'    | 2   |
      | 'e'    | 1   |
    And no side effects

  Scenario: [15] With *0.. a node is its own shortest path, of length zero
    Given an empty graph
    And having executed:
      """
      CREATE (a:N {name: 'a'}), (b:N {name: 'b'}), (c:N {name: 'c'}),
             (d:N {name: 'd'}), (e:N {name: 'e'}), (:N {name: 'lonely'}),
             (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(d),
             (a)-[:S]->(e), (e)-[:S]->(d)
      """
    When executing query:
      """
      MATCH (a:N {name: 'a'})
      MATCH p = shortestPath((a)-[*0..]->(a))
      RETURN p, length(p) AS len, nodes(p) AS ns, relationships(p) AS rs
      """
    Then the result should be, in any order:
      | p                   | len | ns                  | rs |
      | <(:N {name: 'a'})>  | 0   | [(:N {name: 'a'})]  | [] |
    And no side effects

  Scenario: [16] With *0.. between different nodes the shortest path is found as usual
    Given an empty graph
    And having executed:
      """
      CREATE (a:N {name: 'a'}), (b:N {name: 'b'}), (c:N {name: 'c'}),
             (d:N {name: 'd'}), (e:N {name: 'e'}), (:N {name: 'lonely'}),
             (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(d),
             (a)-[:S]->(e), (e)-[:S]->(d)
      """
    When executing query:
      """
      MATCH (a:N {name: 'a'}), (d:N {name: 'd'})
      MATCH p = shortestPath((a)-[*0..]-(d))
      RETURN length(p) AS len
      """
    Then the result should be, in any order:
      | len |
      | 2   |
    And no side effects

  Scenario: [17] A WHERE predicate on the path picks the shortest path satisfying it
    Given an empty graph
    And having executed:
      """
      CREATE (a:N {name: 'a'}), (b:N {name: 'b'}), (c:N {name: 'c'}),
             (d:N {name: 'd'}), (e:N {name: 'e'}), (:N {name: 'lonely'}),
             (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(d),
             (a)-[:S]->(e), (e)-[:S]->(d)
      """
    When executing query:
      """
      MATCH (a:N {name: 'a'}), (d:N {name: 'd'})
      MATCH p = shortestPath((a)-[*]->(d))
      WHERE none(r IN relationships(p) WHERE type(r) = 'S')
      RETURN [n IN nodes(p) | n.name] AS names
      """
    Then the result should be, in any order:
      | names                |
      | ['a', 'b', 'c', 'd'] |
    And no side effects

  Scenario: [18] allShortestPaths returns every path of the minimal length
    Given an empty graph
    And having executed:
      """
      CREATE (s:M {name: 's'}), (x:M {name: 'x'}), (y:M {name: 'y'}),
             (z:M {name: 'z'}), (w:M {name: 'w'}), (t:M {name: 't'}),
             (s)-[:T]->(x), (x)-[:T]->(t),
             (s)-[:T]->(y), (y)-[:T]->(t),
             (s)-[:T]->(z), (z)-[:T]->(w), (w)-[:T]->(t)
      """
    When executing query:
      """
      MATCH (s:M {name: 's'}), (t:M {name: 't'})
      MATCH p = allShortestPaths((s)-[*]->(t))
      RETURN [n IN nodes(p) | n.name] AS names, length(p) AS len
      """
    Then the result should be, in any order:
      | names           | len |
      | ['s', 'x', 't'] | 2   |
      | ['s', 'y', 't'] | 2   |
    And no side effects

  Scenario: [19] allShortestPaths returns paths as paths
    Given an empty graph
    And having executed:
      """
      CREATE (s:M {name: 's'}), (x:M {name: 'x'}), (y:M {name: 'y'}), (t:M {name: 't'}),
             (s)-[:T {k: 1}]->(x), (x)-[:T {k: 2}]->(t),
             (s)-[:T {k: 3}]->(y), (t)-[:T {k: 4}]->(y)
      """
    When executing query:
      """
      MATCH (s:M {name: 's'}), (t:M {name: 't'})
      MATCH p = allShortestPaths((s)-[*]-(t))
      RETURN p
      """
    Then the result should be, in any order:
      | p                                                                               |
      | <(:M {name: 's'})-[:T {k: 1}]->(:M {name: 'x'})-[:T {k: 2}]->(:M {name: 't'})>  |
      | <(:M {name: 's'})-[:T {k: 3}]->(:M {name: 'y'})<-[:T {k: 4}]-(:M {name: 't'})>  |
    And no side effects

  Scenario: [20] A shorter path of another type hides longer typed paths unless typed
    Given an empty graph
    And having executed:
      """
      CREATE (s:M {name: 's'}), (x:M {name: 'x'}), (y:M {name: 'y'}), (t:M {name: 't'}),
             (s)-[:T]->(x), (x)-[:T]->(t),
             (s)-[:T]->(y), (y)-[:T]->(t),
             (s)-[:U]->(t)
      """
    When executing query:
      """
      MATCH (s:M {name: 's'}), (t:M {name: 't'})
      MATCH p = allShortestPaths((s)-[*]->(t))
      RETURN [n IN nodes(p) | n.name] AS names, [r IN relationships(p) | type(r)] AS types
      """
    Then the result should be, in any order:
      | names      | types |
      | ['s', 't'] | ['U'] |
    And no side effects

  Scenario: [21] allShortestPaths over a relationship type
    Given an empty graph
    And having executed:
      """
      CREATE (s:M {name: 's'}), (x:M {name: 'x'}), (y:M {name: 'y'}), (t:M {name: 't'}),
             (s)-[:T]->(x), (x)-[:T]->(t),
             (s)-[:T]->(y), (y)-[:T]->(t),
             (s)-[:U]->(t)
      """
    When executing query:
      """
      MATCH (s:M {name: 's'}), (t:M {name: 't'})
      MATCH p = allShortestPaths((s)-[:T*]->(t))
      RETURN [n IN nodes(p) | n.name] AS names
      """
    Then the result should be, in any order:
      | names           |
      | ['s', 'x', 't'] |
      | ['s', 'y', 't'] |
    And no side effects

  Scenario: [22] allShortestPaths with an upper bound below the shortest length finds nothing
    Given an empty graph
    And having executed:
      """
      CREATE (s:M {name: 's'}), (x:M {name: 'x'}), (y:M {name: 'y'}), (t:M {name: 't'}),
             (s)-[:T]->(x), (x)-[:T]->(t),
             (s)-[:T]->(y), (y)-[:T]->(t)
      """
    When executing query:
      """
      MATCH (s:M {name: 's'}), (t:M {name: 't'})
      MATCH p = allShortestPaths((s)-[*..1]->(t))
      RETURN p
      """
    Then the result should be, in any order:
      | p |
    And no side effects

  Scenario: [23] shortestPath picks one of several equally short paths
    Given an empty graph
    And having executed:
      """
      CREATE (s:M {name: 's'}), (x:M {name: 'x'}), (y:M {name: 'y'}), (t:M {name: 't'}),
             (s)-[:T]->(x), (x)-[:T]->(t),
             (s)-[:T]->(y), (y)-[:T]->(t)
      """
    When executing query:
      """
      MATCH (s:M {name: 's'}), (t:M {name: 't'})
      MATCH p = shortestPath((s)-[*]->(t))
      RETURN length(p) AS len, nodes(p)[1].name IN ['x', 'y'] AS via
      """
    Then the result should be, in any order:
      | len | via  |
      | 2   | true |
    And no side effects

  Scenario: [24] allShortestPaths from a node to itself with *0..
    Given an empty graph
    And having executed:
      """
      CREATE (s:M {name: 's'}), (t:M {name: 't'}), (s)-[:T]->(t), (t)-[:T]->(s)
      """
    When executing query:
      """
      MATCH (s:M {name: 's'})
      MATCH p = allShortestPaths((s)-[*0..]-(s))
      RETURN length(p) AS len, [n IN nodes(p) | n.name] AS names
      """
    Then the result should be, in any order:
      | len | names |
      | 0   | ['s'] |
    And no side effects
