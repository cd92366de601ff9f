/** jest glue: root-only suites, and a lab per suite that is always torn down. */
import { Lab, type LabOptions } from './lab';
import { labReadiness } from './prerequisites';
import { destroyAllLabs } from './registry';
import type { LabTopology } from './topology';

/** Generous: building a lab and starting its lldpds takes seconds, more on a loaded machine. */
export const LAB_HOOK_TIMEOUT_MS = 60_000;

/**
 * `describe` for lab suites. As root with the binaries present: runs the suite, and destroys every lab
 * still alive afterwards (even if a test threw before its own cleanup). Not root: skips, except with
 * CI=true, where it fails with the reason. Root but binaries missing: fails with what to install.
 */
export function describeAsRoot(name: string, body: () => void): void {
  const readiness = labReadiness();
  if (readiness.ready) {
    describe(name, () => {
      body();
      afterAll(() => destroyAllLabs(), LAB_HOOK_TIMEOUT_MS);
    });
  } else if (readiness.mustFail) {
    describe(name, () => {
      it('can run lab tests on this machine', () => {
        throw new Error(readiness.reason);
      });
    });
  } else {
    describe.skip(`${name} (skipped: ${readiness.reason})`, body);
  }
}

/**
 * Builds a lab before the suite's tests and destroys it after them. Returns an accessor, since the lab
 * exists only once beforeAll has run.
 */
export function useLab(topology: LabTopology, options?: LabOptions): () => Lab {
  let lab: Lab | undefined;
  beforeAll(async () => {
    lab = await Lab.create(topology, options);
  }, LAB_HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await lab?.destroy();
  }, LAB_HOOK_TIMEOUT_MS);
  return () => {
    if (!lab) throw new Error('the lab was not built (see the beforeAll error above)');
    return lab;
  };
}
