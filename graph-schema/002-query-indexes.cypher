// Indexes for what the CMA and the named queries look up by something other than the key.
CREATE INDEX host_status IF NOT EXISTS FOR (n:Host) ON (n.status);
CREATE INDEX host_keyid IF NOT EXISTS FOR (n:Host) ON (n.keyid);
CREATE INDEX nic_mac IF NOT EXISTS FOR (n:NIC) ON (n.mac);
CREATE INDEX ipaddress_address IF NOT EXISTS FOR (n:IPAddress) ON (n.address);
CREATE INDEX tcpservice_port IF NOT EXISTS FOR (n:TCPService) ON (n.port);
CREATE INDEX alert_status IF NOT EXISTS FOR (n:Alert) ON (n.status);
CREATE INDEX alert_fingerprint IF NOT EXISTS FOR (n:Alert) ON (n.fingerprint);
CREATE INDEX ring_kind IF NOT EXISTS FOR (n:Ring) ON (n.kind);
