/**
 * Network-namespace primitives over iproute2. A namespace cannot be freed while a process still runs
 * in it (its veths would linger with it), so deletion always kills the namespace's processes first.
 */
import { mustRun, runCommand, runSync } from './command';

/** `ip -n <ns> …`, throwing with the command line and iproute2's message on failure. */
export function ipIn(ns: string, args: string[]): Promise<string> {
  return mustRun('ip', ['-n', ns, ...args]);
}

export async function addNamespace(name: string): Promise<void> {
  await mustRun('ip', ['netns', 'add', name]);
}

function parseNamespaceList(json: string | null): string[] {
  if (!json || !json.trim()) return [];
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((entry: unknown) => {
    const name = (entry as { name?: unknown } | null)?.name;
    return typeof name === 'string' ? [name] : [];
  });
}

export async function listNamespaces(): Promise<string[]> {
  return parseNamespaceList(await mustRun('ip', ['-j', 'netns', 'list']));
}

export function listNamespacesSync(): string[] {
  return parseNamespaceList(runSync('ip', ['-j', 'netns', 'list']));
}

function parsePids(text: string | null): number[] {
  return (text ?? '')
    .split(/\s+/)
    .filter((t) => /^\d+$/.test(t))
    .map(Number);
}

/** Pids of every process whose network namespace is `name` (empty when the namespace is gone). */
export async function namespacePids(name: string): Promise<number[]> {
  const result = await runCommand('ip', ['netns', 'pids', name]);
  return result.code === 0 ? parsePids(result.stdout) : [];
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone: exactly what we want.
  }
}

/** SIGKILLs everything in the namespace and waits (bounded) until the kernel reports it empty. */
export async function killNamespaceProcesses(name: string, limitMs = 10_000): Promise<number[]> {
  const deadline = Date.now() + limitMs;
  const killed = new Set<number>();
  for (;;) {
    const pids = await namespacePids(name);
    if (pids.length === 0) return [...killed];
    if (Date.now() > deadline) throw new Error(`processes ${pids.join(', ')} in namespace ${name} survive SIGKILL`);
    for (const pid of pids) {
      killed.add(pid);
      killQuietly(pid, 'SIGKILL');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Kills the namespace's processes, then deletes it; its interfaces (veth ends) go with it. */
export async function deleteNamespace(name: string): Promise<void> {
  await killNamespaceProcesses(name);
  const result = await runCommand('ip', ['netns', 'del', name]);
  if (result.code !== 0 && (await listNamespaces()).includes(name)) {
    throw new Error(`could not delete namespace ${name}: ${result.stderr.trim()}`);
  }
}

/** Best-effort synchronous deletion, for the process-exit hook. */
export function deleteNamespaceSync(name: string): void {
  for (const pid of parsePids(runSync('ip', ['netns', 'pids', name]))) killQuietly(pid, 'SIGKILL');
  runSync('ip', ['netns', 'del', name]);
}

export async function setSysctl(ns: string, key: string, value: string): Promise<void> {
  await mustRun('ip', ['netns', 'exec', ns, 'sysctl', '-qw', `${key}=${value}`]);
}
