/**
 * The nanoprobe's identity (agent/identity-file.ts: its key pair in the state directory) and what it
 * knows in advance about the CMA's keys.
 */
import { resolveCmaPublicKey } from '../protocol/security/key-files';
import type { PublicKeys } from '../protocol/security/identity';
import { IDENTITY_FILE_NAME, loadAgentIdentity, type AgentIdentity } from '../agent/identity-file';

export { IDENTITY_FILE_NAME };
export type NanoprobeIdentity = AgentIdentity;
export const loadNanoprobeIdentity = loadAgentIdentity;

/** The CMA's keys when the operator gave them (file and/or UNIMATRIX_CMA_PUBKEY); else undefined (TOFU). */
export function configuredCmaKeys(file: string | undefined, env: NodeJS.ProcessEnv = process.env): PublicKeys | undefined {
  return resolveCmaPublicKey(file === undefined ? { env } : { env, file });
}
