// Host inventory: every host with its operating system, CPU and memory, its addresses, and how many
// NICs, TCP services, running processes (not those marked ended) and packages discovery found on it.
//
// @param prefix: string? -- only hosts whose name starts with this
// @param status: string? -- only hosts in this membership status (up, down, left)
// @param limit: integer(1..10000) = 1000 -- most hosts returned
MATCH (h:Host)
WHERE ($prefix IS NULL OR h.key STARTS WITH $prefix)
  AND ($status IS NULL OR h.status = $status)
WITH h ORDER BY h.key LIMIT $limit
RETURN h.key AS host,
       h.status AS status,
       h.os_pretty_name AS os,
       h.os_kernel_release AS kernel,
       coalesce(h.os_architecture, h.cpu_architecture) AS architecture,
       h.cpu_model AS cpu_model,
       h.cpu_logical AS cpus,
       h.memory_bytes AS memory_bytes,
       COLLECT { MATCH (h)-[:HAS_NIC]->(:NIC)-[:HAS_IP]->(ip:IPAddress) RETURN DISTINCT ip.address AS a ORDER BY a } AS addresses,
       COUNT { (h)-[:HAS_NIC]->(:NIC) } AS nics,
       COUNT { (h)-[:HAS_SERVICE]->(:TCPService) } AS services,
       COUNT { (h)-[:RUNS]->(p:Process) WHERE p.ended IS NULL } AS processes,
       COUNT { (h)-[:HAS_PACKAGE]->(:Package) } AS packages
ORDER BY host
