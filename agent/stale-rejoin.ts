/**
 * Which REJOIN to obey. The CMA sends REJOIN reliably, and the transport cannot take back a message
 * once queued: one sent while this host was held as no member may still be retransmitted after the
 * host joined again by another path (its own re-announcement, or an earlier REJOIN). Obeying it would
 * send a host that is a member back to announcing for nothing. So every accepting ANNOUNCE_ACK carries
 * a join id that grows with each join the CMA accepts, and each REJOIN names the last join the CMA had
 * accepted when it asked: a REJOIN naming a join older than ours was sent before our current join.
 * Messages from an older CMA carry no join ids and are always obeyed, as before.
 */

/** Whether a REJOIN naming `rejoinJoinId` was sent before the join `currentJoinId` was accepted. */
export function isStaleRejoin(rejoinJoinId: number | undefined, currentJoinId: number | undefined): boolean {
  return rejoinJoinId !== undefined && currentJoinId !== undefined && rejoinJoinId < currentJoinId;
}

/**
 * The join id to keep when the CMA answers again while we are joined: the newer one. A repeated
 * announcement (sent before the first ACK arrived) may have been accepted as a newer join.
 */
export function newerJoinId(current: number | undefined, acked: number | undefined): number | undefined {
  if (acked === undefined) return current;
  if (current === undefined) return acked;
  return Math.max(current, acked);
}
