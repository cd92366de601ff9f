/**
 * Receivers in real child processes, killed with SIGKILL, talking to a sender in this process over
 * real loopback UDP with the real security layer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { secureGuard } from '../../protocol/net/loopback-harness';
import { openUdpSocket } from '../../protocol/net/udp-socket';
import { generateIdentity, type Identity } from '../../protocol/security/identity';
import { Endpoint, type PeerRestartedEvent } from '../../protocol/transport/endpoint';
import { payload } from '../../protocol/transport/memory-harness';

type ChildEvent = { event: 'ready'; session: string } | { event: 'message'; index: number; sha: string; size: number };

type Receiver = { child: ChildProcess; events: ChildEvent[]; waitFor(pred: (e: ChildEvent[]) => boolean, timeoutMs?: number): Promise<void> };

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function startReceiver(self: Identity, sender: Identity, port: number, mode: 'hold' | 'commit'): Promise<Receiver> {
  const config = {
    ed25519Seed: hex(self.ed25519Seed),
    x25519Secret: hex(self.x25519Secret),
    peer: { ed25519: hex(sender.publicKeys.ed25519), x25519: hex(sender.publicKeys.x25519) },
    port,
    mode,
  };
  const child = spawn(process.execPath, ['-r', path.join(__dirname, 'ts-require-hook.js'), path.join(__dirname, 'receiver-child.ts')], {
    env: { ...process.env, UNIMATRIX_TEST_RECEIVER: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const events: ChildEvent[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    events.push(JSON.parse(line) as ChildEvent);
    for (const w of waiters) w();
  });
  const receiver: Receiver = {
    child,
    events,
    waitFor(pred, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!pred(events)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`receiver did not report in time; saw ${JSON.stringify(events.slice(-3))}`));
        }, timeoutMs);
        waiters.add(check);
        child.once('exit', (code, signal) => {
          if (!pred(events)) reject(new Error(`receiver exited (${code ?? signal}) before reporting`));
        });
        check();
      });
    },
  };
  return receiver.waitFor((e) => e.some((x) => x.event === 'ready')).then(() => receiver);
}

function kill(r: Receiver): Promise<void> {
  return new Promise((resolve) => {
    if (r.child.exitCode !== null || r.child.signalCode !== null) return resolve();
    r.child.once('exit', () => resolve());
    r.child.kill('SIGKILL');
  });
}

async function freePort(): Promise<number> {
  const s = await openUdpSocket({ host: '127.0.0.1' });
  const { port } = s.localAddress();
  await s.close();
  return port;
}

const messages = (es: ChildEvent[]): Extract<ChildEvent, { event: 'message' }>[] =>
  es.filter((e): e is Extract<ChildEvent, { event: 'message' }> => e.event === 'message');

describe('receivers in child processes killed with SIGKILL', () => {
  const receivers: Receiver[] = [];
  let sender: Endpoint | undefined;
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map(kill));
    await sender?.close();
    sender = undefined;
  });

  async function setup(): Promise<{ senderId: Identity; receiverId: Identity; port: number; restarted: PeerRestartedEvent[] }> {
    const senderId = generateIdentity();
    const receiverId = generateIdentity();
    const port = await freePort();
    // Short timer cap so the probes that discover the restarted receiver come quickly, and enough
    // patience for a child process to start on a loaded machine.
    sender = new Endpoint({ socket: await openUdpSocket({ host: '127.0.0.1' }), guard: secureGuard(senderId, [receiverId]), options: { maxRtoMs: 500, giveUpAfterTries: 1000, giveUpAfterMs: 120_000 } });
    const restarted: PeerRestartedEvent[] = [];
    sender.on('peerRestarted', (e) => restarted.push(e));
    return { senderId, receiverId, port, restarted };
  }

  it('a receiver killed before committing gets the message again, by retransmission, after it restarts', async () => {
    const { senderId, receiverId, port, restarted } = await setup();
    const first = await startReceiver(receiverId, senderId, port, 'hold');
    receivers.push(first);
    const message = payload(7, 50_000);
    let acknowledged = false;
    const sending = sender!.sendReliable(receiverId.keyId, { host: '127.0.0.1', port }, message).then(() => (acknowledged = true));
    await first.waitFor((e) => messages(e).length === 1);
    expect(messages(first.events)[0]?.sha).toBe(sha(message));
    await kill(first);
    expect(acknowledged).toBe(false);

    const second = await startReceiver(receiverId, senderId, port, 'commit');
    receivers.push(second);
    await sending;
    expect(acknowledged).toBe(true);
    // The acknowledgement (UDP) can overtake the child's stdout line (a pipe): wait for the line.
    await second.waitFor((e) => messages(e).length >= 1);
    expect(messages(second.events).map((m) => m.sha)).toEqual([sha(message)]);
    expect(restarted).toHaveLength(1);
    expect(restarted[0]?.newSession.toString(16)).toBe((second.events[0] as { session: string }).session);
    expect(sender!.counters().give_ups).toBe(0);
  }, 120_000);

  it('notices a receiver restarted mid-stream; nothing sent to the new session is lost', async () => {
    const { senderId, receiverId, port, restarted } = await setup();
    const first = await startReceiver(receiverId, senderId, port, 'commit');
    receivers.push(first);
    const address = { host: '127.0.0.1', port };
    const total = 400;
    const sent = Array.from({ length: total }, (_, i) => payload(i, 4 + ((i * 7919) % 6000)));
    const before = sent.slice(0, 200).map((m) => sender!.sendReliable(receiverId.keyId, address, m));
    await first.waitFor((e) => messages(e).length >= 50);
    await kill(first);
    const second = await startReceiver(receiverId, senderId, port, 'commit');
    receivers.push(second);
    const after = sent.slice(200).map((m) => sender!.sendReliable(receiverId.keyId, address, m));
    await Promise.all([...before, ...after]);
    expect(restarted).toHaveLength(1);
    // The last acknowledgements (UDP) can overtake the child's stdout lines (a pipe); delivery is in
    // order, so once the last message is reported every earlier one has been too.
    await second.waitFor((e) => messages(e).some((m) => m.index === total - 1));
    const got = messages(second.events);
    const fresh = got.filter((m) => m.index >= 200);
    // Everything sent after the restart: exactly once, in order, byte-identical.
    expect(fresh.map((m) => m.index)).toEqual([...Array(200).keys()].map((i) => i + 200));
    for (const m of got) expect(m.sha).toBe(sha(sent[m.index]!));
    // Everything sent before it reached one incarnation or the other (the old one may have seen
    // some that the new one sees again: it died before its acknowledgement got out).
    const seen = new Set([...messages(first.events), ...got].map((m) => m.index));
    for (let i = 0; i < 200; i++) expect(seen.has(i)).toBe(true);
  }, 120_000);
});
