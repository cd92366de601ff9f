/**
 * Polls `probe` until `ok` holds or the time is up, and returns the last value either way, so the
 * test's own expect() shows what was seen. Generous timeouts: CI machines are slow and shared.
 */
export async function waitFor<T>(probe: () => Promise<T> | T, ok: (value: T) => boolean, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, everyMs));
    last = await probe();
  }
  return last;
}
