/**
 * The protocol's error catalogue: every error the wire layer can report, in one place, each with a
 * stable code that logs, counters, APP_NAK payloads and operators can rely on. Codes never change
 * meaning and are never reused; new ones are appended.
 *
 * Two ways to carry an error:
 *  - `ProtocolProblem`: a plain object, for hot paths that must not throw or build stack traces
 *    (decoding hostile input);
 *  - `UnimatrixError`: a real `Error` with `code` and `cause`, for APIs that throw (bad configuration,
 *    key files, programming mistakes such as sealing for an unknown peer). The transport's errors are
 *    its subclass `TransportError` (transport/transport-errors.ts), restricted to the UNI_TRANS codes.
 */

export const ERROR_CATALOGUE = {
  // Codec: decoding a message body.
  UNI_PROTO_001: { name: 'UNKNOWN_MESSAGE_TYPE', message: 'unknown message type number' },
  UNI_PROTO_002: { name: 'MALFORMED_MSGPACK', message: 'payload is not one well-formed msgpack value' },
  UNI_PROTO_003: { name: 'BAD_PAYLOAD_SHAPE', message: 'payload does not match the schema of its message type' },
  UNI_PROTO_004: { name: 'MESSAGE_TOO_LARGE', message: 'message exceeds the maximum message size' },
  UNI_PROTO_005: { name: 'FIELD_TOO_LARGE', message: 'a string, binary, array or map exceeds its size cap' },
  UNI_PROTO_006: { name: 'TRUNCATED_MESSAGE', message: 'message is shorter than its type header' },
  UNI_PROTO_007: { name: 'NESTING_TOO_DEEP', message: 'payload nests deeper than the maximum depth' },
  // Codec: encoding (our own side produced something the receiver would refuse).
  UNI_PROTO_010: { name: 'INVALID_OUTGOING_MESSAGE', message: 'outgoing message fails its own schema or caps' },

  // Security layer.
  UNI_SEC_001: { name: 'UNKNOWN_PEER', message: 'no keys are known for this peer' },
  UNI_SEC_002: { name: 'KEY_FILE_MODE', message: 'key file is readable by others than its owner' },
  UNI_SEC_003: { name: 'KEY_FILE_INVALID', message: 'key file cannot be parsed' },
  UNI_SEC_004: { name: 'KEY_FILE_OWNER', message: 'key file is owned by another user' },
  UNI_SEC_005: { name: 'PUBLIC_KEY_INVALID', message: 'public key text is not valid' },
  UNI_SEC_006: { name: 'PUBLIC_KEY_CONFLICT', message: 'public key given twice with different values' },
  UNI_SEC_007: { name: 'HOST_KEY_CHANGED', message: 'host presented a key different from its pinned key' },
  UNI_SEC_008: { name: 'HOST_NOT_REGISTERED', message: 'host is not pre-registered and only registered keys are accepted' },
  UNI_SEC_009: { name: 'TRUST_STORE_INVALID', message: 'trust store file cannot be parsed' },
  UNI_SEC_010: { name: 'FRAME_TOO_LARGE', message: 'frame is larger than the guard accepts' },
  UNI_SEC_011: { name: 'PEER_KEYS_INVALID', message: 'peer keys are malformed or do not match the key id' },
  UNI_SEC_012: { name: 'KEY_IN_USE', message: 'this key is already pinned to another host name' },
  UNI_SEC_013: { name: 'PUBLIC_KEY_UNREADABLE', message: 'cannot read the public key file' },

  // Reliable transport: what it reports to the applications that send through it.
  UNI_TRANS_001: { name: 'GAVE_UP', message: 'peer did not acknowledge in time; gave up' },
  UNI_TRANS_002: { name: 'TRANSPORT_MESSAGE_TOO_LARGE', message: 'message exceeds the transport maximum' },
  UNI_TRANS_003: { name: 'TRANSPORT_UNKNOWN_PEER', message: 'no keys are known for this peer' },
  UNI_TRANS_004: { name: 'ENDPOINT_CLOSED', message: 'the endpoint is closed' },
  UNI_TRANS_005: { name: 'DATAGRAM_TOO_LARGE', message: 'an unreliable message must fit in one datagram' },
  UNI_TRANS_006: { name: 'MULTICAST_UNAVAILABLE', message: 'no interface can carry multicast' },
  UNI_TRANS_007: { name: 'BIND_FAILED', message: 'cannot bind the UDP socket' },

  // Discovery runs, as a DISCOVERY_RESULT reports them (protocol/messages/discovery-codes.ts).
  UNI_DISC_001: { name: 'DISCOVERY_INVALID_REQUEST', message: 'the discovery request is unusable' },
  UNI_DISC_002: { name: 'DISCOVERY_SCRIPT_NOT_FOUND', message: 'no executable discovery script of that name' },
  UNI_DISC_003: { name: 'DISCOVERY_SPAWN_FAILED', message: 'the discovery script could not be started' },
  UNI_DISC_004: { name: 'DISCOVERY_TIMEOUT', message: 'the discovery script ran past its timeout and was killed' },
  UNI_DISC_005: { name: 'DISCOVERY_OUTPUT_TOO_LARGE', message: 'the discovery script printed more than the output cap' },
  UNI_DISC_006: { name: 'DISCOVERY_NONZERO_EXIT', message: 'the discovery script exited with a failure status or signal' },
  UNI_DISC_007: { name: 'DISCOVERY_INVALID_JSON', message: 'the discovery script did not print one JSON document' },
  UNI_DISC_008: { name: 'DISCOVERY_WRONG_SHAPE', message: 'the discovery document does not fit the envelope' },
  UNI_DISC_009: { name: 'DISCOVERY_RESULT_TOO_LARGE', message: 'the discovery document does not fit in one protocol message' },

  // Device polls, as a POLL_RESULT reports them (protocol/messages/poll-codes.ts).
  UNI_POLL_001: { name: 'POLL_CONNECT_FAILED', message: 'the device could not be reached over SSH' },
  UNI_POLL_002: { name: 'POLL_CONNECT_TIMEOUT', message: 'the SSH connection, login or shell did not finish in time' },
  UNI_POLL_003: { name: 'POLL_AUTH_FAILED', message: 'the device refused the credential' },
  UNI_POLL_004: { name: 'POLL_HOST_KEY_MISMATCH', message: "the device's SSH host key is not the pinned one" },
  UNI_POLL_005: { name: 'POLL_HOST_KEY_UNTRUSTED', message: "the device's SSH host key was not trusted" },
  UNI_POLL_006: { name: 'POLL_PROMPT_NOT_FOUND', message: "the device's prompt could not be learned" },
  UNI_POLL_007: { name: 'POLL_COMMAND_TIMEOUT', message: 'the command did not finish within its timeout' },
  UNI_POLL_008: { name: 'POLL_OUTPUT_TOO_LARGE', message: "the command's output passed the cap" },
  UNI_POLL_009: { name: 'POLL_COMMAND_REJECTED', message: 'the device rejected the command' },
  UNI_POLL_010: { name: 'POLL_DISCONNECTED', message: 'the SSH connection went away' },
  UNI_POLL_011: { name: 'POLL_NOT_CONNECTED', message: 'the session is reconnecting; the command was not sent' },
  UNI_POLL_012: { name: 'POLL_GAVE_UP', message: 'the session gave up after repeated failures' },
  UNI_POLL_013: { name: 'POLL_PARSE_FAILED', message: "the command's output did not parse with its TextFSM template" },
  UNI_POLL_014: { name: 'POLL_UNKNOWN_CREDENTIAL', message: 'the poller holds no credential of that name' },
  UNI_POLL_015: { name: 'POLL_NO_TEMPLATE', message: 'no TextFSM template for this platform and command' },
} as const satisfies Record<string, { name: string; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Stable code format: UNI_<AREA>_<three digits>. Also used to validate codes received in APP_NAK. */
export const ERROR_CODE_PATTERN = /^UNI_[A-Z]{2,10}_\d{3}$/;

/** A plain, allocation-light description of a failure (no stack trace). */
export type ProtocolProblem = {
  code: ErrorCode;
  name: string;
  /** The catalogue message followed by specifics of this occurrence. */
  message: string;
};

export function problem(code: ErrorCode, detail?: string): ProtocolProblem {
  const entry = ERROR_CATALOGUE[code];
  return {
    code,
    name: entry.name,
    message: detail === undefined || detail === '' ? entry.message : `${entry.message}: ${detail}`,
  };
}

export class UnimatrixError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(problem(code, detail).message, options);
    this.name = `UnimatrixError[${code}]`;
    this.code = code;
  }

  static fromProblem(p: ProtocolProblem, cause?: unknown): UnimatrixError {
    const err = new UnimatrixError(p.code, undefined, cause === undefined ? undefined : { cause });
    err.message = p.message;
    return err;
  }
}

export function isUnimatrixError(value: unknown, code?: ErrorCode): value is UnimatrixError {
  return value instanceof UnimatrixError && (code === undefined || value.code === code);
}
