/**
 * A discovery directory of a lab host's own (`nanoprobe --discovery-dir`, searched before the built-in
 * discovery-scripts/), holding small wrappers that run the real scripts:
 *
 *  - `lldp` names the host's lldpd control socket. Lab namespaces share the file system, so each lab
 *    lldpd has a socket of its own (test/lab/lldp.ts), and the script's default (/run/lldpd.socket)
 *    is nobody's. The CMA sends every host the same request parameters, and the nanoprobe passes a
 *    script nothing of its own environment but PATH, HOME and TMPDIR: a per-host setting can only
 *    come from a per-host directory like this one (what an operator would do for such a host).
 *  - `held` scripts wait, before they run, until the test releases them (`releaseHeld`): the lab test
 *    uses them to force the order in which a host's results reach the CMA (a gate, not a delay: on a
 *    loaded machine no delay is long enough to be sure).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LabHost } from './lab-nodes';

const SCRIPTS = path.resolve(__dirname, '..', '..', 'discovery-scripts');

export type DiscoveryDirOptions = {
  /** Discovery names whose scripts wait for `releaseHeld` before they run (e.g. `['lldp']`). */
  held?: readonly string[];
};

/** How long a held script waits for its release at the most (then it runs anyway: a test that forgot). */
const HOLD_LIMIT_S = 300;

function gateFile(dir: string, name: string): string {
  return path.join(dir, `release-${name}`);
}

/** Lets the held script `name` of the discovery directory `dir` run (now and every later run). */
export function releaseHeld(dir: string, name: string): void {
  writeFileSync(gateFile(dir, name), '');
}

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
  const held = new Set(options.held ?? []);
  const hold = (name: string): string[] =>
    held.has(name) ? [`n=0; while [ ! -e ${quote(gateFile(dir, name))} ] && [ $n -lt ${HOLD_LIMIT_S * 5} ]; do sleep 0.2; n=$((n+1)); done`] : [];
  writeWrapper(dir, 'lldp', [
    `# ${host.name}: this host's lab lldpd listens on its own control socket.`,
    `UNIMATRIX_PARAM_SOCKET="\${UNIMATRIX_PARAM_SOCKET:-${socket}}"`,
    'export UNIMATRIX_PARAM_SOCKET',
    ...hold('lldp'),
  ]);
  for (const name of [...held].filter((n) => n !== 'lldp')) {
    if (!/^[a-z][a-z0-9_-]*$/.test(name)) throw new Error(`not a discovery script name: ${name}`);
    writeWrapper(dir, name, [`# held until released, so that ${host.name}'s ${name} result reaches the CMA late`, ...hold(name)]);
  }
  return dir;
}
