// Who owns an IP or MAC address: the hosts and NICs that carry it (from netconfig), with every
// address of that NIC.
//
// @param address: address -- an IPv4 or IPv6 address, or a MAC address
// @param limit: integer(1..10000) = 100 -- most rows returned
CALL {
  MATCH (:IPAddress {key: $address})<-[:HAS_IP]-(n:NIC)<-[:HAS_NIC]-(h:Host)
  RETURN h, n, 'ip' AS matched_by
  UNION
  MATCH (n:NIC {mac: $address})<-[:HAS_NIC]-(h:Host)
  RETURN h, n, 'mac' AS matched_by
}
RETURN h.key AS host,
       h.status AS status,
       n.name AS nic,
       n.mac AS mac,
       matched_by,
       COLLECT { MATCH (n)-[:HAS_IP]->(ip:IPAddress) RETURN ip.address AS a ORDER BY a } AS nic_addresses
ORDER BY host, nic
LIMIT $limit
