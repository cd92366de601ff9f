// @ts-check
'use strict';
/** Address text from the kernel's hexadecimal /proc/net tables. */
const os = require('node:os');

/**
 * Bytes of one 32-bit word as /proc prints it: the word is in host byte order.
 * @param {string} hex8
 * @returns {number[]}
 */
function wordBytes(hex8) {
  const n = Number.parseInt(hex8, 16);
  const be = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return os.endianness() === 'LE' ? be.reverse() : be;
}

/**
 * Compressed IPv6 text (RFC 5952: lower case, longest run of zero groups as ::).
 * IPv4-mapped addresses (::ffff:a.b.c.d) come back as plain IPv4, as users write them.
 * @param {number[]} bytes 16 bytes
 * @returns {string}
 */
function formatIPv6(bytes) {
  const isMapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255;
  if (isMapped) return bytes.slice(12).join('.');
  /** @type {number[]} */
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/**
 * Parses "0100007F:1F90" (tcp) or a 32-digit IPv6 form (tcp6) into address and port.
 * @param {string} field
 * @returns {{ ip: string, port: number } | null}
 */
function parseProcAddress(field) {
  const [hexIp, hexPort] = field.split(':');
  if (!hexIp || !hexPort) return null;
  const port = Number.parseInt(hexPort, 16);
  if (hexIp.length === 8) return { ip: wordBytes(hexIp).join('.'), port };
  if (hexIp.length === 32) {
    /** @type {number[]} */
    const bytes = [];
    for (let i = 0; i < 32; i += 8) bytes.push(...wordBytes(hexIp.slice(i, i + 8)));
    return { ip: formatIPv6(bytes), port };
  }
  return null;
}

/** @param {string} ip */
function isLoopback(ip) {
  return ip === '::1' || ip.startsWith('127.');
}

/** @param {string} ip */
function isWildcard(ip) {
  return ip === '0.0.0.0' || ip === '::';
}

module.exports = { formatIPv6, parseProcAddress, isLoopback, isWildcard };
