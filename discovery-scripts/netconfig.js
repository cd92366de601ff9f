#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * Network configuration: NICs (MAC, MTU, state, speed, duplex, physical or virtual), their addresses
 * with prefix length, and the default gateways. Prefers `ip -json`; without iproute2 it falls back to
 * /sys/class/net, Node's interface list and /proc/net/route, so it always has an answer.
 */
const os = require('node:os');
const fs = require('node:fs');
const { runDiscovery } = require('./lib/envelope');
const { runJson } = require('./lib/command');
const { readText, readLink } = require('./lib/procfs');

/**
 * @typedef {{ family: 'inet' | 'inet6', address: string, prefixlen: number, scope: string }} Address
 * @typedef {{
 *   name: string, ifindex: number | null, mac: string | null, mtu: number | null,
 *   operstate: string | null, link_type: string | null, physical: boolean,
 *   speed_mbps: number | null, duplex: string | null, addresses: Address[],
 * }} Nic
 */

/** @param {string} name @param {string} attr */
function sysAttr(name, attr) {
  const v = readText(`/sys/class/net/${name}/${attr}`);
  return v === null ? null : v.trim();
}

/** Speed in Mb/s; the kernel reports -1 (or refuses) for virtual and unplugged links. */
function sysSpeed(/** @type {string} */ name) {
  const n = Number.parseInt(sysAttr(name, 'speed') ?? '', 10);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** @param {string} name */
function sysDetails(name) {
  const duplex = sysAttr(name, 'duplex');
  return {
    speed_mbps: sysSpeed(name),
    duplex: duplex && duplex !== 'unknown' ? duplex : null,
    // A NIC with a device link is backed by hardware (or a virtual machine's device); veth, bridges,
    // bonds and loopback have none.
    physical: readLink(`/sys/class/net/${name}/device`) !== null,
  };
}

/** @param {unknown} v */
function intOrNull(v) {
  return typeof v === 'number' && Number.isInteger(v) ? v : null;
}
/** @param {unknown} v */
function strOrNull(v) {
  return typeof v === 'string' && v !== '' ? v : null;
}

/**
 * Turns `ip -json addr` into NICs.
 * @param {unknown} links
 * @returns {Nic[]}
 */
function nicsFromIp(links) {
  if (!Array.isArray(links)) throw new Error('ip -json addr did not print a list');
  return links.map((raw) => {
    /** @type {Record<string, unknown>} */
    const link = raw;
    const name = String(link.ifname);
    const addrInfo = Array.isArray(link.addr_info) ? link.addr_info : [];
    /** @type {Address[]} */
    const addresses = [];
    for (/** @type {Record<string, unknown>} */ const a of addrInfo) {
      if ((a.family !== 'inet' && a.family !== 'inet6') || typeof a.local !== 'string') continue;
      addresses.push({
        family: a.family,
        address: a.local,
        prefixlen: intOrNull(a.prefixlen) ?? (a.family === 'inet' ? 32 : 128),
        scope: typeof a.scope === 'string' ? a.scope : 'global',
      });
    }
    return {
      name,
      ifindex: intOrNull(link.ifindex),
      mac: strOrNull(link.address),
      mtu: intOrNull(link.mtu),
      operstate: typeof link.operstate === 'string' ? link.operstate.toLowerCase() : null,
      link_type: strOrNull(link.link_type),
      ...sysDetails(name),
      addresses,
    };
  });
}

/** Fallback without iproute2. @returns {Nic[]} */
function nicsFromSys() {
  /** @type {string[]} */
  let names = [];
  try {
    names = fs.readdirSync('/sys/class/net').sort();
  } catch {
    names = Object.keys(os.networkInterfaces()).sort();
  }
  const ifaces = os.networkInterfaces();
  return names.map((name) => ({
    name,
    ifindex: Number.parseInt(sysAttr(name, 'ifindex') ?? '', 10) || null,
    mac: sysAttr(name, 'address'),
    mtu: Number.parseInt(sysAttr(name, 'mtu') ?? '', 10) || null,
    operstate: sysAttr(name, 'operstate'),
    link_type: null,
    ...sysDetails(name),
    addresses: (ifaces[name] ?? []).map((i) => ({
      family: i.family === 'IPv4' ? /** @type {const} */ ('inet') : /** @type {const} */ ('inet6'),
      address: i.address,
      prefixlen: Number((i.cidr ?? '/0').split('/')[1]),
      scope: i.internal ? 'host' : i.address.startsWith('fe80:') ? 'link' : 'global',
    })),
  }));
}

/**
 * Default routes from `ip -json route` output.
 * @param {unknown} routes
 * @param {'inet' | 'inet6'} family
 */
function defaultRoutes(routes, family) {
  if (!Array.isArray(routes)) return [];
  return routes
    .filter((r) => r && r.dst === 'default' && typeof r.gateway === 'string')
    .map((r) => ({ family, gateway: String(r.gateway), dev: strOrNull(r.dev), metric: intOrNull(r.metric) }));
}

/** IPv4 default routes from /proc/net/route (little-endian hex), for hosts without iproute2. */
function defaultRoutesFromProc() {
  const out = [];
  for (const line of (readText('/proc/net/route') ?? '').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || f[1] !== '00000000' || f[7] !== '00000000' || !f[2]) continue;
    const n = Number.parseInt(f[2], 16);
    const gateway = [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
    out.push({ family: /** @type {const} */ ('inet'), gateway, dev: f[0] ?? null, metric: Number(f[6]) });
  }
  return out;
}

function collect() {
  const addr = runJson('ip', ['-json', 'addr', 'show']);
  if (!addr.ok) {
    return { source: 'sysfs', nics: nicsFromSys(), default_routes: defaultRoutesFromProc(), note: addr.reason };
  }
  const v4 = runJson('ip', ['-json', '-4', 'route', 'show', 'table', 'main']);
  const v6 = runJson('ip', ['-json', '-6', 'route', 'show', 'table', 'main']);
  return {
    source: 'iproute2',
    nics: nicsFromIp(addr.value),
    default_routes: [
      ...(v4.ok ? defaultRoutes(v4.value, 'inet') : defaultRoutesFromProc()),
      ...(v6.ok ? defaultRoutes(v6.value, 'inet6') : []),
    ],
  };
}

if (require.main === module) {
  runDiscovery({ discovertype: 'netconfig', description: 'NICs, addresses and default gateways', collect });
}

module.exports = { nicsFromIp, nicsFromSys, defaultRoutes, defaultRoutesFromProc };
