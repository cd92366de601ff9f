/**
 * Round-trip time estimation and the retransmission timeout, after RFC 6298 (and QUIC's RFC 9002,
 * which keeps the same formulas): the first sample sets srtt = r, rttvar = r/2; later ones
 * rttvar = 3/4·rttvar + 1/4·|srtt − r|, srtt = 7/8·srtt + 1/8·r; RTO = srtt + max(G, 4·rttvar),
 * clamped to [min, max]. Before any sample the RTO is the initial value (333 ms, as QUIC).
 * Backoff doubles the timeout per consecutive expiry, up to the same cap. Karn's rule (no samples
 * from retransmitted datagrams) is applied by the caller, which knows what was retransmitted.
 */

export type RttOptions = {
  initialRtoMs: number;
  minRtoMs: number;
  maxRtoMs: number;
  /** Timer granularity G: the smallest variance term, so a perfectly steady RTT still gets slack. */
  granularityMs: number;
};

export class RttEstimator {
  private srttMs: number | undefined;
  private rttvarMs = 0;
  private latestMs: number | undefined;
  private minMs: number | undefined;
  private samplesTaken = 0;

  constructor(private readonly options: RttOptions) {}

  addSample(rttMs: number): void {
    if (!Number.isFinite(rttMs) || rttMs < 0) return;
    this.latestMs = rttMs;
    this.minMs = this.minMs === undefined ? rttMs : Math.min(this.minMs, rttMs);
    this.samplesTaken++;
    if (this.srttMs === undefined) {
      this.srttMs = rttMs;
      this.rttvarMs = rttMs / 2;
      return;
    }
    this.rttvarMs = 0.75 * this.rttvarMs + 0.25 * Math.abs(this.srttMs - rttMs);
    this.srttMs = 0.875 * this.srttMs + 0.125 * rttMs;
  }

  /** The base timeout, without backoff. */
  rto(): number {
    const { initialRtoMs, minRtoMs, maxRtoMs, granularityMs } = this.options;
    if (this.srttMs === undefined) return Math.min(maxRtoMs, Math.max(minRtoMs, initialRtoMs));
    const raw = this.srttMs + Math.max(granularityMs, 4 * this.rttvarMs);
    return Math.min(maxRtoMs, Math.max(minRtoMs, raw));
  }

  /** The timeout after `backoff` consecutive expiries: rto·2^backoff, capped. */
  backedOffRto(backoff: number): number {
    return Math.min(this.options.maxRtoMs, this.rto() * 2 ** Math.min(backoff, 30));
  }

  /** The smallest RTT seen: no acknowledgement can answer a transmission faster than this. */
  minRtt(): number | undefined {
    return this.minMs;
  }

  stats(): { srttMs: number | undefined; rttvarMs: number; latestMs: number | undefined; minMs: number | undefined; samples: number; rtoMs: number } {
    return { srttMs: this.srttMs, rttvarMs: this.rttvarMs, latestMs: this.latestMs, minMs: this.minMs, samples: this.samplesTaken, rtoMs: this.rto() };
  }
}
