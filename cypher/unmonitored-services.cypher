// TCP services nobody monitors: listening services that no MonitorAction watches
// ((:MonitorAction)-[:MONITORS]->(:TCPService)). Until service monitoring is configured, that is
// every listening service.
//
// @param prefix: string? -- only hosts whose name starts with this
// @param include_loopback: boolean = true -- also services listening on a loopback address only
// @param limit: integer(1..10000) = 1000 -- most rows returned
MATCH (h:Host)-[:HAS_SERVICE]->(s:TCPService)
WHERE ($prefix IS NULL OR h.key STARTS WITH $prefix)
  AND NOT EXISTS { (:MonitorAction)-[:MONITORS]->(s) }
  AND ($include_loopback OR NOT (s.ip STARTS WITH '127.' OR s.ip = '::1'))
RETURN h.key AS host,
       s.ip AS ip,
       s.port AS port,
       COLLECT { MATCH (p:Process)-[:LISTENS_ON]->(s) RETURN DISTINCT p.name AS name ORDER BY name } AS processes
ORDER BY host, port, ip
LIMIT $limit
