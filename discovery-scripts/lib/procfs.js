// @ts-check
'use strict';
/**
 * Reading /proc without tripping over processes that exit while we look: every read may fail and
 * returns null instead of throwing.
 */
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');

/**
 * @param {string} file
 * @returns {string | null}
 */
function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * @param {string} link
 * @returns {string | null}
 */
function readLink(link) {
  try {
    return fs.readlinkSync(link);
  } catch {
    return null;
  }
}

/** @returns {number[]} the pids visible in /proc, ascending */
function listPids() {
  /** @type {string[]} */
  let names;
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  return names
    .filter((n) => /^[0-9]+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
}

/** @type {number | undefined} */
let ticksCache;
/** Kernel clock ticks per second (USER_HZ), the unit of starttime in /proc/<pid>/stat. */
function clockTicks() {
  if (ticksCache === undefined) {
    const res = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number.parseInt((res.stdout ?? '').trim(), 10);
    ticksCache = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return ticksCache;
}

/** Boot time in ms since the epoch (the `btime` line of /proc/stat), or null. */
function bootTimeMs() {
  const stat = readText('/proc/stat') ?? '';
  const m = /^btime (\d+)$/m.exec(stat);
  return m && m[1] ? Number(m[1]) * 1000 : null;
}

/**
 * @typedef {{
 *   pid: number,
 *   ppid: number,
 *   comm: string,
 *   state: string,
 *   starttime: number,
 *   start_ms: number | null,
 *   kernel_thread: boolean,
 * }} ProcStat
 */

/**
 * Parses /proc/<pid>/stat. The process name (field 2) may hold spaces and parentheses, so the fields
 * are counted from the LAST closing parenthesis.
 * @param {number} pid
 * @returns {ProcStat | null}
 */
function procStat(pid) {
  const text = readText(`/proc/${pid}/stat`);
  if (text === null) return null;
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = text.slice(close + 2).trim().split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const state = rest[0] ?? '?';
  const ppid = Number(rest[1]);
  const starttime = Number(rest[19]);
  const flags = Number(rest[6]);
  if (!Number.isInteger(ppid) || !Number.isInteger(starttime)) return null;
  const boot = bootTimeMs();
  return {
    pid,
    ppid,
    comm: text.slice(open + 1, close),
    state,
    starttime,
    // Whole milliseconds: integers stay integers all the way into the graph.
    start_ms: boot === null ? null : boot + Math.round((starttime * 1000) / clockTicks()),
    // PF_KTHREAD: a kernel thread, whatever pid namespace we look from.
    kernel_thread: Number.isInteger(flags) && (flags & 0x00200000) !== 0,
  };
}

/**
 * The real uid of a process (first number on the Uid: line of /proc/<pid>/status).
 * @param {number} pid
 * @returns {number | null}
 */
function procUid(pid) {
  const status = readText(`/proc/${pid}/status`);
  const m = status === null ? null : /^Uid:\s+(\d+)/m.exec(status);
  return m && m[1] ? Number(m[1]) : null;
}

/** @type {Map<number, string> | undefined} */
let usersCache;
/**
 * User name for a uid from /etc/passwd (local accounts; directory users show as their number).
 * @param {number} uid
 * @returns {string}
 */
function userName(uid) {
  if (usersCache === undefined) {
    usersCache = new Map();
    for (const line of (readText('/etc/passwd') ?? '').split('\n')) {
      const parts = line.split(':');
      const id = Number(parts[2]);
      if (parts[0] && Number.isInteger(id) && !usersCache.has(id)) usersCache.set(id, parts[0]);
    }
  }
  return usersCache.get(uid) ?? String(uid);
}

/**
 * Pids of every descendant of `root` (not root itself), from the ppid links in /proc.
 * Used to leave the nanoprobe's own short-lived children (other discovery runs) out of results.
 * @param {number} root
 * @param {Map<number, number>} parentOf pid -> ppid
 * @returns {Set<number>}
 */
function descendantsOf(root, parentOf) {
  /** @type {Map<number, number[]>} */
  const children = new Map();
  for (const [pid, ppid] of parentOf) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out = new Set();
  const stack = [...(children.get(root) ?? [])];
  while (stack.length > 0) {
    const pid = /** @type {number} */ (stack.pop());
    if (out.has(pid)) continue;
    out.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/**
 * Processes a result should not contain: this script itself and, when the nanoprobe ran it, every
 * other process the nanoprobe started (their pids change at every run, which would make every result
 * look "changed"). The runner announces itself in UNIMATRIX_RUNNER_PID.
 * @param {Map<number, number>} parentOf
 * @returns {Set<number>}
 */
function transientPids(parentOf) {
  const skip = new Set([process.pid]);
  const runner = Number(process.env.UNIMATRIX_RUNNER_PID);
  if (Number.isInteger(runner) && runner > 0) {
    for (const pid of descendantsOf(runner, parentOf)) skip.add(pid);
  }
  return skip;
}

module.exports = {
  readText,
  readLink,
  listPids,
  clockTicks,
  bootTimeMs,
  procStat,
  procUid,
  userName,
  descendantsOf,
  transientPids,
};
