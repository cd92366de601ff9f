// Which hosts depend on a host: hosts running processes that connect to its TCP services — what is
// affected when it goes down. With depth 2 and more, also the hosts that depend on those, and so on;
// `distance` is the number of hops, `depends_on` the hosts one hop closer that it uses.
//
// @param host: string -- the host's name
// @param depth: integer(1..4) = 1 -- how many hops of dependency to follow
// @param limit: integer(1..10000) = 1000 -- most rows returned
MATCH (server:Host {key: $host})
MATCH ANY SHORTEST (server) ((a:Host)-[:HAS_SERVICE]->(:TCPService)<-[:CONNECTS_TO]-(:Process)<-[:RUNS]-(b:Host) WHERE a <> b){1,4} (client:Host)
WHERE client <> server AND size(a) <= $depth
WITH server, client, size(a) AS distance
WITH server, collect({host: client, distance: distance}) AS found
UNWIND found AS f
WITH f.host AS client, f.distance AS distance,
     [server] + [x IN found WHERE x.distance = f.distance - 1 | x.host] AS upstream
RETURN client.key AS host,
       distance,
       COLLECT { MATCH (client)-[:RUNS]->(:Process)-[:CONNECTS_TO]->(:TCPService)<-[:HAS_SERVICE]-(up:Host) WHERE up IN upstream
                 RETURN DISTINCT up.key AS k ORDER BY k } AS depends_on,
       COLLECT { MATCH (client)-[:RUNS]->(:Process)-[:CONNECTS_TO]->(s:TCPService)<-[:HAS_SERVICE]-(up:Host) WHERE up IN upstream
                 RETURN DISTINCT s.port AS port ORDER BY port } AS ports,
       COLLECT { MATCH (client)-[:RUNS]->(p:Process)-[:CONNECTS_TO]->(:TCPService)<-[:HAS_SERVICE]-(up:Host) WHERE up IN upstream
                 RETURN DISTINCT p.name AS name ORDER BY name } AS programs
ORDER BY distance, host
LIMIT $limit
