/**
 * The nanoprobe's spawner helper: a small process of its own that starts every program the nanoprobe
 * runs (child-runner.ts) and sends back what happened.
 *
 * Why a separate process: starting a program blocks the process that starts it until the program has
 * been forked and exec'd, and on a busy machine that took up to 0.8 s per script (CPU profiles of
 * `npm run bench -- discovery-load`). In the nanoprobe itself that is 0.8 s in which no heartbeat goes
 * out and no partner's is heard. Here it only delays the next script.
 *
 * When the nanoprobe goes (its IPC channel closes), whatever is still running is killed with it.
 */
import { runChild } from './child-runner';
import { asRunRequest, type ReadyMessage, type RunOutcomeMessage } from './spawner-wire';

function main(): void {
  const send = process.send?.bind(process);
  if (send === undefined) {
    process.stderr.write('spawner-main runs only as the nanoprobe\'s helper (with an IPC channel)\n');
    process.exit(2);
  }
  const running = new Set<number>();
  process.on('message', (raw: unknown) => {
    const request = asRunRequest(raw);
    if (request === null) return; // not ours to answer; the nanoprobe never sends such a thing
    let pid: number | undefined;
    void runChild({
      ...request.options,
      onStarted: (p) => {
        pid = p;
        running.add(p);
      },
    }).then((outcome) => {
      if (pid !== undefined) running.delete(pid);
      const message: RunOutcomeMessage = { type: 'outcome', id: request.id, outcome };
      // The nanoprobe may be gone by now (EPIPE): nothing to tell, and no reason to crash over it.
      if (process.connected) send(message, undefined, undefined, () => undefined);
    });
  });
  process.on('disconnect', () => {
    for (const pid of running) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // that group is already gone
      }
    }
    process.exit(0);
  });
  const ready: ReadyMessage = { type: 'ready', pid: process.pid };
  // A nanoprobe stopped right after starting us has closed the channel already: just leave.
  send(ready, undefined, undefined, (err) => {
    if (err) process.exit(0);
  });
}

main();
