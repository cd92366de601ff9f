// Outbound TCP connections are kept as (Process)-[:DIALS]->(TCPEndpoint {key: 'ip:port'}), resolved
// or not, so a server's results can complete them later; a server's writes look them up by address.
CREATE CONSTRAINT tcpendpoint_key IF NOT EXISTS FOR (n:TCPEndpoint) REQUIRE n.key IS UNIQUE;
CREATE INDEX tcpendpoint_ip IF NOT EXISTS FOR (n:TCPEndpoint) ON (n.ip);
