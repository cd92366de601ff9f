import type { PayloadOf } from '../../protocol/message-types';
import type { InboundRouter } from '../inbound-router';
import type { HostStore } from './host-store';

type Load = PayloadOf<'AGENT_LOAD'>;

/**
 * Agents that say they are slow (AGENT_LOAD: their event loop late, the heartbeats they hear late):
 * kept on the host's graph record (`/api/hosts/<name>` shows it) and in memory for the metrics, until
 * the agent says it is well again. A slow host's heartbeats go out late, so this is what to look at
 * when its partners call it late while it answers the CMA.
 */
export class AgentLoadBook {
  private readonly slow = new Map<string, { hostname: string; load: Load; at: number }>();

  constructor(
    private readonly hosts: Pick<HostStore, 'setLoad'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** AGENT_LOAD from nanoprobes; acknowledged once the host record holds it. */
  register(router: InboundRouter): void {
    router.register({
      type: 'AGENT_LOAD',
      how: 'reliable',
      from: 'known',
      roles: ['nanoprobe'],
      handle: async (load, sender) => {
        const at = this.now();
        await this.hosts.setLoad(sender.keyid, load, at);
        if (load.slow) this.slow.set(sender.keyid, { hostname: sender.hostname, load, at });
        else this.slow.delete(sender.keyid);
      },
    });
  }

  /**
   * How much longer the death judge may wait for this host before confirming its death (ms): twice the
   * worse of its event-loop delay p99 and the heartbeat lateness p99 it reported (its answer to a probe
   * waits for its loop, and a p99 is no maximum), if its last word was "slow" and is recent — within two
   * of its windows: a slow agent repeats itself every window, so an older word is stale (it may have died
   * slow). 0 otherwise. The judge caps it (timing.slowGraceMaxMs), so a dead slow host is still declared.
   */
  graceFor(keyid: string): number {
    const entry = this.slow.get(keyid);
    if (entry === undefined || this.now() - entry.at > 2 * entry.load.windowMs) return 0;
    return 2 * Math.max(entry.load.eventLoopDelayP99Ms, entry.load.heartbeatLatenessP99Ms);
  }

  /** The agents slow as of their last word, by host name. */
  slowAgents(): Array<{ host: string; load: Load; at: number }> {
    return [...this.slow.values()].map((e) => ({ host: e.hostname, load: e.load, at: e.at })).sort((a, b) => a.host.localeCompare(b.host));
  }
}
