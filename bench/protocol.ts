/**
 * `npm run bench -- protocol [--messages N] [--sim-messages N] [--only direct|proxy] [--set option=value]…`
 * (`--set` passes transport options, e.g. `--set minRtoMs=5`, to explore the tunables.)
 *
 * The reliable transport over real loopback UDP sockets with the real security layer: directly, and
 * through the UDP fault proxy (in its own process) at 0%, 10% and 30% loss, plus 30% loss with 10%
 * duplication and reordering. Each run sends the same mix of messages (mostly small, some of tens or
 * hundreds of KiB, ten of 1 MiB per 10,000) with at most 64 messages outstanding, and checks every
 * delivery: exactly once, in order, byte-identical. Latency is from sendReliable() to delivery at the
 * receiver; CPU is this process (sender and receiver, not the proxy) per message.
 *
 * Then the comparison with the original project's design (window 2, head-of-line retransmit every
 * 2 s), both simulated on the same in-memory network, and the per-packet cost of the crypto.
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { secureGuard } from '../protocol/net/loopback-harness';
import type { ProxyProcessReply } from '../protocol/net/fault-proxy-process';
import type { FaultProxyStats } from '../protocol/net/fault-proxy';
import { openUdpSocket } from '../protocol/net/udp-socket';
import { generateIdentity } from '../protocol/security/identity';
import type { SocketAddress } from '../protocol/transport/datagram-socket';
import { Endpoint } from '../protocol/transport/endpoint';
import { resolveTransportOptions, type TransportOptionsInput } from '../protocol/transport/options';
import { payload } from '../protocol/transport/memory-harness';
import { measureGuard, measureOwnCrypto } from './protocol-crypto';
import { simulateComparison } from './protocol-simulation';

const MIB = 1024 * 1024;
const APP_WINDOW = 64;

type Faults = { loss: number; duplicate: number; reorder: number };

function mixedSize(i: number): number {
  if (i % 1000 === 999) return MIB;
  if (i % 100 === 50) return 65_536 + ((i * 7919) % 131_072);
  if (i % 10 === 5) return 2_000 + ((i * 104_729) % 14_000);
  return 4 + ((i * 2_654_435_761) % 1_100);
}

function log(line: string): void {
  process.stderr.write(`[bench protocol] ${line}\n`);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return Number((sorted[at] ?? 0).toFixed(3));
}

/** The fault proxy in a child process, so it does not compete for this event loop. */
async function startProxyProcess(target: SocketAddress, faults: Faults, seed: number): Promise<{ child: ChildProcess; address: SocketAddress; stats(): Promise<FaultProxyStats> }> {
  const script = path.join(__dirname, '..', 'protocol', 'net', 'fault-proxy-process.js');
  const child = fork(script, [JSON.stringify({ target, seed, ...faults, reorderDelayMs: 5 })], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const address = await new Promise<SocketAddress>((resolve, reject) => {
    child.once('message', (m: ProxyProcessReply) => (m.type === 'listening' ? resolve(m.address) : reject(new Error(`fault proxy: ${JSON.stringify(m)}`))));
    child.once('exit', (code) => reject(new Error(`fault proxy exited with ${code}`)));
  });
  return {
    child,
    address,
    stats: () =>
      new Promise((resolve) => {
        const onMessage = (m: ProxyProcessReply): void => {
          if (m.type !== 'stats') return;
          child.off('message', onMessage);
          resolve(m.stats);
        };
        child.on('message', onMessage);
        child.send({ type: 'stats' });
      }),
  };
}

async function runReal(label: string, messages: Uint8Array[], faults: Faults | undefined, seed: number, options: TransportOptionsInput): Promise<Record<string, unknown>> {
  const idA = generateIdentity();
  const idB = generateIdentity();
  const a = new Endpoint({ socket: await openUdpSocket({ host: '127.0.0.1' }), guard: secureGuard(idA, [idB]), options });
  const b = new Endpoint({ socket: await openUdpSocket({ host: '127.0.0.1' }), guard: secureGuard(idB, [idA]), autoAck: true, options });
  const proxy = faults === undefined ? undefined : await startProxyProcess(b.localAddress(), faults, seed);
  const target = proxy?.address ?? b.localAddress();
  const n = messages.length;
  const sentAt = new Float64Array(n);
  const latencies: number[] = [];
  const seen = new Uint8Array(n);
  let deliveries = 0;
  let distinct = 0;
  let outOfOrder = 0;
  let corrupted = 0;
  let nextExpected = 0;
  let allDelivered: () => void = () => undefined;
  const delivered = new Promise<void>((resolve) => (allDelivered = resolve));
  b.on('message', (m) => {
    const now = performance.now();
    deliveries++;
    const index = m.bytes.length >= 4 ? new DataView(m.bytes.buffer, m.bytes.byteOffset).getUint32(0) : -1;
    const expected = messages[index];
    if (expected === undefined || Buffer.compare(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength), Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength)) !== 0) {
      corrupted++;
      return;
    }
    if (index !== nextExpected) outOfOrder++;
    nextExpected = index + 1;
    if (seen[index] === 0) {
      seen[index] = 1;
      distinct++;
      latencies.push(now - (sentAt[index] ?? now));
    }
    if (distinct === n) allDelivered();
  });

  const bytes = messages.reduce((sum, m) => sum + m.length, 0);
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < n; i++) {
    sentAt[i] = performance.now();
    const sending = a.sendReliable(idB.keyId, target, messages[i]!).finally(() => inFlight.delete(sending));
    inFlight.add(sending);
    if (inFlight.size >= APP_WINDOW) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  await delivered;
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const proxyStats = proxy === undefined ? undefined : await proxy.stats();
  const ca = a.counters();
  const cb = b.counters();
  await Promise.all([a.close(), b.close()]);
  proxy?.child.kill();
  latencies.sort((x, y) => x - y);
  const result = {
    path: label,
    loss: faults?.loss ?? 0,
    duplicate: faults?.duplicate ?? 0,
    reorder: faults?.reorder ?? 0,
    messages: n,
    delivered: distinct,
    lost: n - distinct,
    duplicated: deliveries - distinct - corrupted,
    out_of_order: outOfOrder,
    corrupted,
    megabytes: Number((bytes / 1e6).toFixed(1)),
    seconds: Number(seconds.toFixed(2)),
    msgs_per_s: Math.round(n / seconds),
    mb_per_s: Number((bytes / 1e6 / seconds).toFixed(2)),
    p50_ms: percentile(latencies, 0.5),
    p99_ms: percentile(latencies, 0.99),
    cpu_us_per_msg: Math.round((cpu.user + cpu.system) / n),
    datagrams_sent: ca.sent_datagrams + cb.sent_datagrams,
    retransmitted: ca.retransmitted,
    retransmitted_fast: ca.retransmitted_fast,
    retransmitted_timeout: ca.retransmitted_timeout,
    receiver_duplicates_suppressed: cb.duplicates_suppressed,
    receiver_dropped_replay: cb.dropped_replay,
    give_ups: ca.give_ups,
    ...(proxyStats === undefined
      ? {}
      : {
          proxy_lost: proxyStats.toTarget.lost + proxyStats.toClient.lost,
          proxy_duplicated: proxyStats.toTarget.duplicated + proxyStats.toClient.duplicated,
          proxy_reordered: proxyStats.toTarget.reordered + proxyStats.toClient.reordered,
        }),
  };
  log(`${label} loss=${result.loss}: ${result.msgs_per_s} msg/s, ${result.mb_per_s} MB/s, p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, lost ${result.lost}, dup ${result.duplicated}`);
  return result;
}

/** The security helper's measurement when it exists (bench/crypto-primitives.ts), else our own. */
async function cryptoFigures(): Promise<{ source: string; figures: unknown }> {
  try {
    // Loaded by name at run time: the module belongs to the security layer and may not exist yet.
    const mod = require(path.join(__dirname, 'crypto-primitives')) as { measureCryptoPrimitives?: () => unknown };
    if (typeof mod.measureCryptoPrimitives === 'function') return { source: 'bench/crypto-primitives.ts', figures: await mod.measureCryptoPrimitives() };
  } catch {
    // Not written yet: fall through to our own measurement.
  }
  return { source: 'bench/protocol-crypto.ts (fallback)', figures: measureOwnCrypto() };
}

/** `--set name=value` pairs, validated by the transport's own option schema. */
function optionArgs(args: string[]): TransportOptionsInput {
  const out: Record<string, number> = {};
  args.forEach((arg, i) => {
    if (arg !== '--set') return;
    const [name, value] = (args[i + 1] ?? '').split('=');
    if (name === undefined || name === '' || value === undefined) throw new Error('--set needs option=value');
    out[name] = Number(value);
  });
  resolveTransportOptions(out);
  return out;
}

function numberArg(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a positive integer`);
  return value;
}

export async function main(args: string[]): Promise<Record<string, unknown>> {
  const n = numberArg(args, '--messages', 10_000);
  const simMessages = numberArg(args, '--sim-messages', 2_000);
  const options = optionArgs(args);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const loadAverage = os.loadavg().map((l) => Number(l.toFixed(2)));
  log(`preparing ${n} messages (load average ${loadAverage.join(' ')})`);
  const messages = Array.from({ length: n }, (_, i) => payload(i, mixedSize(i)));
  // Warm-up (discarded): the first run otherwise pays for JIT compilation and looks slowest.
  await runReal('warm-up', messages.slice(0, Math.min(n, 2000)), undefined, 1, options);
  const runs: Record<string, unknown>[] = [];
  if (only !== 'proxy') runs.push(await runReal('direct', messages, undefined, 1, options));
  if (only !== 'direct') {
    for (const loss of [0, 0.1, 0.3]) runs.push(await runReal('fault-proxy', messages, { loss, duplicate: 0, reorder: 0 }, 11, options));
    runs.push(await runReal('fault-proxy', messages, { loss: 0.3, duplicate: 0.1, reorder: 0.1 }, 12, options));
  }

  log(`simulating ours vs the original design (${simMessages} messages per loss rate)`);
  const simulated = simulateComparison({ losses: [0, 0.1, 0.3], messages: simMessages, messageBytes: 1000, oneWayDelayMs: 0.25, seed: 5 });
  for (const r of simulated.runs) log(`simulated loss=${r.loss}: ours ${r.ours_msgs_per_s} msg/s, original design ${r.legacy_msgs_per_s} msg/s`);

  log('measuring crypto primitives');
  const crypto = await cryptoFigures();
  return {
    bench: 'protocol',
    node: process.version,
    messages: n,
    app_window: APP_WINDOW,
    transport_options: options,
    load_average_at_start: loadAverage,
    mix: 'per 10,000: 9,000 of 4-1,103 B, 900 of 2-16 KB, 90 of 64-192 KiB, 10 of 1 MiB; every 3rd compressible',
    runs,
    vs_original_design: simulated,
    crypto_source: crypto.source,
    crypto_us: crypto.figures,
    guard_us: measureGuard(),
  };
}
