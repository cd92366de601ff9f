import type { Clock, TimerHandle } from '../../protocol/transport/clock';
import type { HostId } from '../membership/types';

type Probe = { probeId: number; timer: TimerHandle; deadline: number };

/**
 * The CMA's own liveness check of a suspect host: a PROBE every attemptEveryMs (unreliable, so
 * repeated) until the host answers, the probe is cancelled, or giveUpAfterMs passes — then the
 * membership is told the probe failed.
 */
export class Prober {
  private readonly probes = new Map<HostId, Probe>();

  constructor(
    private readonly clock: Clock,
    private readonly sendProbe: (host: HostId, probeId: number) => void,
    private readonly onGiveUp: (host: HostId, probeId: number) => void,
  ) {}

  get active(): number {
    return this.probes.size;
  }

  start(host: HostId, probeId: number, attemptEveryMs: number, giveUpAfterMs: number): void {
    this.stop(host);
    const deadline = this.clock.now() + giveUpAfterMs;
    const attempt = (): void => {
      const probe = this.probes.get(host);
      if (probe === undefined || probe.probeId !== probeId) return;
      if (this.clock.now() >= deadline) {
        this.probes.delete(host);
        this.onGiveUp(host, probeId);
        return;
      }
      this.sendProbe(host, probeId);
      probe.timer = this.clock.setTimer(Math.min(attemptEveryMs, Math.max(0, deadline - this.clock.now())), attempt);
    };
    this.probes.set(host, { probeId, deadline, timer: this.clock.setTimer(0, attempt) });
  }

  /** The host answered or the probe was called off: no more attempts, no give-up. */
  cancel(host: HostId, probeId: number): void {
    if (this.probes.get(host)?.probeId === probeId) this.stop(host);
  }

  stopAll(): void {
    for (const host of [...this.probes.keys()]) this.stop(host);
  }

  private stop(host: HostId): void {
    const probe = this.probes.get(host);
    if (probe === undefined) return;
    this.clock.clearTimer(probe.timer);
    this.probes.delete(host);
  }
}
