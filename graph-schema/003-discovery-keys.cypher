// Nodes that discovery writes beyond the core labels: installed packages and the last raw result of
// each (host, discovertype), kept so new plugins can re-derive.
CREATE CONSTRAINT package_key IF NOT EXISTS FOR (n:Package) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT discoveryresult_key IF NOT EXISTS FOR (n:DiscoveryResult) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT filesystem_key IF NOT EXISTS FOR (n:Filesystem) REQUIRE n.key IS UNIQUE;
