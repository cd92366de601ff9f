/**
 * For tests that need root (network namespaces, files owned by another user): they run as root; a
 * run without root skips them with the reason — except in CI (CI=true), where a missing prerequisite
 * fails, never skips, so a CI machine that lost root cannot pass by running less.
 */
export function rootReadiness(extra: () => string | null = () => null): { ready: boolean; reason: string } {
  if (process.getuid?.() !== 0) return { ready: false, reason: 'needs root' };
  const missing = extra();
  return missing === null ? { ready: true, reason: '' } : { ready: false, reason: missing };
}

export function describeNeedingRoot(name: string, body: () => void, extra?: () => string | null): void {
  const readiness = rootReadiness(extra);
  if (readiness.ready) return describe(name, body);
  if (process.env.CI === 'true') {
    return describe(name, () => {
      it('can run on this machine', () => {
        throw new Error(`CI=true but ${readiness.reason}`);
      });
    });
  }
  describe.skip(`${name} (skipped: ${readiness.reason})`, body);
}

export function testNeedingRoot(name: string, fn: jest.ProvidesCallback, timeoutMs?: number): void {
  const readiness = rootReadiness();
  if (readiness.ready) return test(name, fn, timeoutMs);
  if (process.env.CI === 'true') {
    return test(name, () => {
      throw new Error(`CI=true but ${readiness.reason}`);
    });
  }
  test.skip(`${name} (skipped: ${readiness.reason})`, fn);
}
