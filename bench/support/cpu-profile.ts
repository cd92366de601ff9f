/**
 * A V8 CPU profile of one stretch of a benchmark (`--cpu-profile FILE`): where the CMA's own time goes
 * in the pass that matters, without the setup and the other passes a whole-process `--cpu-prof` mixes
 * in. Open the file in Chrome's DevTools (Performance) or any .cpuprofile viewer.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

export async function cpuProfiled<T>(file: string | undefined, work: () => Promise<T>): Promise<T> {
  if (file === undefined) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}
