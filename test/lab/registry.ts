/**
 * The labs this process has created and not yet destroyed. jest's afterAll (installed by
 * `describeAsRoot`) destroys them all, so a test that throws before its own `destroy()` still cleans
 * up; if the process exits first, a synchronous best-effort teardown runs from the exit hook; and if
 * the process is SIGKILLed, the next run's sweep removes the leftovers.
 */

export interface TrackedLab {
  readonly id: string;
  destroy(): Promise<void>;
  /** Synchronous, best effort: for the exit hook, where promises no longer run. */
  destroySync(): void;
}

const live = new Set<TrackedLab>();
/** Installed while a lab is live, removed when none is: jest reuses worker processes across files. */
let uninstallHooks: (() => void) | undefined;

export function trackLab(lab: TrackedLab): void {
  live.add(lab);
  installExitHooks();
}

export function untrackLab(lab: TrackedLab): void {
  live.delete(lab);
  if (live.size === 0) uninstallHooks?.();
}

export function liveLabs(): TrackedLab[] {
  return [...live];
}

/** Destroys every live lab; reports all failures together rather than stopping at the first. */
export async function destroyAllLabs(): Promise<void> {
  const results = await Promise.allSettled(liveLabs().map((lab) => lab.destroy()));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} lab(s) failed to tear down`);
}

function destroyAllSync(): void {
  for (const lab of liveLabs()) {
    try {
      lab.destroySync();
    } catch {
      // Best effort: the next run's sweep finishes the job.
    }
    live.delete(lab);
  }
}

function installExitHooks(): void {
  if (uninstallHooks) return;
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const onSignal = (signal: NodeJS.Signals): void => {
    destroyAllSync();
    uninstallHooks?.();
    // Only re-raise when nobody else handles the signal; otherwise their handler decides.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.on('exit', destroyAllSync);
  for (const signal of signals) process.on(signal, onSignal);
  uninstallHooks = () => {
    process.removeListener('exit', destroyAllSync);
    for (const signal of signals) process.removeListener(signal, onSignal);
    uninstallHooks = undefined;
  };
}
