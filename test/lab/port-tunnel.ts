/**
 * Loopback tunnels between the machine and a lab namespace. A namespace cannot reach the machine's
 * 127.0.0.1 (a CMA in the lab still needs the test's Neo4j) and the test cannot reach a namespace's
 * 127.0.0.1 (the CMA's REST API). But the file system is shared: two small relays, one on each side,
 * meet at a Unix socket in the lab directory. Only loopback ends are ever opened.
 */
import path from 'node:path';
import type { NodeRunner } from './lab-nodes';

/** argv: <listen> <connect>, each "tcp:<port>" (on 127.0.0.1; 0 = any free port) or "unix:<path>". */
const RELAY = `
const net = require('node:net');
const [listenSpec, connectSpec] = process.argv.slice(1);
const parse = (s) => (s.startsWith('unix:') ? { path: s.slice(5) } : { host: '127.0.0.1', port: Number(s.slice(4)) });
// Half-open on both sides, so a client's FIN after its request does not cut off the answer.
const server = net.createServer({ allowHalfOpen: true }, (inbound) => {
  const outbound = net.connect({ ...parse(connectSpec), allowHalfOpen: true });
  inbound.pipe(outbound).pipe(inbound);
  const close = () => { inbound.destroy(); outbound.destroy(); };
  for (const s of [inbound, outbound]) { s.on('error', close); s.on('close', close); }
});
server.listen(parse(listenSpec), () => {
  const a = server.address();
  console.log('listening ' + (typeof a === 'string' ? a : a.port));
});
`;

async function relay(runner: NodeRunner, node: string | null, listen: string, connect: string): Promise<string> {
  const child = runner.spawn(node, process.execPath, ['-e', RELAY, listen, connect], {
    label: `relay ${listen} -> ${connect} in ${node ?? 'the machine'}`,
    hostname: false,
  });
  const line = await child.waitForOutput(/listening (\S+)/, 15_000);
  return line.slice('listening '.length);
}

/** Makes the machine's 127.0.0.1:`port` reachable as 127.0.0.1:`port` inside `into`. */
export async function forwardLoopbackPort(runner: NodeRunner, dir: string, into: string, port: number): Promise<void> {
  const socket = path.join(dir, `fwd-${into}-${port}.sock`);
  await relay(runner, null, `unix:${socket}`, `tcp:${port}`);
  await relay(runner, into, `tcp:${port}`, `unix:${socket}`);
}

/** Makes 127.0.0.1:`port` inside `from` reachable from the machine; resolves with the local port. */
export async function exposeLoopbackPort(runner: NodeRunner, dir: string, from: string, port: number): Promise<number> {
  const socket = path.join(dir, `exp-${from}-${port}.sock`);
  await relay(runner, from, `unix:${socket}`, `tcp:${port}`);
  return Number(await relay(runner, null, 'tcp:0', `unix:${socket}`));
}
