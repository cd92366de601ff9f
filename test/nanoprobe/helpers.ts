/**
 * Shared by the nanoprobe integration tests: temporary state directories, nanoprobes started in this
 * process against a CmaTestPeer, and waiting for a condition (real sockets, so real time; generous
 * limits, never a fixed sleep that decides the outcome).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PayloadOf } from '../../protocol/message-types';
import type { NanoprobeConfigInput } from '../../nanoprobe/config';
import type { Nanoprobe } from '../../nanoprobe/daemon';
import { silentLogger } from '../../nanoprobe/logger';
import { startNanoprobe, type StartNanoprobeOptions } from '../../nanoprobe/start';
import type { AnnouncedHost, CmaTestPeer } from '../../nanoprobe/testing/cma-test-peer';

/** Heartbeats every 0.5 s; late after 2.5 s of silence, dead after 4 s: quick, but far above a busy machine's hiccups. */
export const TIMING = { heartbeatIntervalMs: 500, warnTimeMs: 2_500, deadTimeMs: 4_000 } as const;

export class Fleet {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-nanoprobe-test-'));
  readonly running: Nanoprobe[] = [];

  async start(cma: CmaTestPeer, hostname: string, config: Partial<NanoprobeConfigInput> = {}, extra: Omit<StartNanoprobeOptions, 'config'> = {}): Promise<Nanoprobe> {
    const np = await startNanoprobe({
      config: { stateDir: path.join(this.dir, hostname), hostname, cma: cma.cmaFlag, bind: { host: '127.0.0.1' }, ...config },
      logger: silentLogger,
      ...extra,
    });
    this.running.push(np);
    return np;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.running.splice(0).map((np) => np.stop({ leave: false })));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function config(version: number, partners: PayloadOf<'CONFIG'>['partners']): PayloadOf<'CONFIG'> {
  return { configVersion: version, ...TIMING, partners };
}

/** Makes `a` and `b` each other's only partner. */
export async function pair(cma: CmaTestPeer, a: AnnouncedHost, b: AnnouncedHost, version = 1): Promise<void> {
  await Promise.all([cma.send(a, 'CONFIG', config(version, [cma.partnerOf(b)])), cma.send(b, 'CONFIG', config(version, [cma.partnerOf(a)]))]);
}

/** Polls `check` every 50 ms until it returns something other than undefined/false. */
export async function eventually<T>(check: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
