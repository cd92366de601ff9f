#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * Running user-space processes: pid, parent, start time (the pair pid + start time names a process
 * for good, since pids are reused), executable, arguments and user. Kernel threads are left out
 * (they have no executable), as are this script and the nanoprobe's other short-lived children.
 *
 * Parameters: UNIMATRIX_PARAM_MAX_ARGS (default 64) and UNIMATRIX_PARAM_MAX_ARG_CHARS (default 512)
 * bound what one command line may add to the result.
 */
const { runDiscovery } = require('./lib/envelope');
const { param } = require('./lib/params');
const { readText, readLink, listPids, procStat, procUid, userName, transientPids } = require('./lib/procfs');

/** @param {string | undefined} text @param {number} fallback */
function positiveInt(text, fallback) {
  const n = Number.parseInt(text ?? '', 10);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/**
 * Splits /proc/<pid>/cmdline (NUL-separated) and bounds it.
 * @param {string} raw
 * @param {number} maxArgs
 * @param {number} maxChars
 * @returns {{ argv: string[], truncated: boolean }}
 */
function splitCmdline(raw, maxArgs, maxChars) {
  const parts = raw.split('\0');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  let truncated = parts.length > maxArgs;
  const argv = parts.slice(0, maxArgs).map((a) => {
    if (a.length <= maxChars) return a;
    truncated = true;
    return a.slice(0, maxChars);
  });
  return { argv, truncated };
}

function collect() {
  const maxArgs = positiveInt(param('max_args'), 64);
  const maxChars = positiveInt(param('max_arg_chars'), 512);
  const stats = listPids()
    .map((pid) => procStat(pid))
    .filter(/** @returns {s is import('./lib/procfs').ProcStat} */ (s) => s !== null);
  const skip = transientPids(new Map(stats.map((s) => [s.pid, s.ppid])));
  const processes = [];
  for (const st of stats) {
    if (skip.has(st.pid)) continue;
    // Kernel threads are not services; zombies have already exited.
    if (st.kernel_thread || st.state === 'Z' || st.state === 'X') continue;
    const cmdline = readText(`/proc/${st.pid}/cmdline`);
    if (cmdline === null) continue; // exited while we looked
    const uid = procUid(st.pid);
    const exe = readLink(`/proc/${st.pid}/exe`);
    const { argv, truncated } = splitCmdline(cmdline, maxArgs, maxChars);
    if (argv.length === 0 && exe === null) continue; // exited between the reads
    processes.push({
      pid: st.pid,
      ppid: st.ppid,
      starttime: st.starttime,
      start_ms: st.start_ms,
      comm: st.comm,
      // A replaced binary reads "/usr/sbin/x (deleted)": the process still runs the old file.
      exe: exe === null ? null : exe.replace(/ \(deleted\)$/, ''),
      exe_deleted: exe !== null && exe.endsWith(' (deleted)'),
      argv,
      argv_truncated: truncated,
      uid,
      user: uid === null ? null : userName(uid),
    });
  }
  return { processes };
}

if (require.main === module) {
  runDiscovery({ discovertype: 'processes', description: 'running processes with executable, arguments and user', collect });
}

module.exports = { splitCmdline };
