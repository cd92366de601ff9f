/**
 * Which discovery scripts the CMA asks a host to run, how often and for how long: the requests sent
 * when a host joins, and the request used when a rule asks for a script again (a follow-up).
 *
 * The defaults below can be changed per script, switched off (`false`), or extended with scripts of
 * the operator's own, through `discoveryScheduleConfigSchema` (meant for the CMA configuration's
 * `discovery.requests` key).
 */
import { z } from 'zod';
import { formatIssues } from '../../common/zod-issues';
import type { PayloadOf } from '../../protocol/message-types';
import { discoveryRequestSchema } from '../../protocol/messages/discovery';
import { discoveryNameSchema } from '../../protocol/messages/discovery-envelope';

/** A DISCOVERY_REQUEST payload: `{name, repeatSeconds, timeoutSeconds, parameters}`. */
export type DiscoveryRequest = PayloadOf<'DISCOVERY_REQUEST'>;

type Timing = { repeatSeconds: number; timeoutSeconds: number };

/**
 * Repeat intervals follow how fast each kind of fact changes and what a run costs on the host:
 * sockets and processes change by the minute; packages and hardware by the day, and listing packages
 * (dpkg, rpm, pip, npm) is the heaviest run. Nothing is sent unless its content changed, so a short
 * interval costs the host a run, not the CMA a write.
 */
export const DEFAULT_DISCOVERY_TIMINGS: Readonly<Record<string, Timing>> = {
  os: { repeatSeconds: 3600, timeoutSeconds: 30 },
  cpu: { repeatSeconds: 3600, timeoutSeconds: 30 },
  memory: { repeatSeconds: 3600, timeoutSeconds: 30 },
  netconfig: { repeatSeconds: 300, timeoutSeconds: 30 },
  tcp: { repeatSeconds: 120, timeoutSeconds: 60 },
  processes: { repeatSeconds: 300, timeoutSeconds: 60 },
  packages: { repeatSeconds: 3600, timeoutSeconds: 300 },
  filesystems: { repeatSeconds: 900, timeoutSeconds: 30 },
  lldp: { repeatSeconds: 300, timeoutSeconds: 30 },
  arp: { repeatSeconds: 300, timeoutSeconds: 30 },
  sshd: { repeatSeconds: 3600, timeoutSeconds: 30 },
  systemd: { repeatSeconds: 600, timeoutSeconds: 60 },
};

/** What a follow-up of a script not in the schedule gets: run once, with the protocol's usual timeout. */
export const ONE_SHOT_TIMING: Timing = { repeatSeconds: 0, timeoutSeconds: 60 };

const overrideSchema = z
  .object({
    repeatSeconds: z.number().int().min(0).optional(),
    timeoutSeconds: z.number().int().min(1).optional(),
    parameters: z.record(z.string(), z.string()).optional(),
  })
  .strict();

/**
 * `discovery.requests` in the CMA configuration: per script name, `false` to never ask for it, or
 * fields replacing the default ones; a name without defaults adds a script of the operator's own
 * (then `repeatSeconds` and `timeoutSeconds` are required).
 */
export const discoveryScheduleConfigSchema = z.record(
  discoveryNameSchema,
  z.union([z.literal(false), overrideSchema]),
);

export type DiscoveryScheduleConfig = z.infer<typeof discoveryScheduleConfigSchema>;

export class DiscoverySchedule {
  private readonly requests = new Map<string, DiscoveryRequest>();
  private readonly disabled = new Set<string>();

  /** Throws an Error naming the script and field when a configured request is not a valid one. */
  constructor(config: DiscoveryScheduleConfig = {}) {
    const parsedConfig = discoveryScheduleConfigSchema.parse(config);
    for (const [name, timing] of Object.entries(DEFAULT_DISCOVERY_TIMINGS)) {
      this.requests.set(name, { name, ...timing, parameters: {} });
    }
    for (const [name, override] of Object.entries(parsedConfig)) {
      if (override === false) {
        this.requests.delete(name);
        this.disabled.add(name);
        continue;
      }
      const base = this.requests.get(name);
      const merged = {
        name,
        repeatSeconds: override.repeatSeconds ?? base?.repeatSeconds,
        timeoutSeconds: override.timeoutSeconds ?? base?.timeoutSeconds,
        parameters: override.parameters ?? base?.parameters ?? {},
      };
      const checked = discoveryRequestSchema.safeParse(merged);
      if (!checked.success) {
        const why = formatIssues(checked.error.issues, { root: 'request' });
        throw new Error(`discovery request "${name}": ${why}`);
      }
      this.requests.set(name, checked.data);
    }
  }

  /** The requests to send a host when it joins, in a stable order (defaults first, then the operator's). */
  initialRequests(): DiscoveryRequest[] {
    return [...this.requests.values()].map(copyRequest);
  }

  /**
   * The request to send when a rule wants `name` run again: the scheduled one (sending it again
   * replaces it on the nanoprobe, which runs it at once), or a one-shot run for a script outside the
   * schedule. Null when the operator switched the script off.
   */
  requestFor(name: string): DiscoveryRequest | null {
    if (this.disabled.has(name)) return null;
    const scheduled = this.requests.get(name);
    return scheduled ? copyRequest(scheduled) : { name, ...ONE_SHOT_TIMING, parameters: {} };
  }
}

function copyRequest(r: DiscoveryRequest): DiscoveryRequest {
  return { ...r, parameters: { ...r.parameters } };
}

/** The requests a joining host is sent under the default schedule (or one configured with `config`). */
export function initialDiscoveryRequests(config: DiscoveryScheduleConfig = {}): DiscoveryRequest[] {
  return new DiscoverySchedule(config).initialRequests();
}
