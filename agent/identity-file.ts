/**
 * An agent's identity (nanoprobe or poller): its key pair in its state directory, the only thing it
 * keeps across restarts, so a restarted agent is the same one to the CMA. A new session id is chosen
 * at every start (the packet guard's LocalSession), so the CMA and partners recognise a restart.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadOrCreateIdentity, KEY_DIRECTORY_MODE } from '../protocol/security/key-files';
import type { Identity } from '../protocol/security/identity';

export const IDENTITY_FILE_NAME = 'identity.json';

export type AgentIdentity = { identity: Identity; created: boolean; file: string };

/**
 * Loads the key from `<stateDir>/identity.json`, creating the directory (0700) and the key on first
 * run. A state directory that others can read is tightened to 0700: it holds a private key.
 */
export function loadAgentIdentity(stateDir: string, onRepair?: (what: string) => void): AgentIdentity {
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
