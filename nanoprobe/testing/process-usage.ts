/**
 * BENCHMARK HELPER: CPU time and memory of another process, read from /proc (Linux). CPU is user +
 * system time in clock ticks (USER_HZ, 100 on Linux for this interface), so a window of a minute
 * resolves 0.02% of a core.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second in /proc/<pid>/stat; fixed at 100 by the kernel's user ABI on Linux. */
export const USER_HZ = 100;

export type ProcessSample = { at: number; cpuMs: number; rssMb: number; peakRssMb: number };

export function sampleProcess(pid: number): ProcessSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { at: performance.now(), cpuMs: ((utime + stime) * 1000) / USER_HZ, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/** Percent of one core used between two samples. */
export function cpuPercent(from: ProcessSample, to: ProcessSample): number {
  return (100 * (to.cpuMs - from.cpuMs)) / (to.at - from.at);
}
