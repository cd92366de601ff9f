/**
 * The nanoprobe's identity: its key pair, kept in the state directory (the only thing it keeps across
 * restarts), and what it knows in advance about the CMA's keys. A new session id is chosen at every
 * start (the packet guard's LocalSession), so the CMA and partners recognise a restart.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadOrCreateIdentity, resolveCmaPublicKey, KEY_DIRECTORY_MODE } from '../protocol/security/key-files';
import type { Identity, PublicKeys } from '../protocol/security/identity';

export const IDENTITY_FILE_NAME = 'identity.json';

export type NanoprobeIdentity = { identity: Identity; created: boolean; file: string };

/**
 * Loads the key from `<stateDir>/identity.json`, creating the directory (0700) and the key on first
 * run. A state directory that others can read is tightened to 0700: it holds a private key.
 */
export function loadNanoprobeIdentity(stateDir: string, onRepair?: (what: string) => void): NanoprobeIdentity {
  const dir = path.resolve(stateDir);
  mkdirSync(dir, { recursive: true, mode: KEY_DIRECTORY_MODE });
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    chmodSync(dir, KEY_DIRECTORY_MODE);
    onRepair?.(`state directory ${dir} had mode 0${mode.toString(8)}; set to 0700`);
  }
  const file = path.join(dir, IDENTITY_FILE_NAME);
  const loaded = loadOrCreateIdentity(file, {
    repairMode: true,
    onRepair: (f, oldMode) => onRepair?.(`identity file ${f} had mode 0${oldMode.toString(8)}; set to 0600`),
  });
  return { identity: loaded.identity, created: loaded.created, file };
}

/** The CMA's keys when the operator gave them (file and/or UNIMATRIX_CMA_PUBKEY); else undefined (TOFU). */
export function configuredCmaKeys(file: string | undefined, env: NodeJS.ProcessEnv = process.env): PublicKeys | undefined {
  return resolveCmaPublicKey(file === undefined ? { env } : { env, file });
}
