import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loopbackFleet, NanoprobeFleet } from '../../cli/demo/nanoprobe-fleet';
import { startCma, type RunningCma } from '../../cma/cma-service';
import { loadCmaConfig } from '../../cma/config/cma-config';
import { processAlive, readPidFile } from '../../cma/neo4j/pid-file';
import { silentLogger } from '../../common/logger';
import { describeWithNeo4j } from '../support/neo4j';
import { waitFor } from '../support/wait-for';

type ApiAlert = { labels: Record<string, string>; resolved: boolean };

/**
 * Issue 16, on the CMA's own embedded Neo4j: a death during a Neo4j outage was lost; graph routes
 * hung 30 s; the CMA did not notice its Neo4j exit; `unimatrix neo4j status` said "not running".
 * The outage is made with signals to the real JVM: SIGSTOP (it stops answering, in a known order with
 * the kill of a host), SIGCONT, then SIGKILL (it exits, and the CMA starts it again).
 */
describeWithNeo4j('the CMA through an outage of its own Neo4j', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-neo4j-outage-'));
  const neo4jHome = path.join(home, 'neo4j');
  let cma: RunningCma;
  let fleet: NanoprobeFleet;
  const members = loopbackFleet(3, 1, 'outage');
  const victim = members[0]!;
  let stoppedPid: number | undefined;
  const api = (route: string): Promise<Response> => fetch(`${cma.apiUrl}/api/${route}`, { signal: AbortSignal.timeout(30_000) });
  /** A route's status, or 0 when no answer came at all. */
  const statusOf = async (route: string): Promise<number> => {
    try {
      return (await api(route)).status;
    } catch {
      return 0;
    }
  };

  beforeAll(async () => {
    const config = loadCmaConfig({
      env: {},
      flags: {
        'neo4j.local.home': neo4jHome,
        'neo4j.local.port': 0,
        'neo4j.local.heapMb': 512,
        'api.port': 0,
        'membership.port': 0,
        'membership.multicast.enabled': false,
        'membership.stateDir': path.join(home, 'cma'),
        'discovery.enabled': false,
      },
    });
    cma = await startCma(config, silentLogger);
    fleet = new NanoprobeFleet({ host: '127.0.0.1', port: cma.membership.address.port }, path.join(home, 'nanoprobes'));
  }, 240_000);

  afterAll(async () => {
    if (stoppedPid !== undefined && processAlive(stoppedPid)) process.kill(stoppedPid, 'SIGCONT');
    await fleet?.stopAll();
    await cma?.stop();
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  test('a death while Neo4j does not answer is stored once it does; routes answer 503 meanwhile', async () => {
    for (const m of members) fleet.start(m);
    const joined = await waitFor(async () => ((await (await api('hosts')).json()) as Array<{ status: string }>).filter((h) => h.status === 'up').length, (n) => n === members.length, 60_000);
    expect(joined).toBe(members.length);

    const db = readPidFile(neo4jHome);
    expect(db).toMatchObject({ startedBy: 'cma', ownerPid: process.pid });
    stoppedPid = db!.pid;
    process.kill(stoppedPid, 'SIGSTOP');
    // Graph-backed routes say so instead of hanging for the driver's 30 s of retries (a Neo4j that
    // stopped answering is known after three slow checks; one that refuses connections at once).
    const down = await waitFor(() => statusOf('hosts'), (s) => s === 503, 60_000);
    expect(down).toBe(503);
    const body = (await (await api(`hosts/${victim.hostname}`)).json()) as { error: { code: string } };
    expect(body.error.code).toBe('UNI_API_GRAPH_UNAVAILABLE');

    const victimKey = cma.membership.peers.all().find((p) => p.hostname === victim.hostname)!.keyid;
    await fleet.kill(victim.hostname, 'SIGKILL');
    expect(await waitFor(() => cma.membership.membership.status(victimKey), (s) => s === 'dead', 30_000)).toBe('dead');
    expect(cma.membership.unstoredWrites).toBeGreaterThan(0); // decided, not yet stored: kept

    process.kill(stoppedPid, 'SIGCONT');
    stoppedPid = undefined;
    const alerts = await waitFor(
      async () => (await api('alerts')).json() as Promise<ApiAlert[]>,
      (a) => Array.isArray(a) && a.some((x) => x.labels.host === victim.hostname && !x.resolved),
      60_000,
    );
    expect(alerts.filter((a) => a.labels.alertname === 'HostDown').map((a) => a.labels.host)).toEqual([victim.hostname]);
    const host = (await (await api(`hosts/${victim.hostname}`)).json()) as { status: string };
    expect(host.status).toBe('down');
  }, 180_000);

  test('when its Neo4j exits, the CMA starts it again; `unimatrix neo4j status` sees it', async () => {
    const before = readPidFile(neo4jHome)!;
    process.kill(before.pid, 'SIGKILL');
    const after = await waitFor(() => readPidFile(neo4jHome), (p) => p !== undefined && p.pid !== before.pid && processAlive(p.pid), 120_000);
    expect(after?.pid).not.toBe(before.pid);
    expect(after?.uri).toBe(before.uri); // same port: the driver finds it where it was
    const health = await waitFor(() => statusOf('health'), (s) => s === 200, 60_000);
    expect(health).toBe(200);
    const status = spawnSync(process.execPath, [NanoprobeFleet.cliPath(), 'neo4j', 'status'], {
      encoding: 'utf8',
      env: { ...process.env, UNIMATRIX_NEO4J_HOME: neo4jHome },
    });
    expect(status.stdout).toContain(`running: ${after!.uri} (pid ${after!.pid}, started by cma)`);
  }, 180_000);
});
