/**
 * A poller worker process (started by the supervisor's worker pool with `--index <i> --config
 * <file>`): holds the SSH sessions of the devices assigned to worker `i` and reports over IPC.
 * It exits when its supervisor goes (the IPC channel closes).
 */
import { fromSupervisor } from './from-supervisor';
import { AssignedPool } from './assigned-pool';
import { loadWorkerConfig } from './worker-config';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  const index = Number(arg('--index'));
  const configFile = arg('--config');
  if (send === undefined || !Number.isInteger(index) || configFile === undefined) {
    process.stderr.write('worker-main runs only under the poller supervisor (--index <i> --config <file>, with IPC)\n');
    process.exit(2);
  }
  const pool = new AssignedPool(index, loadWorkerConfig(configFile), (report) => {
    if (process.connected) send(report, undefined, undefined, () => undefined); // a gone supervisor: nothing to tell
  });
  await pool.start();
  // Assignments are applied one after another: a stop and a start of one device never interleave.
  let queue = Promise.resolve();
  process.on('message', (raw: unknown) => {
    const assign = fromSupervisor(raw);
    if (assign === null) return;
    queue = queue.then(() => pool.apply(assign)).catch((err: unknown) => void process.stderr.write(`worker ${index}: ${String(err)}\n`));
  });
  process.on('disconnect', () => {
    void pool.stop().finally(() => process.exit(0));
  });
  send({ type: 'ready' }, undefined, undefined, (err) => {
    if (err) process.exit(0);
  });
}

void main().catch((err: unknown) => {
  process.stderr.write(`poller worker failed: ${String(err)}\n`);
  process.exit(1);
});
