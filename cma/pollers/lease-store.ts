/**
 * The handover table in the graph: `(NetworkDevice)-[:POLLED_BY {role, since}]->(PollerWorker)`,
 * role `holder` or `incoming` (graph-schema/README.md). Written by the poller service after every
 * change, and read once at start, so a restarted CMA resumes the assignment instead of moving every
 * device. A device taken out of the inventory loses its POLLED_BY links; the node stays (what was
 * polled from it is its history).
 */
import type { DeviceEntry } from './handover';
import type { GraphStore } from '../graph/graph-store';
import { int } from '../graph/values';

type Row = { key: string; holder: string | null; incoming: string | null; remove: boolean };

export class LeaseStore {
  constructor(private readonly store: Pick<GraphStore, 'read' | 'writeBatched'>) {}

  async load(): Promise<Array<[string, DeviceEntry]>> {
    const rows = await this.store.read<{ key: string; holder: string | null; incoming: string | null }>(
      `MATCH (d:NetworkDevice)-[r:POLLED_BY]->(w:PollerWorker)
       WITH d, collect([r.role, w.key]) AS links
       RETURN d.key AS key,
              head([l IN links WHERE l[0] = 'holder' | l[1]]) AS holder,
              head([l IN links WHERE l[0] = 'incoming' | l[1]]) AS incoming`,
    );
    return rows.map((r) => [r.key, { holder: r.holder ?? null, incoming: r.incoming ?? null }]);
  }

  async persist(changes: ReadonlyArray<[string, DeviceEntry | null]>): Promise<void> {
    const rows: Row[] = changes.map(([key, e]) => ({ key, holder: e?.holder ?? null, incoming: e?.incoming ?? null, remove: e === null }));
    await this.store.writeBatched(
      `UNWIND $rows AS row
       MERGE (d:NetworkDevice {key: row.key})
         ON CREATE SET d.firstseen = $now
       SET d.lastupdated = $now
       WITH d, row
       CALL (d, row) {
         OPTIONAL MATCH (d)-[old:POLLED_BY]->(w:PollerWorker)
         WITH old, w, CASE old.role WHEN 'holder' THEN row.holder WHEN 'incoming' THEN row.incoming END AS wanted
         WHERE old IS NOT NULL AND (row.remove OR wanted IS NULL OR wanted <> w.key)
         DELETE old
       }
       WITH d, row
       CALL (d, row) {
         UNWIND [l IN [['holder', row.holder], ['incoming', row.incoming]] WHERE l[1] IS NOT NULL AND NOT row.remove] AS link
         MERGE (w:PollerWorker {key: link[1]})
           ON CREATE SET w.firstseen = $now
         SET w.lastupdated = $now
         MERGE (d)-[r:POLLED_BY {role: link[0]}]->(w)
           ON CREATE SET r.since = $now
       }`,
      rows,
      { now: int(Date.now()) },
    );
  }
}
