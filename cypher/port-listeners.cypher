// Which hosts listen on a TCP port: the address each listens on and the processes that own it.
//
// @param port: integer(1..65535) -- the TCP port
// @param prefix: string? -- only hosts whose name starts with this
// @param limit: integer(1..10000) = 1000 -- most rows returned
MATCH (s:TCPService {port: $port})<-[:HAS_SERVICE]-(h:Host)
WHERE $prefix IS NULL OR h.key STARTS WITH $prefix
RETURN h.key AS host,
       s.ip AS ip,
       s.wildcard AS wildcard,
       COLLECT { MATCH (p:Process)-[:LISTENS_ON]->(s) RETURN DISTINCT p.name AS name ORDER BY name } AS processes
ORDER BY host, ip
LIMIT $limit
