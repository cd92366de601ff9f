import { isStaleRejoin, newerJoinId } from './stale-rejoin';

describe('stale REJOIN rule', () => {
  it('ignores only a REJOIN naming a join older than the current one', () => {
    expect(isStaleRejoin(41, 42)).toBe(true); // sent while the CMA still knew our previous join
    expect(isStaleRejoin(0, 42)).toBe(true); // sent before this CMA had accepted any join of ours
    expect(isStaleRejoin(42, 42)).toBe(false); // the CMA revokes the join we hold
    expect(isStaleRejoin(43, 42)).toBe(false); // it accepted a newer join than we heard of
  });

  it('obeys whenever either side carries no join id (an older CMA)', () => {
    expect(isStaleRejoin(undefined, 42)).toBe(false);
    expect(isStaleRejoin(41, undefined)).toBe(false);
    expect(isStaleRejoin(undefined, undefined)).toBe(false);
  });

  it('keeps the newer join id when the CMA answers again while joined', () => {
    expect(newerJoinId(42, 43)).toBe(43);
    expect(newerJoinId(43, 42)).toBe(43);
    expect(newerJoinId(undefined, 42)).toBe(42);
    expect(newerJoinId(42, undefined)).toBe(42);
  });
});
