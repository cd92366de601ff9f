#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * Mounted filesystems from /proc/self/mountinfo with their capacity (statfs). Kernel pseudo
 * filesystems (proc, sysfs, cgroup, …) are left out unless UNIMATRIX_PARAM_ALL=1. Only capacity is
 * reported, never usage: usage changes all the time and belongs to monitoring.
 */
const fs = require('node:fs');
const { runDiscovery } = require('./lib/envelope');
const { param } = require('./lib/params');
const { readText } = require('./lib/procfs');

const PSEUDO = new Set([
  'proc', 'sysfs', 'cgroup', 'cgroup2', 'devpts', 'mqueue', 'debugfs', 'tracefs', 'securityfs', 'pstore',
  'bpf', 'configfs', 'fusectl', 'hugetlbfs', 'autofs', 'binfmt_misc', 'nsfs', 'rpc_pipefs', 'efivarfs',
  'selinuxfs', 'devtmpfs', 'ramfs',
]);

/** mountinfo escapes space, tab, newline and backslash as octal. @param {string} s */
function unescapeOctal(s) {
  return s.replace(/\\([0-7]{3})/g, (_, oct) => String.fromCharCode(Number.parseInt(oct, 8)));
}

/**
 * @param {string} text /proc/self/mountinfo
 * @returns {Array<{ mount_id: number, device: string, source: string, mountpoint: string, fstype: string,
 *   read_only: boolean, options: string[] }>}
 */
function parseMountinfo(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    const mountId = Number(left[0]);
    const mountpoint = left[4];
    const mountOptions = (left[5] ?? '').split(',');
    const [fstype, source, superOptions] = right;
    if (!Number.isInteger(mountId) || !mountpoint || !fstype) continue;
    out.push({
      mount_id: mountId,
      device: left[2] ?? '',
      source: unescapeOctal(source ?? ''),
      mountpoint: unescapeOctal(mountpoint),
      fstype,
      read_only: mountOptions.includes('ro'),
      options: [...new Set([...mountOptions, ...(superOptions ?? '').split(',')])].filter(Boolean).sort(),
    });
  }
  return out;
}

/** @param {string} mountpoint */
function capacity(mountpoint) {
  try {
    const st = fs.statfsSync(mountpoint);
    return { size_bytes: st.blocks * st.bsize, inodes: st.files };
  } catch {
    return { size_bytes: null, inodes: null };
  }
}

function collect() {
  const all = param('all') === '1';
  const mounts = parseMountinfo(readText('/proc/self/mountinfo') ?? '');
  // Mounted over: when a mount point is mounted twice, only the last (top) mount is visible.
  /** @type {Map<string, (typeof mounts)[number]>} */
  const visible = new Map();
  for (const m of mounts) visible.set(m.mountpoint, m);
  const filesystems = [...visible.values()]
    .filter((m) => all || !PSEUDO.has(m.fstype))
    .map((m) => {
      const { mount_id: _id, ...rest } = m;
      return { ...rest, ...capacity(m.mountpoint) };
    })
    .sort((a, b) => (a.mountpoint < b.mountpoint ? -1 : a.mountpoint > b.mountpoint ? 1 : 0));
  return { filesystems };
}

if (require.main === module) {
  runDiscovery({ discovertype: 'filesystems', description: 'mounted filesystems and their capacity', collect });
}

module.exports = { parseMountinfo };
