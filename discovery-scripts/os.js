#!/usr/bin/env node
// @ts-check
'use strict';
/** Operating system: kernel, distribution (from /etc/os-release), architecture, boot time. */
const os = require('node:os');
const { runDiscovery } = require('./lib/envelope');
const { readText, bootTimeMs } = require('./lib/procfs');

/**
 * Parses the os-release format: KEY=value lines, values optionally quoted.
 * @param {string} text
 * @returns {Record<string, string>}
 */
function parseOsRelease(text) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m || !m[1] || m[2] === undefined) continue;
    let value = m[2];
    if (/^(".*"|'.*')$/.test(value)) value = value.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    out[m[1]] = value;
  }
  return out;
}

function collect() {
  const release = parseOsRelease(readText('/etc/os-release') ?? readText('/usr/lib/os-release') ?? '');
  return {
    kernel: os.type(),
    kernel_release: os.release(),
    kernel_version: os.version(),
    architecture: os.machine(),
    hostname: os.hostname(),
    boot_ms: bootTimeMs(),
    machine_id: (readText('/etc/machine-id') ?? '').trim() || null,
    distribution: {
      id: release.ID ?? null,
      name: release.NAME ?? null,
      version_id: release.VERSION_ID ?? null,
      version_codename: release.VERSION_CODENAME ?? null,
      pretty_name: release.PRETTY_NAME ?? null,
      id_like: release.ID_LIKE ? release.ID_LIKE.split(/\s+/) : [],
    },
  };
}

if (require.main === module) {
  runDiscovery({ discovertype: 'os', description: 'kernel, distribution and architecture', collect });
}

module.exports = { parseOsRelease };
