/**
 * The project's own daemons inside a lab: the CMA in the CMA namespace (its Neo4j reached through a
 * loopback tunnel, its REST API exposed back to the test), nanoprobes on the hosts. They run from the
 * sources (tsEntryArgs), so a lab test never depends on a stale dist/. Real processes, real sockets:
 * nothing here is faked.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Lab } from './lab';
import type { LabHost } from './lab-nodes';
import type { LabProcess } from './lab-process';
import { tsEntryArgs } from './ts-entry';

/** The CMA's REST API port inside its namespace (exposed to the test at another local port). */
const CMA_API_PORT = 8080;
/** Generous: the first start of a daemon from sources transpiles the project (cached afterwards). */
const START_TIMEOUT_MS = 90_000;

export type CmaOptions = {
  /** Bolt port of the test's Neo4j on the machine's 127.0.0.1 (tunnelled into the CMA namespace). */
  neo4jPort: number;
  /** Kept across CMA restarts: the CMA's key (pinned by the nanoprobes) and the hosts' pinned keys. */
  stateDir: string;
  logLevel?: string;
  timing?: Record<string, number>;
  /** The config's `discovery` section (cma/config/cma-config.ts), e.g. `{ enabled: false }`. */
  discovery?: Record<string, unknown>;
};

/**
 * The CMA as an operator runs it: `unimatrix cma --config <yaml>` in its own namespace, listening for
 * announcements on 224.0.2.5:1984 joined on its lab address.
 */
export class LabCma {
  private process: LabProcess | undefined;
  private readonly earlierOutput: string[] = [];
  private starts = 0;

  private constructor(
    private readonly lab: Lab,
    private readonly configFile: string,
    readonly apiUrl: string,
    private readonly neo4jUri: string,
  ) {}

  /** Tunnels Neo4j in and the API out (both survive restarts), writes the config, starts the CMA. */
  static async start(lab: Lab, options: CmaOptions): Promise<LabCma> {
    await lab.forwardLoopbackPort(lab.cma.name, options.neo4jPort);
    const apiPort = await lab.exposeLoopbackPort(lab.cma.name, CMA_API_PORT);
    mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
    const configFile = path.join(lab.dir, 'cma.yaml');
    const config = {
      neo4j: { uri: `bolt://127.0.0.1:${options.neo4jPort}` },
      api: { host: '127.0.0.1', port: CMA_API_PORT },
      membership: {
        port: 1984,
        multicast: { enabled: true, group: '224.0.2.5', interfaceAddress: lab.cma.address() },
        stateDir: options.stateDir,
        timing: options.timing ?? {},
      },
      ...(options.discovery === undefined ? {} : { discovery: options.discovery }),
      log: { level: options.logLevel ?? 'info' },
    };
    writeFileSync(configFile, YAML.stringify(config));
    const cma = new LabCma(lab, configFile, `http://127.0.0.1:${apiPort}`, config.neo4j.uri);
    await cma.run();
    return cma;
  }

  /** Every start's log so far, oldest first. */
  get output(): string {
    return [...this.earlierOutput, this.process?.stdout() ?? ''].join('');
  }

  /** Starts the CMA process and waits for its "CMA ready" line. */
  async run(): Promise<void> {
    if (this.process?.running) throw new Error('the CMA is already running');
    this.starts += 1;
    if (this.process !== undefined) this.earlierOutput.push(this.process.stdout());
    this.process = this.lab.cma.spawn(process.execPath, tsEntryArgs('cli/unimatrix.ts', ['cma', '--config', this.configFile]), {
      label: `cma (start ${this.starts})`,
      // The environment outranks the config file; the test run's own NEO4J_URI (the jest global
      // setup's database) must not take the lab CMA away from the suite's own tunnelled Neo4j.
      env: { NEO4J_URI: this.neo4jUri },
    });
    await this.process.waitForOutput(/"msg":"CMA ready"/, START_TIMEOUT_MS);
  }

  /** SIGTERM, as an operator would stop it; SIGKILL if it takes longer than `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    await this.process?.stop(graceMs);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.run();
  }

  /** An Error carrying the tail of the CMA's log, for a failing assertion's context. */
  failure(what: string): Error {
    return this.process?.failure(what) ?? new Error(`${what} (the CMA never started)`);
  }
}

/** A real nanoprobe process on a lab host, announcing by multicast (no --cma). */
export function startNanoprobe(host: LabHost, stateRoot: string, extraArgs: string[] = []): LabProcess {
  const stateDir = path.join(stateRoot, host.name);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  return host.spawn(process.execPath, tsEntryArgs('cli/unimatrix.ts', ['nanoprobe', '--state-dir', stateDir, '--log-level', 'info', ...extraArgs]), {
    label: `nanoprobe on ${host.name}`,
  });
}

/**
 * With UNIMATRIX_LAB_LOGS=<dir>, writes each daemon's log to <dir>/<suite>/<name>.log at the end of a
 * suite (CI keeps them as artifacts): a failed lab run is explained by what the daemons said.
 */
export function keepLogs(suite: string, logs: Array<[string, string]>): void {
  const root = process.env.UNIMATRIX_LAB_LOGS;
  if (root === undefined || root === '') return;
  const dir = path.join(root, suite);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of logs) writeFileSync(path.join(dir, `${name}.log`), text);
}
