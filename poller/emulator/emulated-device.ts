/**
 * One emulated device: a small record (name, hostname, platform, credentials, a few numbers) plus
 * state created only when used (run counts, configuration lines, faults, interface states, output
 * overrides), so thousands fit in one process. It is also the API tests drive: inject a fault, make an
 * interface go down, replace an output, reboot. Sessions read it on every command, so a change
 * shows in open sessions at their next command.
 */
import { commandTrees, type ModeTrees } from './command-table';
import type { Credential, DeviceSpec } from './device-spec';
import type { CommandSpec, DeviceProfile, OutputContext, PlatformId } from './device-profile';
import { FaultSet, type FaultSpec } from './faults';
import { applyInterfaceStates, interfaceKey, interfaceSections, parseHeader, type LinkState } from './interface-state';
import { applyCounters, fillTemplate } from './output-render';
import { deviceProfile } from './platforms';
import { fnv1a32 } from '../../common/hash';

export type Clock = () => number;

interface InterfaceRecord {
  state: LinkState;
  /** When the state was last set (ms). */
  since: number;
  /** Seconds the link was up before `since`: what its counters have counted. */
  upSeconds: number;
}

const DAY_MS = 86_400_000;

export class EmulatedDevice {
  readonly name: string;
  readonly platform: PlatformId;
  readonly profile: DeviceProfile;
  hostname: string;
  credentials: readonly Credential[];
  enableSecret: string | undefined;
  latencyMs: number;
  pageLength: number;
  bootTime: number;
  /** The port it listens on in per-device mode, once listening. */
  port: number | undefined;
  readonly serial: string;

  private overrides: Map<string, CommandSpec> | undefined;
  private runCounts: Map<string, number> | undefined;
  private configLines: string[] | undefined;
  private interfaces: Map<string, InterfaceRecord> | undefined;
  private faultSet: FaultSet | undefined;
  private trees: ModeTrees | undefined;

  constructor(
    spec: DeviceSpec,
    defaults: { credentials: readonly Credential[] },
    private readonly clock: Clock,
  ) {
    this.name = spec.name;
    this.platform = spec.platform;
    this.profile = deviceProfile(spec.platform);
    this.hostname = spec.hostname ?? spec.name;
    this.credentials = spec.credentials ?? defaults.credentials;
    this.enableSecret = spec.enableSecret;
    this.latencyMs = spec.latencyMs ?? 0;
    this.pageLength = spec.pageLength ?? 24;
    this.port = spec.port;
    // A stable number per device name: serial numbers and the initial uptime.
    const seed = fnv1a32(spec.name);
    this.serial = this.profile.serial(seed);
    // A stable, plausible uptime per device: 1 to 400 days, so outputs differ between devices.
    this.bootTime = spec.bootTime ?? clock() - (DAY_MS + (seed % (400 * 86_400)) * 1000);
    for (const [command, text] of Object.entries(spec.outputs ?? {})) this.setOutput(command, text);
  }

  // ---- the test API -------------------------------------------------------------------------------

  /** Injects a fault; returns its id for removeFault. */
  injectFault(fault: FaultSpec): number {
    return (this.faultSet ??= new FaultSet()).add(fault);
  }

  removeFault(id: number): boolean {
    return this.faultSet?.remove(id) ?? false;
  }

  clearFaults(): void {
    this.faultSet = undefined;
  }

  get faults(): FaultSet | undefined {
    return this.faultSet && this.faultSet.size > 0 ? this.faultSet : undefined;
  }

  /**
   * Replaces (or adds) the output of a canonical command (`show version`); `null` goes back to the
   * fixture. A function output is called on every run, so a test can make it change each time.
   */
  setOutput(command: string, output: string | ((ctx: OutputContext) => string) | null): void {
    const key = canonical(command);
    if (output === null) this.overrides?.delete(key);
    else (this.overrides ??= new Map()).set(key, { output });
    this.trees = undefined;
  }

  /** Sets an interface's link state; its counters stop while it is not up, as real ones do. */
  setInterfaceState(name: string, state: LinkState): void {
    const now = this.clock();
    const key = interfaceKey(name);
    const map = (this.interfaces ??= new Map());
    const current = map.get(key);
    if (current) {
      const upSeconds = current.upSeconds + (current.state === 'up' ? (now - current.since) / 1000 : 0);
      map.set(key, { state, since: now, upSeconds });
      return;
    }
    // First change: the counters so far are the fixture's, ticking since boot if it showed the link up.
    const upSeconds = fixtureLinkUp(this.profile, key) ? (now - this.bootTime) / 1000 : 0;
    map.set(key, { state, since: now, upSeconds });
  }

  interfaceState(name: string): LinkState | undefined {
    return this.interfaces?.get(interfaceKey(name))?.state;
  }

  /** Boots again: uptime and counters start from zero, configuration entered since boot is gone. */
  reboot(): void {
    const now = this.clock();
    this.bootTime = now;
    this.runCounts = undefined;
    this.configLines = undefined;
    if (this.interfaces) for (const r of this.interfaces.values()) Object.assign(r, { since: now, upSeconds: 0 });
  }

  /** How many times a canonical command ran since boot. */
  runs(command: string): number {
    return this.runCounts?.get(canonical(command)) ?? 0;
  }

  // ---- what sessions use ------------------------------------------------------------------------

  /** The emulator's clock (ms): banners and outputs follow it, so tests can move time. */
  now(): number {
    return this.clock();
  }

  commandTrees(): ModeTrees {
    return (this.trees ??= commandTrees(this.profile, this.overrides ? [...this.overrides.keys()] : []));
  }

  recordConfigLine(line: string): void {
    (this.configLines ??= []).push(line);
  }

  /** The text of a canonical command now, or undefined when the device has no output for it. */
  output(command: string): string | undefined {
    const spec = this.overrides?.get(command) ?? this.profile.commands[command];
    if (!spec) return undefined;
    const now = this.clock();
    const runCount = this.runCounts?.get(command) ?? 0;
    (this.runCounts ??= new Map()).set(command, runCount + 1);
    const uptimeSeconds = Math.max(0, Math.floor((now - this.bootTime) / 1000));
    const ctx: OutputContext = {
      name: this.name,
      hostname: this.hostname,
      serial: this.serial,
      platform: this.platform,
      now: new Date(now),
      bootTime: new Date(this.bootTime),
      uptimeSeconds,
      runCount,
      configLines: this.configLines ?? [],
      formatUptime: this.profile.formatUptime,
    };
    const raw = typeof spec.output === 'function' ? spec.output(ctx) : spec.output;
    let text = fillTemplate(raw, ctx);
    const states = this.linkStates();
    if (states) text = applyInterfaceStates(text, this.platform, states);
    if (spec.counters && spec.counters.length > 0) {
      const rules = spec.counters;
      text = interfaceSections(text, this.platform)
        .map((s) => applyCounters(s.text, rules, this.countingSeconds(s.name, s.up, now, uptimeSeconds)))
        .join('');
    }
    return text;
  }

  private linkStates(): Map<string, LinkState> | undefined {
    if (!this.interfaces || this.interfaces.size === 0) return undefined;
    const out = new Map<string, LinkState>();
    for (const [k, r] of this.interfaces) out.set(k, r.state);
    return out;
  }

  /** Seconds an interface's counters have been counting: its up time since boot. */
  private countingSeconds(name: string | undefined, shownUp: boolean, now: number, uptimeSeconds: number): number {
    if (name === undefined) return uptimeSeconds;
    const r = this.interfaces?.get(interfaceKey(name));
    if (!r) return shownUp ? uptimeSeconds : 0;
    return Math.floor(r.upSeconds + (r.state === 'up' ? (now - r.since) / 1000 : 0));
  }
}

export function canonical(command: string): string {
  return command.trim().toLowerCase().split(/\s+/).join(' ');
}

const fixtureUp = new Map<string, boolean>();

/** Whether the platform's fixtures show the interface up (unknown interfaces count as up). */
function fixtureLinkUp(profile: DeviceProfile, key: string): boolean {
  const cacheKey = `${profile.platform} ${key}`;
  const hit = fixtureUp.get(cacheKey);
  if (hit !== undefined) return hit;
  let up = true;
  for (const spec of Object.values(profile.commands)) {
    if (typeof spec.output !== 'string' || !spec.counters) continue;
    for (const line of spec.output.split('\n')) {
      const h = parseHeader(line, profile.platform);
      if (h && interfaceKey(h.name) === key) up = h.up;
    }
  }
  fixtureUp.set(cacheKey, up);
  return up;
}
