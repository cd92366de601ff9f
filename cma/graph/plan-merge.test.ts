import { mergePlans } from './plan-merge';
import type { BatchStatement, WritePlan } from './write-plan';

const s = (cypher: string, rows: Array<Record<string, unknown>>, params: Record<string, unknown> = { now: 1 }): BatchStatement => ({ cypher, rows, params });

describe('mergePlans', () => {
  test('statements with the same Cypher and parameters run once with the rows of all', () => {
    const a: WritePlan = [s('raw', [{ host: 'a' }]), s('nics', [{ host: 'a', n: 1 }, { host: 'a', n: 2 }])];
    const b: WritePlan = [s('raw', [{ host: 'b' }]), s('nics', [{ host: 'b', n: 1 }])];
    const merged = mergePlans([a, b]);
    expect(merged.map((m) => [m.cypher, m.rows.map((r) => r.host)])).toEqual([
      ['raw', ['a', 'b']],
      ['nics', ['a', 'a', 'b']],
    ]);
    // The inputs are not changed.
    expect(a[0]!.rows).toEqual([{ host: 'a' }]);
  });

  test('other parameters keep statements apart', () => {
    const merged = mergePlans([[s('touch', [{ k: 1 }], { now: 1 })], [s('touch', [{ k: 2 }], { now: 2 })]]);
    expect(merged).toHaveLength(2);
  });

  test("each plan's statements keep their order in the merged plan, whatever the other plans hold", () => {
    const a: WritePlan = [s('raw', [{ p: 'a' }]), s('x', [{ p: 'a' }]), s('cleanup', [{ p: 'a' }])];
    const b: WritePlan = [s('raw', [{ p: 'b' }]), s('y', [{ p: 'b' }]), s('cleanup', [{ p: 'b' }])];
    const c: WritePlan = [s('cleanup', [{ p: 'c' }]), s('raw', [{ p: 'c' }])];
    const merged = mergePlans([a, b, c]).map((m) => m.cypher);
    for (const plan of [a, b, c]) {
      const positions = plan.map((st) => merged.indexOf(st.cypher, 0));
      // Every statement of the plan is found, in increasing positions (a super-sequence).
      let last = -1;
      for (const st of plan) {
        const at = merged.findIndex((m, i) => i > last && m === st.cypher);
        expect(at).toBeGreaterThan(last);
        last = at;
      }
      expect(positions.every((p) => p >= 0)).toBe(true);
    }
    // Every row lands exactly once.
    expect(mergePlans([a, b, c]).flatMap((m) => m.rows).length).toBe(8);
  });

  test('a single plan comes back as it is', () => {
    const plan: WritePlan = [s('x', [])];
    expect(mergePlans([plan])).toBe(plan);
  });
});
