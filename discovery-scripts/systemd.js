#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * systemd units with their load, active and sub states, and whether their unit file is enabled.
 * On a host whose init is not systemd (containers, other inits) the result is valid and empty with a
 * reason: systemd's own test for "booted with systemd" is the directory /run/systemd/system.
 *
 * Parameters: UNIMATRIX_PARAM_TYPES, comma-separated unit types to list (default "service,socket,
 * mount,timer,target"); "all" lists every type.
 */
const fs = require('node:fs');
const { runDiscovery, unavailable } = require('./lib/envelope');
const { runCommand } = require('./lib/command');
const { param } = require('./lib/params');

/**
 * @typedef {{ name: string, type: string, load: string, active: string, sub: string, description: string,
 *   unit_file_state: string | null }} Unit
 */

/**
 * Parses `systemctl list-units --all --plain --no-legend --full` output: UNIT LOAD ACTIVE SUB DESCRIPTION…
 * Failed units may carry a leading status glyph (●), which --plain should drop; it is stripped anyway.
 * @param {string} text
 * @returns {Omit<Unit, 'unit_file_state'>[]}
 */
function parseListUnits(text) {
  const out = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^\s*[●*×]\s*/, '').trim();
    if (!line) continue;
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!m || !m[1]) continue;
    const name = m[1];
    const dot = name.lastIndexOf('.');
    out.push({
      name,
      type: dot >= 0 ? name.slice(dot + 1) : '',
      load: m[2] ?? '',
      active: m[3] ?? '',
      sub: m[4] ?? '',
      description: m[5] ?? '',
    });
  }
  return out;
}

/**
 * Parses `systemctl list-unit-files --plain --no-legend` output: UNIT-FILE STATE [PRESET].
 * @param {string} text
 * @returns {Map<string, string>}
 */
function parseUnitFiles(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    const [name, state] = line.trim().split(/\s+/);
    if (name && state) out.set(name, state);
  }
  return out;
}

function collect() {
  const types = param('types') ?? 'service,socket,mount,timer,target';
  const empty = { units: [] };
  if (!fs.existsSync('/run/systemd/system')) {
    return unavailable('systemd is not the init system here (no /run/systemd/system)', empty);
  }
  const typeArgs = types === 'all' ? [] : [`--type=${types}`];
  const units = runCommand('systemctl', ['list-units', '--all', '--plain', '--no-legend', '--no-pager', '--full', ...typeArgs]);
  if (!units.ok) return unavailable(units.reason, empty);
  const files = runCommand('systemctl', ['list-unit-files', '--plain', '--no-legend', '--no-pager', ...typeArgs]);
  const fileStates = files.ok ? parseUnitFiles(files.stdout) : new Map();
  return {
    units: parseListUnits(units.stdout)
      .map((u) => ({ ...u, unit_file_state: fileStates.get(u.name) ?? null }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}

if (require.main === module) {
  runDiscovery({ discovertype: 'systemd', description: 'systemd units and their states', collect });
}

module.exports = { parseListUnits, parseUnitFiles };
