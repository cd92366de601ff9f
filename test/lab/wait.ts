/** Polling until a condition holds, for state that lives outside the test process (lldpd, the kernel). */

/** Thrown by a probe to end the wait at once: waiting longer cannot help (the daemon died). */
export class StopWaiting extends Error {
  override name = 'StopWaiting';
  constructor(readonly reason: Error) {
    super(reason.message);
  }
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Calls `probe` until it returns something other than undefined, and returns that. On timeout the
 * error names `what` and the last thing the probe threw, so a failing lab test explains itself.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, options: WaitOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      if (err instanceof StopWaiting) throw err.reason;
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError === undefined ? '' : `; last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new Error(`timed out after ${options.timeoutMs ?? 20_000} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
  }
}
