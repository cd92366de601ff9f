/**
 * Every message that reaches the CMA passes here: decoded, checked against how it must come (signed,
 * sealed, reliable) and who may send it (anyone, or a host this CMA knows, of which roles), then
 * handed to the one handler its feature registered — typed by its message type, no narrowing by hand.
 * Membership, discovery and (next) pollers and monitoring each register their own types; a type
 * registered twice is refused at start, never silently overwritten.
 *
 * Acknowledgement (reliable messages): a handler's promise settling is the message being stored, and
 * only then is it acknowledged; a handler that fails leaves it unacknowledged, so the sender
 * retransmits. Messages that will never be accepted (undecodable, no handler, wrong channel or
 * sender) are counted, dropped and acknowledged, so they do not hold up the sender's stream.
 */
import { decodeMessage } from '../protocol/codec';
import type { MessageName, PayloadOf } from '../protocol/message-types';
import type { IncomingMessage } from '../protocol/transport/endpoint';

export type Sender = { keyid: string; hostname: string };

export type Handler<N extends MessageName> = (payload: PayloadOf<N>, sender: Sender, incoming: IncomingMessage) => Promise<void> | void;

export type Route<N extends MessageName> = {
  type: N;
  /** signed: a SIGNED datagram (announcements); sealed: any sealed one; reliable: sealed and reliable. */
  how: 'signed' | 'sealed' | 'reliable';
  /** anyone (the handler checks, e.g. a signature); known: a host this CMA accepted, of `roles` if given. */
  from: 'anyone' | 'known';
  roles?: readonly string[];
  handle: Handler<N>;
};

export type SenderDirectory = {
  /** The sender as the CMA knows it, or undefined for a key it never accepted. */
  lookup(keyid: string): { hostname: string; role?: string } | undefined;
};

export type RouterHooks = {
  count: (what: string) => void;
  /** A handler failed: not stored, not acknowledged (the sender retransmits). */
  failed: (type: MessageName, sender: Sender, err: unknown) => void;
};

export class RouteConflictError extends Error {
  constructor(type: MessageName) {
    super(`two features registered a handler for ${type}`);
    this.name = 'RouteConflictError';
  }
}

type AnyRoute = Route<MessageName>;

export class InboundRouter {
  private readonly routes = new Map<MessageName, AnyRoute>();

  constructor(
    private readonly senders: SenderDirectory,
    private readonly hooks: RouterHooks,
  ) {}

  register<N extends MessageName>(route: Route<N>): void {
    if (this.routes.has(route.type)) throw new RouteConflictError(route.type);
    this.routes.set(route.type, route as unknown as AnyRoute);
  }

  /** The message types a feature registered (for docs and tests). */
  types(): MessageName[] {
    return [...this.routes.keys()].sort();
  }

  dispatch(incoming: IncomingMessage): void {
    const decoded = decodeMessage(incoming.bytes);
    if (!decoded.ok) {
      this.hooks.count(`malformed_${decoded.reason}`);
      incoming.ack(); // it will never decode: the sender must stop retransmitting it
      return;
    }
    const { type, payload } = decoded.message;
    this.hooks.count(`received_${type}`);
    const route = this.routes.get(type);
    if (route === undefined) {
      this.hooks.count(`unhandled_${type}`);
      incoming.ack();
      return;
    }
    const known = this.senders.lookup(incoming.peer);
    const sender: Sender = { keyid: incoming.peer, hostname: known?.hostname ?? incoming.peer };
    if (!fits(route, incoming) || (route.from === 'known' && (known === undefined || !roleAllowed(route, known.role)))) {
      this.hooks.count(`refused_${type}`);
      incoming.ack();
      return;
    }
    let outcome: Promise<void> | void;
    try {
      outcome = route.handle(payload, sender, incoming);
    } catch (err) {
      this.hooks.failed(type, sender, err);
      return;
    }
    Promise.resolve(outcome).then(
      () => incoming.ack(),
      (err: unknown) => this.hooks.failed(type, sender, err),
    );
  }
}

function fits(route: AnyRoute, incoming: IncomingMessage): boolean {
  const signed = incoming.signerKeys !== undefined;
  if (route.how === 'signed') return signed;
  if (signed) return false;
  return route.how === 'sealed' || incoming.reliable;
}

function roleAllowed(route: AnyRoute, role: string | undefined): boolean {
  return route.roles === undefined || route.roles.includes(role ?? 'nanoprobe');
}
