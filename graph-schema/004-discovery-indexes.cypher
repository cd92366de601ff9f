// Lookups of the discovery API and the named queries.
CREATE INDEX discoveryresult_status IF NOT EXISTS FOR (n:DiscoveryResult) ON (n.status);
CREATE INDEX package_name IF NOT EXISTS FOR (n:Package) ON (n.name);
CREATE INDEX switch_name IF NOT EXISTS FOR (n:Switch) ON (n.name);
