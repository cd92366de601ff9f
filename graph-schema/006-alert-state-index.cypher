// Every alert query filters on Alert.state ('firing' / 'resolved'); 002 indexed Alert.status, which
// nothing writes. 002 stays as shipped (applied migrations are never edited); this adds the index the
// queries use and drops the unused one.
CREATE INDEX alert_state IF NOT EXISTS FOR (n:Alert) ON (n.state);
DROP INDEX alert_status IF EXISTS;
