/** Handles on a lab's hosts and switches: where they are, and how to run things on them. */
import type { CommandResult } from './command';
import type { LabProcess } from './lab-process';
import type { LldpDaemon } from './lldp';
import { namespaceName } from './names';
import { parseCidr } from './ipv4';
import { failSwitch, restoreSwitch, type SwitchFailure } from './switch-failure';
import type { PlannedHost, PlannedNic, PlannedSwitch } from './topology';

export interface ProcessOptions {
  env?: Record<string, string>;
  cwd?: string;
  label?: string;
  /** Hostname seen by the process; default the node's own; false keeps the machine's. */
  hostname?: string | false;
}

export interface CommandOptions extends ProcessOptions {
  timeoutMs?: number;
}

/** What the nodes need from their lab; implemented by Lab. */
export interface NodeRunner {
  readonly id: string;
  spawn(node: string | null, command: string, args: string[], options?: ProcessOptions): LabProcess;
  run(node: string | null, command: string, args: string[], options?: CommandOptions): Promise<CommandResult>;
  startLldpdOn(node: string): Promise<LldpDaemon>;
}

abstract class LabNode {
  lldp: LldpDaemon | undefined;
  constructor(
    protected readonly runner: NodeRunner,
    readonly name: string,
  ) {}

  /** The namespace's name, for `ip netns exec` or `ip -n`. */
  get ns(): string {
    return namespaceName(this.runner.id, this.name);
  }

  /** Starts a long-running process here; the lab kills it at teardown at the latest. */
  spawn(command: string, args: string[] = [], options?: ProcessOptions): LabProcess {
    return this.runner.spawn(this.name, command, args, options);
  }

  /** Runs a command here to completion. */
  run(command: string, args: string[] = [], options?: CommandOptions): Promise<CommandResult> {
    return this.runner.run(this.name, command, args, options);
  }

  /** Starts `node -e <script> <args…>` here: the way smoke tests put small real programs on a node. */
  node(script: string, args: string[] = [], options?: ProcessOptions): LabProcess {
    return this.spawn(process.execPath, ['-e', script, ...args], { label: `node script on ${this.name}`, ...options });
  }

  /** Starts lldpd here (if the topology did not already) and waits until it is configured. */
  async startLldpd(): Promise<LldpDaemon> {
    this.lldp ??= await this.runner.startLldpdOn(this.name);
    return this.lldp;
  }
}

export class LabHost extends LabNode {
  constructor(
    runner: NodeRunner,
    readonly plan: PlannedHost,
  ) {
    super(runner, plan.name);
  }

  get role(): 'host' | 'cma' {
    return this.plan.role;
  }

  get hostname(): string {
    return this.plan.hostname;
  }

  get nics(): PlannedNic[] {
    return this.plan.nics;
  }

  nic(ifname = 'eth0'): PlannedNic {
    const nic = this.plan.nics.find((n) => n.ifname === ifname);
    if (!nic) throw new Error(`host ${this.name} has no NIC ${ifname}`);
    return nic;
  }

  /** The first IPv4 address of a NIC (default eth0), without prefix. */
  address(ifname = 'eth0'): string {
    const cidr = this.nic(ifname).addresses[0];
    if (!cidr) throw new Error(`host ${this.name} has no address on ${ifname}`);
    return parseCidr(cidr).address;
  }
}

export class LabSwitch extends LabNode {
  constructor(
    runner: NodeRunner,
    readonly plan: PlannedSwitch,
  ) {
    super(runner, plan.name);
  }

  /** Port interface names (swp1, …), host ports first, then trunks. */
  get ports(): string[] {
    return this.plan.ports.map((p) => p.ifname);
  }

  /** Kills the switch: "power" (default) downs every port so hosts lose carrier; "hang" stops forwarding. */
  fail(how: SwitchFailure = 'power'): Promise<void> {
    return failSwitch(this.ns, this.ports, how);
  }

  /** Brings the switch back; hosts regain their links and the bridge forwards again. */
  restore(): Promise<void> {
    return restoreSwitch(this.ns, this.ports);
  }
}
