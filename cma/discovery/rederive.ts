/**
 * `rederive` on a DiscoveryResult: the graph no longer follows that document exactly, so its next
 * change is written in full instead of by row diff (row-diff.ts); every write of the result clears
 * it. Set by writes of other plugins that remove or add part of what it derived (a processes write
 * ending socket owners the tcp result created, a tcp write creating processes the processes result
 * never listed, a netconfig write moving addresses the host's own connections went through), and by
 * a cleanup that stopped at its bound (the rest would never be removed by key).
 */
import type { BatchStatement } from '../graph/write-plan';
import type { IngestContext } from './plugin';
import { stmt } from './plan-kit';
import { discoveryResultKey } from './raw-result';

/**
 * The netconfig write, when addresses may have moved: links between the host's own processes and
 * services through an address it lost are its tcp result's to remove (a loopback dial leaves no
 * record to check them against), so that result's next change is written in full.
 */
export function rederiveTcp(ctx: IngestContext): BatchStatement {
  return stmt(
    `UNWIND $rows AS row
     ${markRederive('true', 'row.tcpResult', 'tcpResult')}`,
    [{ tcpResult: discoveryResultKey(ctx.host, 'tcp') }],
    ctx,
  );
}

/**
 * Cypher tail: when `condition` holds, the DiscoveryResult keyed `key` (if there is one, bound as
 * `variable`) is marked `rederive`: part of what it derived was removed, or a cleanup stopped at its
 * bound, so its next change is written in full instead of by row diff.
 */
export function markRederive(condition: string, key: string, variable: string): string {
  return `WITH *
     OPTIONAL MATCH (${variable}:DiscoveryResult {key: ${key}})
     FOREACH (_ IN CASE WHEN ${condition} AND ${variable} IS NOT NULL THEN [1] ELSE [] END | SET ${variable}.rederive = true)`;
}
