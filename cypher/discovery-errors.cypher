// Discovery that is failing: per host and script whose latest run failed, the error code, message,
// exit status and when it happened.
//
// @param prefix: string? -- only hosts whose name starts with this
// @param limit: integer(1..10000) = 1000 -- most rows returned
MATCH (h:Host)-[:HAS_DISCOVERY]->(d:DiscoveryResult)
WHERE d.status = 'error' AND ($prefix IS NULL OR h.key STARTS WITH $prefix)
RETURN h.key AS host,
       d.discovertype AS discovery,
       d.error_code AS code,
       d.error_message AS message,
       d.error_exit_code AS exit_code,
       d.errorat AS failed_at
ORDER BY host, discovery
LIMIT $limit
