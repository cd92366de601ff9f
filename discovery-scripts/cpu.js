#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * CPU inventory from /proc/cpuinfo. Only what stays put between runs (model, counts, flags), never
 * clock speeds or load: a result is sent on only when it changes.
 */
const os = require('node:os');
const { runDiscovery } = require('./lib/envelope');
const { readText } = require('./lib/procfs');

/**
 * @param {string} text /proc/cpuinfo
 * @returns {Array<Record<string, string>>} one record per logical CPU
 */
function parseCpuinfo(text) {
  return text
    .split(/\n\s*\n/)
    .map((block) => {
      /** @type {Record<string, string>} */
      const rec = {};
      for (const line of block.split('\n')) {
        const idx = line.indexOf(':');
        if (idx < 0) continue;
        rec[line.slice(0, idx).trim()] = line.slice(idx + 1).trim();
      }
      return rec;
    })
    .filter((rec) => rec.processor !== undefined);
}

function collect() {
  const cpus = parseCpuinfo(readText('/proc/cpuinfo') ?? '');
  const first = cpus[0] ?? {};
  const packages = new Set(cpus.map((c) => c['physical id']).filter((v) => v !== undefined));
  const cores = new Set(cpus.map((c) => `${c['physical id'] ?? 0}/${c['core id'] ?? c.processor}`));
  const logical = cpus.length > 0 ? cpus.length : os.cpus().length;
  return {
    architecture: os.machine(),
    model: first['model name'] ?? os.cpus()[0]?.model ?? null,
    vendor: first.vendor_id ?? null,
    logical_cpus: logical,
    sockets: packages.size > 0 ? packages.size : 1,
    physical_cores: cpus.length > 0 ? cores.size : logical,
    flags: (first.flags ?? '').split(/\s+/).filter(Boolean).sort(),
  };
}

if (require.main === module) {
  runDiscovery({ discovertype: 'cpu', description: 'processor model and counts', collect });
}

module.exports = { parseCpuinfo };
