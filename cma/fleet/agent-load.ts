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

  /** The agents slow as of their last word, by host name. */
  slowAgents(): Array<{ host: string; load: Load; at: number }> {
    return [...this.slow.values()].map((e) => ({ host: e.hostname, load: e.load, at: e.at })).sort((a, b) => a.host.localeCompare(b.host));
  }
}
