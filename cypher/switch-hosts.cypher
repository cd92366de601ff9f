// Which hosts hang off a switch (by its name or LLDP chassis id): each host NIC wired to it and the
// switch port at the other end, from LLDP.
//
// @param switch: string -- the switch's name or chassis id
// @param limit: integer(1..10000) = 1000 -- most rows returned
MATCH (sw:Switch)
WHERE sw.key = $switch OR sw.name = $switch
MATCH (sw)-[:HAS_PORT]->(sp:SwitchPort)<-[:WIRED_TO]-(n:NIC)<-[:HAS_NIC]-(h:Host)
RETURN sw.name AS switch,
       sw.key AS chassis_id,
       sp.port_id AS port,
       h.key AS host,
       h.status AS status,
       n.name AS nic,
       n.mac AS mac,
       COLLECT { MATCH (n)-[:HAS_IP]->(ip:IPAddress) RETURN ip.address AS a ORDER BY a } AS addresses
ORDER BY chassis_id, port, host
LIMIT $limit
