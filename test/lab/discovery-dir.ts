/**
 * A discovery directory of a lab host's own (`nanoprobe --discovery-dir`, searched before the built-in
 * discovery-scripts/), holding small wrappers that run the real scripts:
 *
 *  - `lldp` names the host's lldpd control socket. Lab namespaces share the file system, so each lab
 *    lldpd has a socket of its own (test/lab/lldp.ts), and the script's default (/run/lldpd.socket)
 *    is nobody's. The CMA sends every host the same request parameters, and the nanoprobe passes a
 *    script nothing of its own environment but PATH, HOME and TMPDIR: a per-host setting can only
 *    come from a per-host directory like this one (what an operator would do for such a host).
 *  - `delays` hold a script back before it runs: the lab test uses them to fix the order in which
 *    a host's results reach the CMA (which otherwise depends on scheduling).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LabHost } from './lab-nodes';

const SCRIPTS = path.resolve(__dirname, '..', '..', 'discovery-scripts');

export type DiscoveryDirOptions = {
  /** Seconds to wait before running a script, by discovery name (e.g. `{ lldp: 8 }`). */
  delays?: Record<string, number>;
};

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function writeWrapper(dir: string, name: string, lines: string[]): void {
  const file = path.join(dir, name);
  writeFileSync(file, ['#!/bin/sh', ...lines, `exec ${quote(path.join(SCRIPTS, `${name}.js`))} "$@"`, ''].join('\n'));
  chmodSync(file, 0o755);
}

/** Writes the wrappers for `host` (whose lldpd must be running) into `dir` and returns `dir`. */
export function labDiscoveryDir(host: LabHost, dir: string, options: DiscoveryDirOptions = {}): string {
  const socket = host.lldp?.socket;
  if (socket === undefined) throw new Error(`host ${host.name} runs no lldpd: start it first (topology lldp: true)`);
  mkdirSync(dir, { recursive: true });
  const delays = options.delays ?? {};
  const delay = (name: string): string[] => {
    const s = delays[name];
    return s === undefined ? [] : [`sleep ${String(Math.max(0, Math.round(s)))}`];
  };
  writeWrapper(dir, 'lldp', [
    `# ${host.name}: this host's lab lldpd listens on its own control socket.`,
    `UNIMATRIX_PARAM_SOCKET="\${UNIMATRIX_PARAM_SOCKET:-${socket}}"`,
    'export UNIMATRIX_PARAM_SOCKET',
    ...delay('lldp'),
  ]);
  for (const name of Object.keys(delays).filter((n) => n !== 'lldp')) {
    if (!/^[a-z][a-z0-9_-]*$/.test(name)) throw new Error(`not a discovery script name: ${name}`);
    writeWrapper(dir, name, [`# held back so that ${host.name}'s ${name} result reaches the CMA late`, ...delay(name)]);
  }
  return dir;
}
