/**
 * How long a reliable message takes and how many datagrams it costs at a given loss rate, as the
 * project's transport would spend them: a data datagram per attempt, an ACK for each one that
 * arrives, retransmission after 333 ms doubling (cap 4 s) until an ACK gets back. Delivery happens at
 * the first attempt whose data gets through; later attempts only cost datagrams.
 */
import type { Random } from './random';

export const ONE_WAY_MS = 0.5;
const INITIAL_RTO_MS = 333;
const MAX_RTO_MS = 4000;

export type Transfer = { delayMs: number; datagrams: number };

export function reliableTransfer(random: Random, loss: number): Transfer {
  let elapsed = 0;
  let rto = INITIAL_RTO_MS;
  let datagrams = 0;
  let delivered = -1;
  for (let attempt = 0; attempt < 30; attempt++) {
    datagrams++;
    const dataArrives = random.next() >= loss;
    if (dataArrives) {
      if (delivered < 0) delivered = elapsed + ONE_WAY_MS;
      datagrams++; // the ACK
      if (random.next() >= loss) break;
    }
    elapsed += rto;
    rto = Math.min(rto * 2, MAX_RTO_MS);
  }
  return { delayMs: delivered < 0 ? elapsed : delivered, datagrams };
}
