/** What a lab needs from the machine: root, and a handful of binaries. */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** iproute2, lldpd, util-linux (unshare) and procps (sysctl). */
export const LAB_BINARIES = ['ip', 'lldpd', 'lldpcli', 'unshare', 'sysctl'] as const;

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => {
    try {
      accessSync(path.join(dir || '.', binary), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function missingBinaries(): string[] {
  return LAB_BINARIES.filter((b) => !onPath(b));
}

export type LabReadiness = { ready: true } | { ready: false; reason: string; mustFail: boolean };

/**
 * Whether lab tests can run here. Not being root means "skip" on a workstation but "fail" in CI
 * (CI=true), where a lab test that silently skips would hide a broken pipeline. Missing binaries on
 * a root machine always fail: that is a setup error, not an unsupported environment.
 */
export function labReadiness(): LabReadiness {
  if (!isRoot()) {
    return {
      ready: false,
      reason: 'lab tests need root (they create network namespaces); run them as root',
      mustFail: process.env.CI === 'true',
    };
  }
  const missing = missingBinaries();
  if (missing.length > 0) {
    return {
      ready: false,
      reason:
        `lab tests need ${missing.join(', ')} on PATH (${process.env.PATH ?? ''}); ` +
        'on Debian: apt-get install iproute2 lldpd util-linux procps',
      mustFail: true,
    };
  }
  return { ready: true };
}

/** Throws the reason when the lab cannot run here. */
export function requireLab(): void {
  const readiness = labReadiness();
  if (!readiness.ready) throw new Error(readiness.reason);
}
