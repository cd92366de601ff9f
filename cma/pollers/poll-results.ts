/**
 * A device command's latest result in the graph: `(NetworkDevice)-[:HAS_POLL]->(PollResult)`, one
 * per (device, command), with the parsed records as JSON (as TextFSM gave them), or the text, or the
 * failure. Pollers send a result only when it changed, so each write is news; the message is
 * acknowledged only once this is stored.
 */
import type { GraphStore } from '../graph/graph-store';
import { int } from '../graph/values';
import type { PayloadOf } from '../../protocol/message-types';
import { encodeRawJson } from '../discovery/raw-json';

export function pollResultKey(device: string, command: string): string {
  return `${device}/${command}`;
}

export async function storePollResult(store: Pick<GraphStore, 'writeBatched'>, worker: string, r: PayloadOf<'POLL_RESULT'>, now = Date.now()): Promise<void> {
  const ok = r.outcome.ok;
  const records = ok && r.outcome.records !== undefined ? encodeRawJson(JSON.stringify(r.outcome.records)) : null;
  const row = {
    device: r.device,
    key: pollResultKey(r.device, r.command),
    command: r.command,
    worker,
    hash: r.contentHash,
    started: int(r.startedAt),
    duration: int(r.durationMs),
    status: ok ? 'ok' : 'error',
    records: records?.json ?? null,
    records_deflate: records?.jsonDeflate ?? null,
    record_count: ok && r.outcome.records !== undefined ? int(r.outcome.records.length) : null,
    text: ok ? (r.outcome.text ?? null) : null,
    error_code: ok ? null : r.outcome.code,
    error_message: ok ? null : r.outcome.message,
  };
  await store.writeBatched(
    `UNWIND $rows AS row
     MERGE (d:NetworkDevice {key: row.device})
       ON CREATE SET d.firstseen = $now
     SET d.lastupdated = $now, d.lastpolled = $now
     MERGE (p:PollResult {key: row.key})
       ON CREATE SET p.firstseen = $now
     SET p.command = row.command, p.worker = row.worker, p.hash = row.hash, p.run_started_ms = row.started,
         p.run_duration_ms = row.duration, p.status = row.status, p.records = row.records,
         p.records_deflate = row.records_deflate, p.record_count = row.record_count, p.text = row.text,
         p.error_code = row.error_code, p.error_message = row.error_message, p.lastupdated = $now,
         p.changedat = $now
     MERGE (d)-[h:HAS_POLL]->(p)
       ON CREATE SET h.firstseen = $now
     SET h.lastupdated = $now`,
    [row],
    { now: int(now) },
  );
}
