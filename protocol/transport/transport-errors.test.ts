import { ERROR_CATALOGUE, isUnimatrixError, UnimatrixError } from '../errors';
import { isTransportError, TransportError } from './transport-errors';

describe('TransportError', () => {
  test('the transport codes are in the one catalogue, unchanged', () => {
    expect(Object.keys(ERROR_CATALOGUE).filter((c) => c.startsWith('UNI_TRANS_'))).toEqual([
      'UNI_TRANS_001',
      'UNI_TRANS_002',
      'UNI_TRANS_003',
      'UNI_TRANS_004',
      'UNI_TRANS_005',
      'UNI_TRANS_006',
      'UNI_TRANS_007',
    ]);
    expect(ERROR_CATALOGUE.UNI_TRANS_001.message).toBe('peer did not acknowledge in time; gave up');
  });

  test('carries its code, the catalogue message with the specifics, and the cause', () => {
    const cause = new Error('EADDRINUSE');
    const err = new TransportError('UNI_TRANS_007', '127.0.0.1:1984', { cause });
    expect([err.code, err.name, err.message]).toEqual(['UNI_TRANS_007', 'TransportError[UNI_TRANS_007]', 'cannot bind the UDP socket: 127.0.0.1:1984']);
    expect(err.cause).toBe(cause);
    expect(new TransportError('UNI_TRANS_004').message).toBe('the endpoint is closed');
  });

  test('is a UnimatrixError; isTransportError matches transport errors only, by code when given', () => {
    const err = new TransportError('UNI_TRANS_004');
    expect(isUnimatrixError(err, 'UNI_TRANS_004')).toBe(true);
    expect(isTransportError(err)).toBe(true);
    expect(isTransportError(err, 'UNI_TRANS_004')).toBe(true);
    expect(isTransportError(err, 'UNI_TRANS_001')).toBe(false);
    expect(isTransportError(new UnimatrixError('UNI_SEC_001'))).toBe(false);
    expect(isTransportError(new Error('UNI_TRANS_004'))).toBe(false);
  });
});
