#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * Effective OpenSSH server settings, as `sshd -T` prints them after applying defaults and the
 * configuration file (for audits: PermitRootLogin, PasswordAuthentication, ciphers, …).
 * Keys are lower case as sshd prints them; a keyword given several times (hostkey, listenaddress,
 * subsystem) becomes a list, every other one a single string.
 *
 * Parameters: UNIMATRIX_PARAM_CONFIG (an sshd_config other than the default),
 * UNIMATRIX_PARAM_SSHD (path of the sshd binary). Needs root (sshd reads its host keys).
 * Without sshd, or when sshd refuses to print its settings, the result is valid and empty with a reason.
 */
const { runDiscovery, unavailable } = require('./lib/envelope');
const { runCommand } = require('./lib/command');
const { param } = require('./lib/params');

/** Keywords that may legitimately appear more than once; they are always lists. */
const MULTI = new Set([
  'hostkey', 'listenaddress', 'port', 'subsystem', 'acceptenv', 'setenv', 'hostcertificate', 'include',
  'permitopen', 'permitlisten', 'channeltimeout',
]);

/**
 * @param {string} text `sshd -T` output
 * @returns {Record<string, string | string[]>}
 */
function parseSshdT(text) {
  /** @type {Record<string, string | string[]>} */
  const settings = {};
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s*(.*)$/.exec(line.trim());
    if (!m || !m[1]) continue;
    const key = m[1].toLowerCase();
    const value = (m[2] ?? '').trim();
    const prev = settings[key];
    if (MULTI.has(key)) settings[key] = Array.isArray(prev) ? [...prev, value] : [value];
    else if (prev === undefined) settings[key] = value;
    else settings[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return settings;
}

function collect() {
  const sshd = param('sshd') ?? 'sshd';
  const config = param('config');
  const args = config ? ['-T', '-f', config] : ['-T'];
  const empty = { config: config ?? null, settings: {} };
  const res = runCommand(sshd, args, { timeoutMs: 15_000 });
  if (!res.ok) {
    return unavailable(res.missing ? `${sshd} is not installed (package openssh-server)` : res.reason, empty);
  }
  return { config: config ?? null, settings: parseSshdT(res.stdout) };
}

if (require.main === module) {
  runDiscovery({ discovertype: 'sshd', description: 'effective OpenSSH server settings (sshd -T)', collect });
}

module.exports = { parseSshdT };
