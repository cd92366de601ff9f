/**
 * Pollers on top of membership: a poller announces itself (role `poller`; known and answered, never
 * a ring member), then its POLLER_WORKERS renew its lease and say what its workers can hold; the
 * poller service (poller-service.ts) assigns devices and sends POLLER_ASSIGN over the reliable
 * channel; POLLER_CONFIRM ends a handover; POLL_RESULT is stored (poll-results.ts) before it is
 * acknowledged. A timer expires leases.
 */
import type { Logger } from '../../common/logger';
import { makeMessage } from '../../protocol/message-types';
import type { GraphStore } from '../graph/graph-store';
import type { InboundRouter } from '../inbound-router';
import type { MembershipService } from '../membership-service/membership-service';
import { LeaseStore } from './lease-store';
import { tasksFromConfig, type PollersConfig } from './poller-config';
import { workerId } from './poller-book';
import { PollerService } from './poller-service';
import { storePollResult } from './poll-results';

export type LinkedPollers = { service: PollerService; counts(): Record<string, number>; stop(): void };

export async function linkPollers(options: {
  membership: Pick<MembershipService, 'send'>;
  router: InboundRouter;
  store: GraphStore;
  config: PollersConfig;
  log: Logger;
  now?: () => number;
}): Promise<LinkedPollers> {
  const { router, store, log } = options;
  const leases = new LeaseStore(store);
  const leaseMs = options.config.leaseSeconds * 1000;
  const service = new PollerService({
    send: (m) => options.membership.send(m.keyid, makeMessage('POLLER_ASSIGN', m.payload)),
    persist: (changes) => leases.persist(changes),
    now: options.now ?? Date.now,
    leaseMs,
    initial: await leases.load(),
    onSendError: (err, m) => log.warn({ poller: m.keyid, worker: m.payload.worker, err: (err as Error).message }, 'device assignment not delivered; sent again at the next renewal'),
  });
  await service.setInventory(tasksFromConfig(options.config));
  const pollers = ['poller'] as const;
  let unassigned = 0;
  router.register({ type: 'POLLER_WORKERS', how: 'reliable', from: 'known', roles: pollers, handle: (payload, sender) => service.workersReported(sender.keyid, sender.hostname, payload) });
  router.register({ type: 'POLLER_CONFIRM', how: 'reliable', from: 'known', roles: pollers, handle: (payload, sender) => service.confirmed(sender.keyid, payload) });
  router.register({
    type: 'POLL_RESULT',
    how: 'reliable',
    from: 'known',
    roles: pollers,
    handle: async (payload, sender) => {
      const worker = workerId(sender.keyid, payload.worker);
      // A worker speaks only for the devices it was given; anything else is acknowledged and dropped.
      if (!service.polls(payload.device, worker)) {
        unassigned += 1;
        log.warn({ poller: sender.hostname, worker, device: payload.device }, 'poll result for a device this worker was not given; dropped');
        return;
      }
      await storePollResult(store, worker, payload);
    },
  });
  // Often enough that a lease is seen out within a third of its length.
  const timer = setInterval(() => {
    service.tick().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'poller lease check failed; tried again'));
  }, Math.max(1_000, Math.floor(leaseMs / 3)));
  timer.unref();
  return { service, counts: () => ({ poll_results_unassigned: unassigned }), stop: () => clearInterval(timer) };
}
