import { main } from './crypto-primitives';

test('crypto-primitives reports every primitive it compares, as positive microseconds', async () => {
  const result = await main(['--quick']);
  expect(result['bench']).toBe('crypto-primitives');
  expect(result['signatures_identical']).toBe(true);
  const us = result['crypto_us'] as Record<string, number>;
  for (const key of [
    'tweetnacl_ed25519_sign',
    'tweetnacl_ed25519_verify',
    'node_ed25519_sign',
    'node_ed25519_verify',
    'box_after_seal_100b',
    'box_open_after_100b',
    'box_after_seal_1200b',
    'box_open_after_1200b',
    'guard_seal_1200b',
    'guard_open_1200b',
    'guard_sign_300b',
    'guard_open_signed_300b',
  ]) {
    expect([key, Number.isFinite(us[key]) && (us[key] ?? 0) > 0]).toEqual([key, true]);
  }
}, 120_000);
