#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * LLDP neighbours from a running lldpd, read with `lldpcli -f json0 show neighbors details`
 * (json0 keeps every value in a list, so the shape does not change with the number of values).
 * Also reports this host's own chassis as lldpd announces it, so both ends of a wire can be matched.
 *
 * Parameters: UNIMATRIX_PARAM_SOCKET, the control socket of the lldpd instance to ask (for hosts,
 * containers or lab namespaces that run lldpd with `-u <socket>`); default: lldpd's own default.
 * Without lldpcli, or without a reachable lldpd, the result is valid and empty, with a reason.
 */
const { runDiscovery, unavailable } = require('./lib/envelope');
const { runJson } = require('./lib/command');
const { param } = require('./lib/params');

/**
 * @typedef {Record<string, unknown>} Obj
 */

/** @param {unknown} v @returns {Obj[]} */
function list(v) {
  return Array.isArray(v) ? v.filter((x) => x && typeof x === 'object') : [];
}

/** The first `value` of a json0 list, as text. @param {unknown} v */
function firstValue(v) {
  const item = list(v)[0];
  return item && typeof item.value === 'string' ? item.value : null;
}

/** All `value`s of a json0 list. @param {unknown} v */
function allValues(v) {
  return list(v)
    .map((x) => x.value)
    .filter(/** @returns {x is string} */ (x) => typeof x === 'string');
}

/** @param {unknown} v json0 `id` list: [{type, value}] */
function idOf(v) {
  const item = list(v)[0];
  return {
    id: item && typeof item.value === 'string' ? item.value : null,
    id_type: item && typeof item.type === 'string' ? item.type : null,
  };
}

/** @param {unknown} chassisList */
function chassisOf(chassisList) {
  const c = list(chassisList)[0] ?? {};
  return {
    ...idOf(c.id),
    name: firstValue(c.name),
    descr: firstValue(c.descr),
    mgmt_ips: allValues(c['mgmt-ip']),
    capabilities: list(c.capability)
      .filter((cap) => typeof cap.type === 'string')
      .map((cap) => ({ type: String(cap.type), enabled: cap.enabled === true })),
  };
}

/**
 * Neighbours from `show neighbors details` json0 output. Volatile fields (age, remote index, TTL) are
 * left out so that an unchanged wiring gives an unchanged result.
 * @param {unknown} doc
 */
function parseNeighbors(doc) {
  const root = doc && typeof doc === 'object' ? /** @type {Obj} */ (doc) : {};
  const neighbors = [];
  for (const section of list(root.lldp)) {
    for (const iface of list(section.interface)) {
      const port = list(iface.port)[0] ?? {};
      const vlans = list(iface.vlan).map((v) => ({
        id: typeof v['vlan-id'] === 'string' ? Number.parseInt(v['vlan-id'], 10) : null,
        name: typeof v.value === 'string' ? v.value : null,
        pvid: v.pvid === true,
      }));
      neighbors.push({
        interface: typeof iface.name === 'string' ? iface.name : null,
        via: typeof iface.via === 'string' ? iface.via : null,
        chassis: chassisOf(iface.chassis),
        port: { ...idOf(port.id), descr: firstValue(port.descr) },
        vlans,
      });
    }
  }
  return neighbors.sort((a, b) => String(a.interface).localeCompare(String(b.interface)));
}

/** @param {unknown} doc `show chassis` json0 output */
function parseLocalChassis(doc) {
  const root = doc && typeof doc === 'object' ? /** @type {Obj} */ (doc) : {};
  const local = list(root['local-chassis'])[0];
  if (!local) return null;
  const { id, id_type, name, descr } = chassisOf(local.chassis);
  return { id, id_type, name, descr };
}

function collect() {
  const socket = param('socket');
  const base = socket ? ['-u', socket, '-f', 'json0'] : ['-f', 'json0'];
  const empty = { socket: socket ?? null, local_chassis: null, neighbors: [] };
  const neighbors = runJson('lldpcli', [...base, 'show', 'neighbors', 'details'], { timeoutMs: 15_000 });
  if (!neighbors.ok) {
    return unavailable(neighbors.missing ? 'lldpcli is not installed (package lldpd)' : neighbors.reason, empty);
  }
  const chassis = runJson('lldpcli', [...base, 'show', 'chassis'], { timeoutMs: 15_000 });
  return {
    socket: socket ?? null,
    local_chassis: chassis.ok ? parseLocalChassis(chassis.value) : null,
    neighbors: parseNeighbors(neighbors.value),
  };
}

if (require.main === module) {
  runDiscovery({ discovertype: 'lldp', description: 'LLDP neighbours (switch ports) seen by lldpd', collect });
}

module.exports = { parseNeighbors, parseLocalChassis };
