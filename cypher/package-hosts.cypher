// Which hosts have a package installed (from the packages discovery): by name, optionally one
// version or one package manager (dpkg, rpm, npm, pip).
//
// @param name: string -- the package's name
// @param version: string? -- only this version
// @param manager: string? -- only this package manager
// @param prefix: string? -- only hosts whose name starts with this
// @param limit: integer(1..10000) = 1000 -- most rows returned
MATCH (p:Package)
WHERE p.name = $name
  AND ($version IS NULL OR p.version = $version)
  AND ($manager IS NULL OR p.manager = $manager)
MATCH (h:Host)-[r:HAS_PACKAGE]->(p)
WHERE $prefix IS NULL OR h.key STARTS WITH $prefix
RETURN h.key AS host, p.manager AS manager, p.version AS version, r.arch AS arch
ORDER BY host, manager, version
LIMIT $limit
