#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * TCP endpoints with their owning processes, from /proc/net/tcp{,6} and the socket links in
 * /proc/<pid>/fd (no external tool needed; run as root to see every process's sockets).
 *
 * Output is grouped so that it changes only when the service picture changes, not with every new
 * connection: listeners by address and port; outbound connections by (process, remote address,
 * remote port) without the ephemeral local port; inbound ones by (local port, remote address).
 */
const fs = require('node:fs');
const { runDiscovery } = require('./lib/envelope');
const { readText, readLink, listPids, procStat, transientPids } = require('./lib/procfs');
const { parseProcAddress, isWildcard } = require('./lib/inet');

const STATE_ESTABLISHED = '01';
const STATE_LISTEN = '0A';

/**
 * @typedef {{ local: { ip: string, port: number }, remote: { ip: string, port: number },
 *   state: string, inode: number, family: 'inet' | 'inet6' }} SocketRow
 * @typedef {{ pid: number, starttime: number, comm: string }} Owner
 */

/**
 * Parses one /proc/net/tcp or tcp6 table.
 * @param {string} text
 * @param {'inet' | 'inet6'} family
 * @returns {SocketRow[]}
 */
function parseTcpTable(text, family) {
  /** @type {SocketRow[]} */
  const rows = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const local = parseProcAddress(f[1] ?? '');
    const remote = parseProcAddress(f[2] ?? '');
    const inode = Number(f[9]);
    if (!local || !remote || !Number.isInteger(inode)) continue;
    rows.push({ local, remote, state: f[3] ?? '', inode, family });
  }
  return rows;
}

/**
 * Maps socket inodes to the processes holding them open.
 * @returns {Map<number, Owner[]>}
 */
function socketOwners() {
  /** @type {Map<number, Owner[]>} */
  const owners = new Map();
  for (const pid of listPids()) {
    /** @type {string[]} */
    let fds;
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // exited, or not ours to read
    }
    /** @type {Owner | null | undefined} */
    let owner;
    for (const fd of fds) {
      const m = /^socket:\[(\d+)\]$/.exec(readLink(`/proc/${pid}/fd/${fd}`) ?? '');
      if (!m) continue;
      if (owner === undefined) {
        const st = procStat(pid);
        owner = st ? { pid, starttime: st.starttime, comm: st.comm } : null;
      }
      if (owner === null) break;
      const inode = Number(m[1]);
      const list = owners.get(inode);
      if (!list) owners.set(inode, [owner]);
      else if (!list.some((o) => o.pid === pid)) list.push(owner);
    }
  }
  return owners;
}

/** @param {string} ip */
function familyOf(ip) {
  return ip.includes(':') ? 'inet6' : 'inet';
}

/** @param {Owner[]} list */
function sortOwners(list) {
  return [...list].sort((a, b) => a.pid - b.pid);
}

/**
 * Groups raw socket rows into listeners, outbound and inbound connections.
 * @param {SocketRow[]} rows
 * @param {Map<number, Owner[]>} allOwners
 * @param {Set<number>} skip pids whose sockets are the nanoprobe's own business
 */
function summarize(rows, allOwners, skip) {
  /** Owners that belong in the result; null when only the nanoprobe's own transients hold it. */
  const ownersOf = (/** @type {number} */ inode) => {
    const all = allOwners.get(inode) ?? [];
    const kept = all.filter((o) => !skip.has(o.pid));
    return all.length > 0 && kept.length === 0 ? null : kept;
  };
  /** @type {Map<string, { ip: string, port: number, family: string, processes: Owner[] }>} */
  const listening = new Map();
  for (const r of rows) {
    if (r.state !== STATE_LISTEN) continue;
    const key = `${r.local.ip}|${r.local.port}`;
    const entry = listening.get(key) ?? { ip: r.local.ip, port: r.local.port, family: familyOf(r.local.ip), processes: [] };
    const holders = ownersOf(r.inode);
    if (holders === null) continue;
    for (const o of holders) if (!entry.processes.some((p) => p.pid === o.pid)) entry.processes.push(o);
    listening.set(key, entry);
  }
  const listenKeys = new Set(listening.keys());
  /** @param {string} ip @param {number} port */
  const isListenerPort = (ip, port) =>
    listenKeys.has(`${ip}|${port}`) || listenKeys.has(`0.0.0.0|${port}`) || listenKeys.has(`::|${port}`);

  /** @type {Map<string, { pid: number, starttime: number, comm: string, remote_ip: string, remote_port: number }>} */
  const outbound = new Map();
  /** @type {Map<string, { remote_ip: string, remote_port: number, processes: [] }>} */
  const unowned = new Map();
  /** @type {Map<string, { local_ip: string, local_port: number, remote_ip: string }>} */
  const inbound = new Map();
  for (const r of rows) {
    if (r.state !== STATE_ESTABLISHED) continue;
    if (isListenerPort(r.local.ip, r.local.port)) {
      const key = `${r.local.ip}|${r.local.port}|${r.remote.ip}`;
      inbound.set(key, { local_ip: r.local.ip, local_port: r.local.port, remote_ip: r.remote.ip });
      continue;
    }
    const list = ownersOf(r.inode);
    if (list === null) continue;
    if (list.length === 0) {
      // Held by a process we cannot see (another user's, without root; or another pid namespace).
      const key = `${r.remote.ip}|${r.remote.port}`;
      unowned.set(key, { remote_ip: r.remote.ip, remote_port: r.remote.port, processes: [] });
      continue;
    }
    for (const o of list) {
      const key = `${o.pid}|${o.starttime}|${r.remote.ip}|${r.remote.port}`;
      outbound.set(key, { ...o, remote_ip: r.remote.ip, remote_port: r.remote.port });
    }
  }
  const byText = (/** @type {string} */ a, /** @type {string} */ b) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    listening: [...listening.values()]
      .map((l) => ({ ...l, wildcard: isWildcard(l.ip), processes: sortOwners(l.processes) }))
      .sort((a, b) => a.port - b.port || byText(a.ip, b.ip)),
    outbound: [...outbound.values()].sort(
      (a, b) => a.pid - b.pid || byText(a.remote_ip, b.remote_ip) || a.remote_port - b.remote_port,
    ),
    outbound_unowned: [...unowned.values()].sort(
      (a, b) => byText(a.remote_ip, b.remote_ip) || a.remote_port - b.remote_port,
    ),
    inbound: [...inbound.values()].sort(
      (a, b) => a.local_port - b.local_port || byText(a.local_ip, b.local_ip) || byText(a.remote_ip, b.remote_ip),
    ),
  };
}

function collect() {
  const rows = [
    ...parseTcpTable(readText('/proc/net/tcp') ?? '', 'inet'),
    ...parseTcpTable(readText('/proc/net/tcp6') ?? '', 'inet6'),
  ];
  /** @type {Map<number, number>} */
  const parentOf = new Map();
  for (const pid of listPids()) {
    const st = procStat(pid);
    if (st) parentOf.set(pid, st.ppid);
  }
  const skip = transientPids(parentOf);
  return summarize(rows, socketOwners(), skip);
}

if (require.main === module) {
  runDiscovery({ discovertype: 'tcp', description: 'listening TCP services and connections with their processes', collect });
}

module.exports = { parseTcpTable, summarize };
