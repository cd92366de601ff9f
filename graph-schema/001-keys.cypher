// Every node of the domain has one stable key, `key`, held unique by a constraint (which also gives
// the index that MERGE needs). Hosts are keyed by their hostname.
CREATE CONSTRAINT host_key IF NOT EXISTS FOR (n:Host) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT nic_key IF NOT EXISTS FOR (n:NIC) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT ipaddress_key IF NOT EXISTS FOR (n:IPAddress) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT subnet_key IF NOT EXISTS FOR (n:Subnet) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT process_key IF NOT EXISTS FOR (n:Process) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT tcpservice_key IF NOT EXISTS FOR (n:TCPService) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT switch_key IF NOT EXISTS FOR (n:Switch) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT switchport_key IF NOT EXISTS FOR (n:SwitchPort) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT monitoraction_key IF NOT EXISTS FOR (n:MonitorAction) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT alert_key IF NOT EXISTS FOR (n:Alert) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT ring_key IF NOT EXISTS FOR (n:Ring) REQUIRE n.key IS UNIQUE;
// The record of applied migrations: one node, kept single even when two CMAs migrate at once.
CREATE CONSTRAINT schemaversion_key IF NOT EXISTS FOR (n:SchemaVersion) REQUIRE n.key IS UNIQUE;
