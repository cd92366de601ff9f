// @ts-check
'use strict';
/**
 * Runs external tools without a shell (arguments are never interpreted), with a timeout and an
 * output cap, and tells "the tool is not installed" apart from "the tool failed".
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

/** Administrative tools (sshd, lldpcli, ip) live in sbin, which is not on every user's PATH. */
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/local/bin', '/usr/bin', '/bin'];

/**
 * Finds an executable by name on PATH plus the sbin directories.
 * @param {string} name
 * @returns {string | null} absolute path, or null when not installed
 */
function findTool(name) {
  if (name.includes('/')) return isExecutable(name) ? name : null;
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/** @param {string} file */
function isExecutable(file) {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * @typedef {{ ok: true, stdout: string, stderr: string }
 *   | { ok: false, missing: boolean, reason: string, stdout: string, stderr: string }} CommandResult
 */

/**
 * @param {string} tool name or path
 * @param {string[]} args
 * @param {{ timeoutMs?: number, maxBytes?: number }} [options]
 * @returns {CommandResult}
 */
function runCommand(tool, args, options = {}) {
  const file = findTool(tool);
  if (file === null) {
    return { ok: false, missing: true, reason: `${tool} is not installed`, stdout: '', stderr: '' };
  }
  const res = spawnSync(file, args, {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 20_000,
    maxBuffer: options.maxBytes ?? 32 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
  });
  const stdout = res.stdout ?? '';
  const stderr = res.stderr ?? '';
  if (res.error) {
    const code = 'code' in res.error ? res.error.code : undefined;
    const reason =
      code === 'ETIMEDOUT' ? `${tool} timed out` : code === 'ENOBUFS' ? `${tool} printed too much` : res.error.message;
    return { ok: false, missing: code === 'ENOENT', reason, stdout, stderr };
  }
  if (res.status !== 0) {
    const firstLine = stableText(stderr.trim().split('\n')[0] ?? '');
    const why = res.signal ? `killed by ${res.signal}` : `exit status ${res.status}`;
    return { ok: false, missing: false, reason: `${tool} failed (${why})${firstLine ? `: ${firstLine}` : ''}`, stdout, stderr };
  }
  return { ok: true, stdout, stderr };
}

/**
 * Tools stamp their messages with the time; a reason that changes at every run would make every
 * result look new to the nanoprobe's change detection, so timestamps are cut out.
 * @param {string} text
 */
function stableText(text) {
  return text
    .replace(/\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?\s*/g, '')
    .slice(0, 300);
}

/**
 * Runs a tool that prints JSON and parses it.
 * @param {string} tool
 * @param {string[]} args
 * @param {{ timeoutMs?: number, maxBytes?: number }} [options]
 * @returns {{ ok: true, value: unknown } | { ok: false, missing: boolean, reason: string }}
 */
function runJson(tool, args, options) {
  const res = runCommand(tool, args, options);
  if (!res.ok) return res;
  try {
    return { ok: true, value: JSON.parse(res.stdout) };
  } catch (err) {
    return { ok: false, missing: false, reason: `${tool} printed invalid JSON: ${String(err)}` };
  }
}

module.exports = { findTool, runCommand, runJson, stableText };
