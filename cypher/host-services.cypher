// What listens on a host: its TCP services with the processes (and users) that own them, and the
// hosts whose processes connect to each.
//
// @param host: string -- the host's name
// @param limit: integer(1..10000) = 1000 -- most rows returned
MATCH (:Host {key: $host})-[:HAS_SERVICE]->(s:TCPService)
RETURN s.ip AS ip,
       s.port AS port,
       s.wildcard AS wildcard,
       COLLECT { MATCH (p:Process)-[:LISTENS_ON]->(s) RETURN DISTINCT p.name AS name ORDER BY name } AS processes,
       COLLECT { MATCH (p:Process)-[:LISTENS_ON]->(s) WHERE p.user IS NOT NULL RETURN DISTINCT p.user AS user ORDER BY user } AS users,
       COUNT { (:Process)-[:CONNECTS_TO]->(s) } AS client_processes,
       COLLECT { MATCH (ch:Host)-[:RUNS]->(:Process)-[:CONNECTS_TO]->(s) RETURN DISTINCT ch.key AS k ORDER BY k } AS client_hosts
ORDER BY port, ip
LIMIT $limit
