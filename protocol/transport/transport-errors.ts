/**
 * Errors the transport reports to applications, each with a stable code in the protocol's
 * UNI_<AREA>_<nnn> format. (They belong in protocol/errors.ts's catalogue; they live here until it
 * gains a transport area, and keep the same shape: `code`, a catalogue message, specifics.)
 */

export const TRANSPORT_ERRORS = {
  UNI_TRANS_001: { name: 'GAVE_UP', message: 'peer did not acknowledge in time; gave up' },
  UNI_TRANS_002: { name: 'MESSAGE_TOO_LARGE', message: 'message exceeds the transport maximum' },
  UNI_TRANS_003: { name: 'UNKNOWN_PEER', message: 'no keys are known for this peer' },
  UNI_TRANS_004: { name: 'ENDPOINT_CLOSED', message: 'the endpoint is closed' },
  UNI_TRANS_005: { name: 'DATAGRAM_TOO_LARGE', message: 'an unreliable message must fit in one datagram' },
  UNI_TRANS_006: { name: 'MULTICAST_UNAVAILABLE', message: 'no interface can carry multicast' },
  UNI_TRANS_007: { name: 'BIND_FAILED', message: 'cannot bind the UDP socket' },
} as const satisfies Record<string, { name: string; message: string }>;

export type TransportErrorCode = keyof typeof TRANSPORT_ERRORS;

export class TransportError extends Error {
  readonly code: TransportErrorCode;

  constructor(code: TransportErrorCode, detail?: string, options?: { cause?: unknown }) {
    const entry = TRANSPORT_ERRORS[code];
    super(detail === undefined || detail === '' ? entry.message : `${entry.message}: ${detail}`, options);
    this.name = `TransportError[${code}]`;
    this.code = code;
  }
}

export function isTransportError(value: unknown, code?: TransportErrorCode): value is TransportError {
  return value instanceof TransportError && (code === undefined || value.code === code);
}
