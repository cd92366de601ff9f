/**
 * Our transport and the original project's design (bench/protocol-legacy.ts) on the same simulated
 * network: in-memory, fake clock, the same one-way delay and loss both ways, no cryptography on
 * either side. Throughput is messages per second of simulated time, so the comparison does not
 * depend on this machine's CPU.
 */
import { FakeClock } from '../protocol/transport/fake-clock';
import { memoryPair, payload } from '../protocol/transport/memory-harness';
import { MemoryNetwork } from '../protocol/transport/memory-network';
import { LegacyReceiver, LegacySender, LEGACY_RETRANSMIT_MS, LEGACY_WINDOW } from './protocol-legacy';

export type SimulatedRun = {
  loss: number;
  messages: number;
  ours_msgs_per_s: number;
  ours_retransmitted: number;
  legacy_msgs_per_s: number;
  legacy_retransmitted: number;
  speedup: number;
};

const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

export function simulateOurs(loss: number, messages: Uint8Array[], oneWayDelayMs: number, seed: number): { seconds: number; retransmitted: number } {
  const p = memoryPair({ seed, faults: { loss, delayMs: oneWayDelayMs }, replayFilter: true });
  for (const m of messages) void p.a.sendReliable(p.guardB.keyId, { host: '10.0.0.2', port: 2000 }, m).catch(() => undefined);
  const done = p.clock.runUntil(() => p.a.counters().reliable_messages_acknowledged === messages.length, 1e9);
  if (!done) throw new Error(`simulation of our transport did not finish at loss ${loss}`);
  if (p.b.counters().reliable_messages_delivered !== messages.length) throw new Error('simulation: delivery count mismatch');
  return { seconds: p.clock.now() / 1000, retransmitted: p.a.counters().retransmitted };
}

export function simulateLegacy(loss: number, messages: Uint8Array[], oneWayDelayMs: number, seed: number): { seconds: number; retransmitted: number } {
  const clock = new FakeClock();
  const network = new MemoryNetwork(clock, { seed, faults: { loss, delayMs: oneWayDelayMs } });
  const senderSocket = network.bind('10.0.0.1', 1000);
  const receiverSocket = network.bind('10.0.0.2', 2000);
  const receiver = new LegacyReceiver(receiverSocket);
  const sender = new LegacySender(clock, senderSocket, receiverSocket.localAddress(), messages);
  sender.start();
  const done = clock.runUntil(() => sender.acknowledged === messages.length, 1e10);
  if (!done || receiver.delivered.length !== messages.length) throw new Error(`legacy simulation did not finish at loss ${loss}`);
  return { seconds: clock.now() / 1000, retransmitted: sender.retransmissions };
}

export function simulateComparison(options: { losses: number[]; messages: number; messageBytes: number; oneWayDelayMs: number; seed: number }): {
  model: Record<string, unknown>;
  runs: SimulatedRun[];
} {
  const messages = Array.from({ length: options.messages }, (_, i) => payload(i * 3 + 1, options.messageBytes));
  const runs = options.losses.map((loss) => {
    const ours = simulateOurs(loss, messages, options.oneWayDelayMs, options.seed);
    const legacy = simulateLegacy(loss, messages, options.oneWayDelayMs, options.seed);
    const oursRate = options.messages / ours.seconds;
    const legacyRate = options.messages / legacy.seconds;
    return {
      loss,
      messages: options.messages,
      ours_msgs_per_s: round(oursRate),
      ours_retransmitted: ours.retransmitted,
      legacy_msgs_per_s: round(legacyRate, 2),
      legacy_retransmitted: legacy.retransmitted,
      speedup: round(oursRate / legacyRate),
    };
  });
  return {
    model: {
      network: 'in-memory, fake clock, loss applied independently to every datagram in both directions',
      one_way_delay_ms: options.oneWayDelayMs,
      message_bytes: options.messageBytes,
      legacy: `window ${LEGACY_WINDOW}, cumulative ACK, head-of-line retransmit every ${LEGACY_RETRANSMIT_MS} ms`,
      ours: 'window 64, SACK, fast retransmit, RTO from measured RTT (min 20 ms), default options',
    },
    runs,
  };
}
