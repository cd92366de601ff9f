#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * The neighbour table (ARP for IPv4, NDP for IPv6): which MAC answers for which address on which
 * interface. From `ip -json neigh`, or /proc/net/arp (IPv4 only) without iproute2.
 * Only resolved entries are listed, and without their state (REACHABLE/STALE flips by itself every
 * few seconds and would make every result new).
 */
const { runDiscovery } = require('./lib/envelope');
const { runJson } = require('./lib/command');
const { readText } = require('./lib/procfs');

/**
 * @typedef {{ ip: string, family: 'inet' | 'inet6', dev: string, mac: string, permanent: boolean, router: boolean }} Neighbor
 */

/**
 * @param {unknown} entries `ip -json neigh` output
 * @returns {Neighbor[]}
 */
function parseIpNeigh(entries) {
  if (!Array.isArray(entries)) throw new Error('ip -json neigh did not print a list');
  /** @type {Neighbor[]} */
  const out = [];
  for (const e of entries) {
    if (!e || typeof e.dst !== 'string' || typeof e.lladdr !== 'string' || typeof e.dev !== 'string') continue;
    const state = Array.isArray(e.state) ? e.state.map(String) : [];
    if (state.includes('FAILED') || state.includes('INCOMPLETE')) continue;
    out.push({
      ip: e.dst,
      family: e.dst.includes(':') ? 'inet6' : 'inet',
      dev: e.dev,
      mac: e.lladdr.toLowerCase(),
      permanent: state.includes('PERMANENT'),
      router: e.router === null || e.router === true,
    });
  }
  return out;
}

/**
 * @param {string} text /proc/net/arp
 * @returns {Neighbor[]}
 */
function parseProcArp(text) {
  /** @type {Neighbor[]} */
  const out = [];
  for (const line of text.split('\n').slice(1)) {
    const [ip, , flags, mac, , dev] = line.trim().split(/\s+/);
    if (!ip || !flags || !mac || !dev) continue;
    const f = Number.parseInt(flags, 16);
    if ((f & 0x2) === 0) continue; // ATF_COM: not resolved
    out.push({ ip, family: 'inet', dev, mac: mac.toLowerCase(), permanent: (f & 0x4) !== 0, router: false });
  }
  return out;
}

function collect() {
  const res = runJson('ip', ['-json', 'neigh', 'show']);
  const neighbors = res.ok ? parseIpNeigh(res.value) : parseProcArp(readText('/proc/net/arp') ?? '');
  neighbors.sort((a, b) => (a.dev + a.ip < b.dev + b.ip ? -1 : a.dev + a.ip > b.dev + b.ip ? 1 : 0));
  return { source: res.ok ? 'iproute2' : 'procfs', neighbors };
}

if (require.main === module) {
  runDiscovery({ discovertype: 'arp', description: 'neighbour table (IP to MAC)', collect });
}

module.exports = { parseIpNeigh, parseProcArp };
