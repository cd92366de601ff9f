import { generateIdentity, type Identity } from '../protocol/security/identity';
import { CmaTrust, type AnnounceAck } from './cma-trust';

const START = 1_800_000_000_123;

function ackFrom(cma: Identity, overrides: Partial<AnnounceAck> = {}): AnnounceAck {
  return {
    accepted: true,
    startTime: START,
    cma: { keyId: cma.keyId, ed25519: cma.publicKeys.ed25519, x25519: cma.publicKeys.x25519 },
    ...overrides,
  } as AnnounceAck;
}

const signer = (id: Identity) => ({ keyId: id.keyId, keys: { ed25519: id.publicKeys.ed25519, x25519: id.publicKeys.x25519 } });

describe('CmaTrust', () => {
  const cma = generateIdentity();
  const other = generateIdentity();

  it('trusts the first accepting CMA (TOFU) and refuses a different key afterwards', () => {
    const trust = new CmaTrust(undefined);
    expect(trust.trusted).toBeUndefined();
    const first = trust.check(ackFrom(cma), signer(cma), START);
    expect(first).toMatchObject({ ok: true, cma: { keyId: cma.keyId } });
    expect(trust.trusted?.keyId).toBe(cma.keyId);
    expect(trust.check(ackFrom(other), signer(other), START)).toMatchObject({ ok: false, reason: 'pin_mismatch' });
    expect(trust.check(ackFrom(cma), signer(cma), START).ok).toBe(true);
  });

  it('does not pin on a refusal, so a forged refusal cannot lock out the real CMA', () => {
    const trust = new CmaTrust(undefined);
    const refusal = trust.check(ackFrom(other, { accepted: false, code: 'UNI_SEC_008' }), signer(other), START);
    expect(refusal.ok).toBe(true);
    expect(trust.trusted).toBeUndefined();
    expect(trust.check(ackFrom(cma), signer(cma), START).ok).toBe(true);
    expect(trust.trusted?.keyId).toBe(cma.keyId);
  });

  it('accepts only the configured key when one is configured', () => {
    const trust = new CmaTrust({ ed25519: cma.publicKeys.ed25519, x25519: cma.publicKeys.x25519 });
    expect(trust.mode).toBe('configured');
    expect(trust.check(ackFrom(other), signer(other), START)).toMatchObject({ ok: false, reason: 'not_configured_key' });
    expect(trust.check(ackFrom(cma), signer(cma), START).ok).toBe(true);
  });

  it('refuses an acknowledgement whose CMA keys are not the signer keys', () => {
    const trust = new CmaTrust(undefined);
    expect(trust.check(ackFrom(cma), signer(other), START)).toMatchObject({ ok: false, reason: 'signer_mismatch' });
    const wrongId = ackFrom(cma);
    wrongId.cma.keyId = other.keyId;
    expect(trust.check(wrongId, signer(cma), START)).toMatchObject({ ok: false, reason: 'signer_mismatch' });
    expect(trust.trusted).toBeUndefined();
  });

  it('refuses an acknowledgement for another run (start time not echoed)', () => {
    const trust = new CmaTrust(undefined);
    expect(trust.check(ackFrom(cma, { startTime: START - 1 }), signer(cma), START)).toMatchObject({ ok: false, reason: 'stale_start_time' });
    expect(trust.trusted).toBeUndefined();
  });
});
