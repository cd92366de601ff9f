/**
 * Every message that reaches the nanoprobe passes here: decoded, checked against who may send it and
 * how (SIGNED, sealed, reliable), then handed to its handler. Nothing here throws: a message that does
 * not decode, comes from the wrong sender or has no use on a nanoprobe is counted and dropped (logged
 * at most once a minute per kind), and a handler that throws is an internal error, counted and logged.
 *
 * Reliable messages are acknowledged after their handler returned, i.e. once applied (the handlers are
 * synchronous), and also when dropped: a message we will never accept must not hold up the sender's
 * stream.
 */
import type { CounterSet } from '../protocol/counters';
import { decodeMessage } from '../protocol/codec';
import type { MessageName, PayloadOf } from '../protocol/message-types';
import type { IncomingMessage } from '../protocol/transport/endpoint';
import type { NanoprobeCounterName } from './counters';
import type { Logger, LogThrottle } from './logger';

type Handler<N extends MessageName> = (payload: PayloadOf<N>, message: IncomingMessage) => void;

export type InboundHandlers = {
  ANNOUNCE_ACK: Handler<'ANNOUNCE_ACK'>;
  CONFIG: Handler<'CONFIG'>;
  HEARTBEAT: Handler<'HEARTBEAT'>;
  PROBE: Handler<'PROBE'>;
  DISCOVERY_REQUEST: Handler<'DISCOVERY_REQUEST'>;
  APP_ACK: Handler<'APP_ACK'>;
  APP_NAK: Handler<'APP_NAK'>;
  SHUTDOWN: Handler<'SHUTDOWN'>;
  REJOIN: Handler<'REJOIN'>;
};

type Rule = { from: 'anyone' | 'cma'; how: 'signed' | 'sealed' | 'reliable' };

/** Who may send what, and how. Types not listed here have no use on a nanoprobe. */
const RULES: { [N in keyof InboundHandlers]: Rule } = {
  ANNOUNCE_ACK: { from: 'anyone', how: 'signed' },
  CONFIG: { from: 'cma', how: 'reliable' },
  HEARTBEAT: { from: 'anyone', how: 'sealed' },
  PROBE: { from: 'cma', how: 'sealed' },
  DISCOVERY_REQUEST: { from: 'cma', how: 'reliable' },
  APP_ACK: { from: 'cma', how: 'sealed' },
  APP_NAK: { from: 'cma', how: 'sealed' },
  SHUTDOWN: { from: 'cma', how: 'sealed' },
  REJOIN: { from: 'cma', how: 'sealed' },
};

export type InboundContext = {
  counters: CounterSet<NanoprobeCounterName>;
  log: Logger;
  throttle: LogThrottle;
  /** The CMA's key id once joined (or pinned), else undefined. */
  cmaKeyId: () => string | undefined;
};

function isHandled(name: MessageName): name is keyof InboundHandlers {
  return Object.prototype.hasOwnProperty.call(RULES, name);
}

function fits(rule: Rule, message: IncomingMessage): boolean {
  const signed = message.signerKeys !== undefined;
  switch (rule.how) {
    case 'signed':
      return signed;
    case 'sealed':
      return !signed;
    case 'reliable':
      return message.reliable;
  }
}

export function dispatchInbound(message: IncomingMessage, ctx: InboundContext, handlers: InboundHandlers): void {
  ctx.counters.add('messages_received');
  try {
    const decoded = decodeMessage(message.bytes);
    if (!decoded.ok) {
      ctx.counters.add('decode_errors');
      const suppressed = ctx.throttle.admit(`decode:${decoded.reason}`);
      if (suppressed !== null) ctx.log.warn({ peer: message.peer, code: decoded.error.code, problem: decoded.error.message, suppressed }, 'message dropped: cannot decode');
      return;
    }
    const { type, payload } = decoded.message;
    const rule = isHandled(type) ? RULES[type] : undefined;
    const allowed = rule !== undefined && fits(rule, message) && (rule.from === 'anyone' || message.peer === ctx.cmaKeyId());
    if (!allowed || !isHandled(type)) {
      ctx.counters.add('messages_unexpected');
      const suppressed = ctx.throttle.admit(`unexpected:${type}`);
      if (suppressed !== null) ctx.log.warn({ peer: message.peer, type, reliable: message.reliable, suppressed }, 'message dropped: not expected from this sender');
      return;
    }
    // The decoded message is discriminated by `type`; the table above keys each handler by it.
    (handlers[type] as (p: typeof payload, m: IncomingMessage) => void)(payload, message);
  } catch (err) {
    ctx.counters.add('internal_errors');
    ctx.log.error({ err, peer: message.peer }, 'internal error while handling a message');
  } finally {
    message.ack();
  }
}
