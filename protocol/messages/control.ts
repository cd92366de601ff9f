/**
 * Connection and application control: closing a connection, and accepting or refusing a message at
 * the application level (after the transport already delivered it).
 */
import { z } from 'zod';
import { errorCodeSchema, shortText, u16 } from './common';

/** The sender closes its connection (session) with the receiver; state for it can be dropped. */
export const shutdownSchema = z.object({
  reason: shortText.optional(),
});

/**
 * What an APP_ACK / APP_NAK answers: the numeric type of the message and an id the sender of that
 * message chose (e.g. a discovery result's content hash), so the sender can match the answer.
 */
const answerRef = {
  refType: u16,
  ref: z.string().min(1).max(128),
};

export const appAckSchema = z.object({ ...answerRef });

export const appNakSchema = z.object({
  ...answerRef,
  code: errorCodeSchema,
  message: shortText,
  /** Whether sending the same message again may succeed (e.g. the graph was briefly unavailable). */
  retryable: z.boolean(),
});
