import { Command } from 'commander';
import { mkdirSync, rmSync } from 'node:fs';
import neo4j from 'neo4j-driver';
import { loadCmaConfig } from '../../cma/config/cma-config';
import { LocalNeo4j } from '../../cma/neo4j/local-neo4j';
import { pidFilePath, processAlive as alive, readPidFile } from '../../cma/neo4j/pid-file';
import { ensureNeo4jRuntime } from '../../cma/neo4j/runtime-files';
import { createLogger } from '../../common/logger';

/** `unimatrix neo4j fetch|start|stop|status`: the local Neo4j on its own, for people who want it. */
export function registerNeo4jCommand(program: Command): void {
  const cmd = program.command('neo4j').description('manage the local embedded Neo4j');
  const home = (): string => loadCmaConfig().neo4j.local.home;

  cmd
    .command('fetch')
    .description('fetch the Neo4j jars with Maven and compile the launcher (done automatically on first start)')
    .action(async () => {
      await ensureNeo4jRuntime(createLogger('neo4j'));
      process.stdout.write('neo4j runtime ready\n');
    });

  cmd
    .command('start')
    .description('start the local Neo4j in the background')
    .action(async () => {
      const config = loadCmaConfig();
      const dir = config.neo4j.local.home;
      const existing = readPidFile(dir);
      if (existing && alive(existing.pid)) {
        process.stdout.write(`already running: ${existing.uri} (pid ${existing.pid})\n`);
        return;
      }
      mkdirSync(dir, { recursive: true });
      const db = await LocalNeo4j.start({
        home: dir,
        port: config.neo4j.local.port,
        heapMb: config.neo4j.local.heapMb,
        tiedToThisProcess: false,
        detached: true,
      });
      db.release();
      process.stdout.write(`started: ${db.uri} (pid ${db.pid}); export NEO4J_URI=${db.uri} to use it\n`);
    });

  cmd
    .command('stop')
    .description('stop the local Neo4j of the configured data folder (started by `neo4j start` or by a CMA)')
    .action(async () => {
      const dir = home();
      const pidFile = readPidFile(dir);
      if (!pidFile || !alive(pidFile.pid)) {
        process.stdout.write('not running\n');
        rmSync(pidFilePath(dir), { force: true });
        return;
      }
      process.kill(pidFile.pid, 'SIGTERM');
      const deadline = Date.now() + 60_000;
      while (alive(pidFile.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      if (alive(pidFile.pid)) process.kill(pidFile.pid, 'SIGKILL');
      rmSync(pidFilePath(dir), { force: true });
      process.stdout.write(`stopped (pid ${pidFile.pid})\n`);
    });

  cmd
    .command('status')
    .description('is the local Neo4j running and answering')
    .action(async () => {
      const pidFile = readPidFile(home());
      if (!pidFile || !alive(pidFile.pid)) {
        process.stdout.write('not running\n');
        process.exitCode = 3;
        return;
      }
      const driver = neo4j.driver(pidFile.uri);
      try {
        await driver.verifyConnectivity();
        process.stdout.write(`running: ${pidFile.uri} (pid ${pidFile.pid}, started by ${pidFile.startedBy ?? 'neo4j start'})\n`);
      } catch (err) {
        process.stdout.write(`process ${pidFile.pid} is up but ${pidFile.uri} does not answer: ${String(err)}\n`);
        process.exitCode = 1;
      } finally {
        await driver.close();
      }
    });
}
