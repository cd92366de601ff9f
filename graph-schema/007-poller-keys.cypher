// Pollers (cma/pollers/): the network devices they poll over SSH and the workers that poll them.
// (NetworkDevice)-[:POLLED_BY {role}]->(PollerWorker) is the handover table a restarted CMA resumes;
// (NetworkDevice)-[:HAS_POLL]->(PollResult) the latest result of each command.
CREATE CONSTRAINT networkdevice_key IF NOT EXISTS FOR (n:NetworkDevice) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT pollerworker_key IF NOT EXISTS FOR (n:PollerWorker) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT pollresult_key IF NOT EXISTS FOR (n:PollResult) REQUIRE n.key IS UNIQUE;
