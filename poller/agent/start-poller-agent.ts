/**
 * Opens what a poller agent needs: its identity (`<stateDir>/identity.json`, created on first run,
 * so a restarted poller is the same poller and gets its devices back), a UDP socket, the packet
 * guard and the reliable endpoint, aimed at the CMA's unicast address.
 */
import { openUdpSocket } from '../../protocol/net/udp-socket';
import type { PublicKeys } from '../../protocol/security/identity';
import { SecurePacketGuard } from '../../protocol/security/packet-guard';
import { LocalSession } from '../../protocol/security/session';
import { SystemClock } from '../../protocol/transport/clock';
import { Endpoint } from '../../protocol/transport/endpoint';
import { projectPackage } from '../../common/project-package';
import type { Logger } from '../../common/logger';
import { loadAgentIdentity } from '../../agent/identity-file';
import { PollerAgent, type PollerAgentDeps } from './poller-agent';

export type StartPollerAgentOptions = {
  cma: { host: string; port: number };
  /** Where to bind (default 127.0.0.1, an ephemeral port). */
  bind?: { host: string; port: number };
  stateDir: string;
  hostname: string;
  cmaKeys?: PublicKeys;
  log: Logger;
} & Pick<PollerAgentDeps, 'workers' | 'onAssign' | 'renewEveryMs' | 'onJoined'>;

export type RunningPollerAgent = { agent: PollerAgent; keyId: string; close(): Promise<void> };

export async function startPollerAgent(options: StartPollerAgentOptions): Promise<RunningPollerAgent> {
  const { identity } = loadAgentIdentity(options.stateDir, (what) => options.log.warn(what));
  const socket = await openUdpSocket({ host: options.bind?.host ?? '127.0.0.1', port: options.bind?.port ?? 0, type: 'udp4' });
  const guard = new SecurePacketGuard({ identity, session: new LocalSession() });
  const clock = new SystemClock();
  const endpoint = new Endpoint({ socket, guard, clock, options: {} });
  const agent = new PollerAgent({
    endpoint,
    guard,
    identity,
    bootstrap: { kind: 'unicast', address: { host: options.cma.host, port: options.cma.port } },
    cmaKeys: options.cmaKeys,
    hostname: options.hostname,
    softwareVersion: projectPackage().version.slice(0, 64),
    workers: options.workers,
    onAssign: options.onAssign,
    ...(options.onJoined === undefined ? {} : { onJoined: options.onJoined }),
    renewEveryMs: options.renewEveryMs,
    clock,
    log: options.log,
  });
  agent.start();
  return {
    agent,
    keyId: identity.keyId,
    async close() {
      await agent.stop();
      await endpoint.close();
    },
  };
}
