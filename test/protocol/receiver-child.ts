/**
 * A receiver in its own process, for tests that kill it. Configured by the UNIMATRIX_TEST_RECEIVER
 * environment variable (JSON: its identity secrets, the sender's public keys, the port to bind, and
 * whether to acknowledge). Reports on stdout, one JSON object per line:
 *   {"event":"ready","session":"<hex>"}  once bound
 *   {"event":"message","index":n,"sha":"<hex>","size":n}  per delivered message
 * In "hold" mode it never acknowledges (a receiver that crashes before committing); in "commit" mode
 * it acknowledges each message once it has written the line above (its "commit").
 */
import { createHash } from 'node:crypto';
import { secureGuard } from '../../protocol/net/loopback-harness';
import { openUdpSocket } from '../../protocol/net/udp-socket';
import { identityFromSecrets, keyIdOf } from '../../protocol/security/identity';
import { Endpoint } from '../../protocol/transport/endpoint';

type Config = {
  ed25519Seed: string;
  x25519Secret: string;
  /** The sender's public keys, hex. */
  peer: { ed25519: string; x25519: string };
  port: number;
  mode: 'hold' | 'commit';
};

async function main(): Promise<void> {
  const config = JSON.parse(process.env.UNIMATRIX_TEST_RECEIVER ?? '') as Config;
  const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
  const self = identityFromSecrets(fromHex(config.ed25519Seed), fromHex(config.x25519Secret));
  const socket = await openUdpSocket({ host: '127.0.0.1', port: config.port });
  const guard = secureGuard(self, []);
  const peerKeys = { ed25519: fromHex(config.peer.ed25519), x25519: fromHex(config.peer.x25519) };
  guard.learnPeer(keyIdOf(peerKeys.ed25519), peerKeys);
  const endpoint = new Endpoint({ socket, guard });
  const say = (o: Record<string, unknown>): void => {
    process.stdout.write(`${JSON.stringify(o)}\n`);
  };
  endpoint.on('message', (m) => {
    if (!m.reliable) return;
    const index = m.bytes.length >= 4 ? new DataView(m.bytes.buffer, m.bytes.byteOffset).getUint32(0) : -1;
    say({ event: 'message', index, sha: createHash('sha256').update(m.bytes).digest('hex'), size: m.bytes.length });
    if (config.mode === 'commit') m.ack();
  });
  say({ event: 'ready', session: guard.sessionId.toString(16) });
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

main().catch((err: unknown) => {
  process.stderr.write(`receiver-child failed: ${String(err)}\n`);
  process.exit(1);
});
