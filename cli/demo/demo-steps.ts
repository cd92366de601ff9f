/**
 * The demo is a list of steps, each printed as it starts and as it ends, each verified. With --once
 * the demo exits 0 only when every step was verified (CI runs it that way).
 */
export type DemoStep = { title: string; run: () => Promise<string> };

export type DemoOutcome = { ok: boolean; failed?: string };

export async function runSteps(steps: DemoStep[], print: (line: string) => void): Promise<DemoOutcome> {
  for (const [i, step] of steps.entries()) {
    const label = `[${i + 1}/${steps.length}] ${step.title}`;
    print(`${label} ...`);
    const started = Date.now();
    try {
      const detail = await step.run();
      print(`${label}: ok (${((Date.now() - started) / 1000).toFixed(1)} s) ${detail}`);
    } catch (err) {
      print(`${label}: FAILED: ${err instanceof Error ? err.message : String(err)}`);
      return { ok: false, failed: step.title };
    }
  }
  return { ok: true };
}

/** Polls `probe` until `ok` holds; fails naming `what` and the last value past `timeoutMs`. */
export async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last seen: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * GET /api/<route> of the CMA as a user would; an error answer (Neo4j busy: 503) reads as null, so a
 * step polling with `until` waits on instead of failing at once.
 */
export async function apiGet<T>(apiUrl: string, route: string): Promise<T | null> {
  const response = await fetch(`${apiUrl}/api/${route}`);
  return response.ok ? ((await response.json()) as T) : null;
}
