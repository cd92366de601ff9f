/**
 * Runs a FaultProxy in its own process (started with child_process.fork), so a benchmark's proxy does
 * not share an event loop with the endpoints it measures. Options come as JSON in argv[2]; over the
 * IPC channel it sends {type:'listening', address} once bound and answers {type:'stats'} requests
 * with {type:'stats', stats}. It exits when its parent disconnects.
 */
import { FaultProxy, type FaultProxyStats } from './fault-proxy';

export type ProxyProcessRequest = { type: 'stats' } | { type: 'close' };
export type ProxyProcessReply =
  | { type: 'listening'; address: { host: string; port: number } }
  | { type: 'stats'; stats: FaultProxyStats }
  | { type: 'error'; message: string };

async function main(): Promise<void> {
  const send = (m: ProxyProcessReply): void => {
    process.send?.(m);
  };
  let proxy: FaultProxy;
  try {
    proxy = await FaultProxy.start(JSON.parse(process.argv[2] ?? '{}') as never);
  } catch (err) {
    send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }
  process.on('message', (m: ProxyProcessRequest) => {
    if (m.type === 'stats') send({ type: 'stats', stats: proxy.stats() });
    if (m.type === 'close') void proxy.close().then(() => process.exit(0));
  });
  process.on('disconnect', () => void proxy.close().then(() => process.exit(0)));
  send({ type: 'listening', address: proxy.address() });
}

if (require.main === module) void main();
