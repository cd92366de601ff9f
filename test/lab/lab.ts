/**
 * A lab: namespaces, switches, hosts and the processes running in them, built from a LabTopology and
 * torn down completely by `destroy()`. See test/lab/README.md for how tests use it.
 */
import { rmSync } from 'node:fs';
import { runCommand, type CommandResult } from './command';
import { buildNetwork, planNamespaces } from './build';
import { removeNetnsEtc, writeNetnsEtc } from './etc-files';
import { LabHost, LabSwitch, type CommandOptions, type NodeRunner, type ProcessOptions } from './lab-nodes';
import { LabProcess, labArgv } from './lab-process';
import { startLldpd, type LldpDaemon } from './lldp';
import { LAB_ENV, NAMESPACE_PATTERN, claimLabId, labDir, namespaceName } from './names';
import { deleteNamespace, deleteNamespaceSync, listNamespaces, listNamespacesSync } from './netns';
import { exposeLoopbackPort, forwardLoopbackPort } from './port-tunnel';
import { requireLab } from './prerequisites';
import { trackLab, untrackLab } from './registry';
import { killLabProcesses, sweepStaleLabs } from './sweep';
import { planLab, type LabPlan, type LabTopology } from './topology';

export interface LabOptions {
  /** LLDP transmit interval in seconds for every lldpd of the lab (default 1). */
  lldpTxIntervalS?: number;
  /** Remove leftovers of crashed runs before building (default true). */
  sweep?: boolean;
}

export class Lab implements NodeRunner {
  readonly dir: string;
  private readonly hostsByName = new Map<string, LabHost>();
  private readonly switchesByName = new Map<string, LabSwitch>();
  private readonly processes = new Set<LabProcess>();
  private readonly namespaces: string[] = [];
  private destroying: Promise<void> | undefined;

  private constructor(
    readonly id: string,
    readonly plan: LabPlan,
    private readonly options: LabOptions,
  ) {
    this.dir = labDir(id);
    for (const sw of plan.switches) this.switchesByName.set(sw.name, new LabSwitch(this, sw));
    for (const host of plan.hosts) this.hostsByName.set(host.name, new LabHost(this, host));
  }

  /** Plans (failing early on a bad topology), sweeps stale labs, builds, and starts the lldpds asked for. */
  static async create(topology: LabTopology, options: LabOptions = {}): Promise<Lab> {
    const plan = planLab(topology);
    requireLab();
    if (options.sweep ?? true) await sweepStaleLabs();
    const lab = new Lab(claimLabId(), plan, options);
    trackLab(lab);
    try {
      writeNetnsEtc(lab.id, plan);
      await buildNetwork(lab.id, plan, (ns) => lab.namespaces.push(ns));
      const wanted = [...plan.switches.filter((s) => s.lldp), ...plan.hosts.filter((h) => h.lldp)];
      await Promise.all(wanted.map((node) => lab.node(node.name).startLldpd()));
    } catch (err) {
      await lab.destroy().catch(() => undefined);
      throw err;
    }
    return lab;
  }

  /** Namespace-name prefix shared by all of this lab's namespaces. */
  get prefix(): string {
    return namespaceName(this.id, '');
  }

  host(name: string): LabHost {
    const host = this.hostsByName.get(name);
    if (!host) throw new Error(`lab has no host "${name}" (hosts: ${[...this.hostsByName.keys()].join(', ')})`);
    return host;
  }

  /** Every host except the CMA's namespace, in topology order. */
  get hosts(): LabHost[] {
    return [...this.hostsByName.values()].filter((h) => h.role === 'host');
  }

  get cma(): LabHost {
    const cma = [...this.hostsByName.values()].find((h) => h.role === 'cma');
    if (!cma) throw new Error('this lab has no CMA namespace (topology.cma)');
    return cma;
  }

  switch(name: string): LabSwitch {
    const sw = this.switchesByName.get(name);
    if (!sw) throw new Error(`lab has no switch "${name}"`);
    return sw;
  }

  get switches(): LabSwitch[] {
    return [...this.switchesByName.values()];
  }

  node(name: string): LabHost | LabSwitch {
    return this.hostsByName.get(name) ?? this.switch(name);
  }

  /** Hostname a node's processes get by default: the host's configured one, or the switch's name. */
  private defaultHostname(node: string | null, options?: ProcessOptions): string | undefined {
    if (node === null || options?.hostname === false) return undefined;
    if (typeof options?.hostname === 'string') return options.hostname;
    return this.hostsByName.get(node)?.hostname ?? node;
  }

  private nsOf(node: string | null): string | null {
    if (node === null) return null;
    return this.node(node).ns;
  }

  spawn(node: string | null, command: string, args: string[], options: ProcessOptions = {}): LabProcess {
    if (this.destroying) throw new Error(`lab ${this.id} is being destroyed; cannot start ${command}`);
    const hostname = this.defaultHostname(node, options);
    const child = new LabProcess({
      labId: this.id,
      ns: this.nsOf(node),
      command,
      args,
      ...(hostname !== undefined ? { hostname } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(options.cwd ? { cwd: options.cwd } : {}),
      label: options.label ?? `${command} on ${node ?? 'the machine'}`,
    });
    this.processes.add(child);
    return child;
  }

  run(node: string | null, command: string, args: string[], options: CommandOptions = {}): Promise<CommandResult> {
    const hostname = this.defaultHostname(node, options);
    const argv = labArgv({ ns: this.nsOf(node), command, args, ...(hostname !== undefined ? { hostname } : {}) });
    return runCommand(argv[0] as string, argv.slice(1), {
      env: { ...process.env, ...options.env, [LAB_ENV]: this.id },
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
  }

  startLldpdOn(name: string): Promise<LldpDaemon> {
    const node = this.node(name);
    const isSwitch = node instanceof LabSwitch;
    const systemName = node instanceof LabHost ? node.hostname : name;
    return startLldpd(
      {
        labId: this.id,
        ns: node.ns,
        dir: this.dir,
        node: name,
        systemName,
        hostname: systemName,
        txIntervalS: this.options.lldpTxIntervalS ?? 1,
        ...(isSwitch ? { portIdSubtype: 'ifname', interfacePattern: 'swp*', description: 'Unimatrix lab switch' } : {}),
      },
      (p) => this.processes.add(p),
    );
  }

  /** Makes the machine's 127.0.0.1:`port` (e.g. Neo4j) reachable as 127.0.0.1:`port` inside `node`. */
  forwardLoopbackPort(node: string, port: number): Promise<void> {
    return forwardLoopbackPort(this, this.dir, node, port);
  }

  /** Makes 127.0.0.1:`port` inside `node` (e.g. the CMA's API) reachable here; resolves with the local port. */
  exposeLoopbackPort(node: string, port: number): Promise<number> {
    return exposeLoopbackPort(this, this.dir, node, port);
  }

  /** Stops every process, deletes every namespace (and so every veth), removes the lab directory. Idempotent. */
  destroy(): Promise<void> {
    this.destroying ??= this.teardown();
    return this.destroying;
  }

  private async teardown(): Promise<void> {
    const errors: unknown[] = [];
    await Promise.all([...this.processes].map((p) => p.stop(1_000)));
    killLabProcesses(this.id);
    // Also whatever a half-finished build created that the list does not know yet.
    const listed = (await listNamespaces()).filter((ns) => NAMESPACE_PATTERN.exec(ns)?.[1] === this.id);
    for (const ns of new Set([...this.namespaces, ...listed].reverse())) {
      await deleteNamespace(ns).catch((err: unknown) => errors.push(err));
    }
    removeNetnsEtc(planNamespaces(this.id, this.plan));
    if (errors.length === 0) rmSync(this.dir, { recursive: true, force: true });
    untrackLab(this);
    if (errors.length > 0) throw new AggregateError(errors, `lab ${this.id}: teardown incomplete (the next sweep retries)`);
  }

  destroySync(): void {
    for (const p of this.processes) p.signal('SIGKILL');
    killLabProcesses(this.id);
    const listed = listNamespacesSync().filter((ns) => NAMESPACE_PATTERN.exec(ns)?.[1] === this.id);
    for (const ns of listed) deleteNamespaceSync(ns);
    removeNetnsEtc(planNamespaces(this.id, this.plan));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Builds a lab, runs `body` in it, and destroys it whether `body` succeeds or throws. */
export async function withLab<T>(topology: LabTopology, body: (lab: Lab) => Promise<T>, options?: LabOptions): Promise<T> {
  const lab = await Lab.create(topology, options);
  try {
    return await body(lab);
  } finally {
    await lab.destroy();
  }
}
