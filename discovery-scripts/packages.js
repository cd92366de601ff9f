#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * Installed packages from every package manager present: dpkg, rpm, global npm, pip.
 * A manager that is not installed is listed with the reason, not treated as a failure; when none is
 * present the result is valid and empty, with a reason.
 *
 * Parameters: UNIMATRIX_PARAM_MANAGERS, a comma-separated subset of "dpkg,rpm,npm,pip" (default all).
 */
const { runDiscovery, unavailable } = require('./lib/envelope');
const { runCommand, runJson } = require('./lib/command');
const { param } = require('./lib/params');

/**
 * @typedef {{ manager: string, name: string, version: string, arch: string | null }} Pkg
 * @typedef {{ name: string, available: boolean, count: number, reason: string | null }} ManagerStatus
 * @typedef {{ ok: true, packages: Pkg[] } | { ok: false, reason: string }} ManagerResult
 */

/**
 * @param {string} text dpkg-query output: name TAB version TAB arch TAB status-abbrev
 * @returns {Pkg[]}
 */
function parseDpkg(text) {
  /** @type {Pkg[]} */
  const out = [];
  for (const line of text.split('\n')) {
    const [name, version, arch, status] = line.split('\t');
    // "ii " = wanted install, installed; half-removed packages ("rc" etc.) are not installed.
    if (!name || !version || !status || !status.startsWith('ii')) continue;
    out.push({ manager: 'dpkg', name, version, arch: arch || null });
  }
  return out;
}

/** @param {string} text rpm -qa output: name TAB version-release TAB arch */
function parseRpm(text) {
  /** @type {Pkg[]} */
  const out = [];
  for (const line of text.split('\n')) {
    const [name, version, arch] = line.split('\t');
    if (!name || !version || name === 'gpg-pubkey') continue;
    out.push({ manager: 'rpm', name, version, arch: arch && arch !== '(none)' ? arch : null });
  }
  return out;
}

/** @param {unknown} tree `npm ls -g --json --depth=0` output */
function parseNpm(tree) {
  /** @type {Pkg[]} */
  const out = [];
  const deps = tree && typeof tree === 'object' ? /** @type {Record<string, unknown>} */ (tree).dependencies : undefined;
  if (!deps || typeof deps !== 'object') return out;
  for (const [name, info] of Object.entries(deps)) {
    const version = info && typeof info === 'object' ? /** @type {Record<string, unknown>} */ (info).version : undefined;
    if (typeof version === 'string') out.push({ manager: 'npm', name, version, arch: null });
  }
  return out;
}

/** @param {unknown} list `pip list --format=json` output */
function parsePip(list) {
  /** @type {Pkg[]} */
  const out = [];
  if (!Array.isArray(list)) return out;
  for (const item of list) {
    if (item && typeof item.name === 'string' && typeof item.version === 'string') {
      out.push({ manager: 'pip', name: item.name, version: item.version, arch: null });
    }
  }
  return out;
}

/** @type {Record<string, () => ManagerResult>} */
const MANAGERS = {
  dpkg: () => {
    const res = runCommand('dpkg-query', ['-W', '-f', '${Package}\t${Version}\t${Architecture}\t${db:Status-Abbrev}\n']);
    return res.ok ? { ok: true, packages: parseDpkg(res.stdout) } : { ok: false, reason: res.reason };
  },
  rpm: () => {
    const res = runCommand('rpm', ['-qa', '--queryformat', '%{NAME}\t%{VERSION}-%{RELEASE}\t%{ARCH}\n']);
    return res.ok ? { ok: true, packages: parseRpm(res.stdout) } : { ok: false, reason: res.reason };
  },
  npm: () => {
    // npm exits 1 when the tree has problems (extraneous, missing) but still prints the list.
    const res = runCommand('npm', ['ls', '-g', '--json', '--depth=0'], { timeoutMs: 60_000 });
    if (!res.ok && (res.missing || res.stdout.trim() === '')) return { ok: false, reason: res.reason };
    try {
      return { ok: true, packages: parseNpm(JSON.parse(res.stdout)) };
    } catch {
      return { ok: false, reason: 'npm printed invalid JSON' };
    }
  },
  pip: () => {
    const args = ['-m', 'pip', 'list', '--format=json', '--disable-pip-version-check', '--no-color'];
    const res = runJson('python3', args, { timeoutMs: 60_000 });
    return res.ok ? { ok: true, packages: parsePip(res.value) } : { ok: false, reason: res.reason };
  },
};

function collect() {
  const wanted = (param('managers') ?? Object.keys(MANAGERS).join(','))
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  /** @type {Pkg[]} */
  const packages = [];
  /** @type {ManagerStatus[]} */
  const managers = [];
  for (const name of wanted) {
    const run = MANAGERS[name];
    if (!run) {
      managers.push({ name, available: false, count: 0, reason: `unknown package manager "${name}"` });
      continue;
    }
    const res = run();
    if (res.ok) {
      packages.push(...res.packages);
      managers.push({ name, available: true, count: res.packages.length, reason: null });
    } else {
      managers.push({ name, available: false, count: 0, reason: res.reason });
    }
  }
  const sortKey = (/** @type {Pkg} */ p) => `${p.manager}\0${p.name}\0${p.version}\0${p.arch ?? ''}`;
  packages.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  if (!managers.some((m) => m.available)) {
    return unavailable('no supported package manager found', { managers, packages });
  }
  return { managers, packages };
}

if (require.main === module) {
  runDiscovery({ discovertype: 'packages', description: 'installed packages (dpkg, rpm, npm, pip)', collect });
}

module.exports = { parseDpkg, parseRpm, parseNpm, parsePip };
