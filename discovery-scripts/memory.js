#!/usr/bin/env node
// @ts-check
'use strict';
/** Memory capacity from /proc/meminfo: totals only (usage changes every second; that is monitoring). */
const { runDiscovery } = require('./lib/envelope');
const { readText } = require('./lib/procfs');

/**
 * @param {string} text /proc/meminfo
 * @returns {Record<string, number>} values in bytes (kB lines converted), plain counts as they are
 */
function parseMeminfo(text) {
  /** @type {Record<string, number>} */
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(\s+kB)?$/.exec(line.trim());
    if (!m || !m[1] || !m[2]) continue;
    out[m[1]] = Number(m[2]) * (m[3] ? 1024 : 1);
  }
  return out;
}

function collect() {
  const info = parseMeminfo(readText('/proc/meminfo') ?? '');
  return {
    total_bytes: info.MemTotal ?? null,
    swap_total_bytes: info.SwapTotal ?? null,
    hugepage_size_bytes: info.Hugepagesize ?? null,
    hugepages_total: info.HugePages_Total ?? null,
  };
}

if (require.main === module) {
  runDiscovery({ discovertype: 'memory', description: 'memory and swap capacity', collect });
}

module.exports = { parseMeminfo };
