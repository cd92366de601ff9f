import { ERROR_CATALOGUE, ERROR_CODE_PATTERN, isUnimatrixError, problem, UnimatrixError } from './errors';
import type { ErrorCode } from './errors';

describe('error catalogue', () => {
  test('every code has the stable format, a unique name and a message', () => {
    const codes = Object.keys(ERROR_CATALOGUE) as ErrorCode[];
    expect(codes.every((c) => ERROR_CODE_PATTERN.test(c))).toBe(true);
    const names = codes.map((c) => ERROR_CATALOGUE[c].name);
    expect(new Set(names).size).toBe(names.length);
    expect(codes.every((c) => ERROR_CATALOGUE[c].message.length > 0)).toBe(true);
  });

  test('problem() carries code, name and the detail of this occurrence', () => {
    expect(problem('UNI_PROTO_001', 'type 999')).toEqual({
      code: 'UNI_PROTO_001',
      name: 'UNKNOWN_MESSAGE_TYPE',
      message: 'unknown message type number: type 999',
    });
    expect(problem('UNI_PROTO_001').message).toBe('unknown message type number');
  });

  test('UnimatrixError is an Error with a code and a cause', () => {
    const cause = new Error('disk full');
    const err = new UnimatrixError('UNI_SEC_009', '/var/lib/x', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('UNI_SEC_009');
    expect(err.cause).toBe(cause);
    expect(err.message).toBe('trust store file cannot be parsed: /var/lib/x');
    expect(isUnimatrixError(err, 'UNI_SEC_009')).toBe(true);
    expect(isUnimatrixError(err, 'UNI_SEC_001')).toBe(false);
    expect(isUnimatrixError(cause)).toBe(false);
    const fromProblem = UnimatrixError.fromProblem(problem('UNI_PROTO_003', 'seq: expected number'));
    expect([fromProblem.code, fromProblem.message]).toEqual(['UNI_PROTO_003', 'payload does not match the schema of its message type: seq: expected number']);
  });
});
