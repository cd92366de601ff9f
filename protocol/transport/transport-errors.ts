/**
 * The errors the transport reports to applications: the UNI_TRANS codes of the protocol's one
 * catalogue (../errors.ts), thrown as `TransportError`, a `UnimatrixError` whose code is known to be a
 * transport one (so `isTransportError(err, 'UNI_TRANS_004')` narrows, and `isUnimatrixError` matches
 * it too).
 */
import { UnimatrixError, type ErrorCode } from '../errors';

export type TransportErrorCode = Extract<ErrorCode, `UNI_TRANS_${string}`>;

export class TransportError extends UnimatrixError {
  // Narrows the inherited field's type only: `declare` emits no field that would reset it.
  declare readonly code: TransportErrorCode;

  constructor(code: TransportErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(code, detail, options);
    this.name = `TransportError[${code}]`;
  }
}

export function isTransportError(value: unknown, code?: TransportErrorCode): value is TransportError {
  return value instanceof TransportError && (code === undefined || value.code === code);
}
