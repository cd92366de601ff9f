/**
 * Which ANNOUNCE_ACK to believe. The acknowledgement arrives SIGNED (we do not know the CMA's keys
 * before it), so its signature only proves that whoever sent it holds the keys in the packet header.
 * It is accepted only if:
 *  - the signer's keys are the keys the payload names for the CMA (and the key id is theirs), so a
 *    CMA cannot speak for another key;
 *  - it echoes our start time, so a stale acknowledgement for an earlier run of this host is ignored;
 *  - the key is the one the operator configured (--cma-pubkey-file / UNIMATRIX_CMA_PUBKEY), or, when
 *    none was configured, the first CMA key this process accepted (trust on first use, pinned for the
 *    life of the process). A different key is refused, counted and logged.
 * Only an accepting acknowledgement pins a key: a forged refusal must not lock out the real CMA.
 */
import type { PayloadOf } from '../protocol/message-types';
import { keyIdOf, samePublicKeys, type PublicKeys } from '../protocol/security/identity';

export type AnnounceAck = PayloadOf<'ANNOUNCE_ACK'>;

export type CmaKeys = { keyId: string; keys: PublicKeys };

export type AckRejection =
  /** the payload's CMA keys are not the signer's keys, or its key id does not match them */
  | 'signer_mismatch'
  /** the start time is not ours: an acknowledgement for another run */
  | 'stale_start_time'
  /** the signer is not the CMA key the operator configured */
  | 'not_configured_key'
  /** the signer is not the CMA key pinned earlier in this process's life */
  | 'pin_mismatch';

export type AckVerdict = { ok: true; cma: CmaKeys } | { ok: false; reason: AckRejection; detail: string };

export class CmaTrust {
  private pinned: CmaKeys | undefined;

  constructor(private readonly configured: PublicKeys | undefined) {}

  /** The CMA key we trust now: the configured one, or the pinned one (undefined before the first). */
  get trusted(): CmaKeys | undefined {
    if (this.configured !== undefined) return { keyId: keyIdOf(this.configured.ed25519), keys: this.configured };
    return this.pinned;
  }

  get mode(): 'configured' | 'tofu' {
    return this.configured !== undefined ? 'configured' : 'tofu';
  }

  check(ack: AnnounceAck, signer: { keyId: string; keys: PublicKeys }, ourStartTime: number): AckVerdict {
    const claimed: PublicKeys = { ed25519: ack.cma.ed25519, x25519: ack.cma.x25519 };
    if (!samePublicKeys(claimed, signer.keys) || ack.cma.keyId !== signer.keyId || keyIdOf(claimed.ed25519) !== signer.keyId) {
      return { ok: false, reason: 'signer_mismatch', detail: `signed by ${signer.keyId}, names CMA ${ack.cma.keyId}` };
    }
    if (ack.startTime !== ourStartTime) {
      return { ok: false, reason: 'stale_start_time', detail: `echoes start time ${ack.startTime}, ours is ${ourStartTime}` };
    }
    const expected = this.trusted;
    if (expected !== undefined && !samePublicKeys(expected.keys, signer.keys)) {
      return this.configured !== undefined
        ? { ok: false, reason: 'not_configured_key', detail: `signed by ${signer.keyId}, configured CMA key is ${expected.keyId}` }
        : { ok: false, reason: 'pin_mismatch', detail: `signed by ${signer.keyId}, pinned CMA key is ${expected.keyId}` };
    }
    const cma: CmaKeys = { keyId: signer.keyId, keys: { ed25519: new Uint8Array(claimed.ed25519), x25519: new Uint8Array(claimed.x25519) } };
    if (ack.accepted && this.configured === undefined && this.pinned === undefined) this.pinned = cma;
    return { ok: true, cma };
  }
}
