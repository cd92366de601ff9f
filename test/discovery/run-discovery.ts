/** Runs one of the project's discovery scripts the way the nanoprobe does, for tests. */
import path from 'node:path';
import { createRequestRunner } from '../../nanoprobe/discovery/run-request';
import type { DiscoveryEnvelope } from '../../protocol/messages/discovery-envelope';

export const SCRIPTS_DIR = path.join(__dirname, '..', '..', 'discovery-scripts');

const runRequest = createRequestRunner({ directories: [SCRIPTS_DIR], defaults: { timeoutMs: 120_000 } });

/** Runs the script and returns its document; fails the test with the script's error otherwise. */
export async function discover(name: string, params?: Record<string, string>): Promise<DiscoveryEnvelope> {
  const result = await runRequest({ name, intervalMs: 0, ...(params ? { params } : {}) });
  if (!result.ok) throw new Error(`${name}: ${result.code}: ${result.message}\n${result.stderr.text}`);
  expect(result.document.discovertype).toBe(name);
  return result.document;
}
