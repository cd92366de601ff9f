import { StatementProfile } from './statement-profile';

describe('StatementProfile', () => {
  it('sums statements by their squeezed Cypher text, largest time first', () => {
    const profile = new StatementProfile(20);
    profile.record('UNWIND $rows AS row\n   MERGE (n:A {key: row.key})', 10, 5);
    profile.record('UNWIND $rows AS row MERGE (n:A {key: row.key})', 20, 7);
    profile.record('MATCH (n) RETURN n', 0, 1);
    expect(profile.summary()).toEqual([
      { shape: 'UNWIND $rows AS row ', statements: 2, rows: 30, ms: 12 },
      { shape: 'MATCH (n) RETURN n', statements: 1, rows: 0, ms: 1 },
    ]);
    expect(profile.totalMs).toBe(13);
  });

  it('forgets statements and transactions on reset', () => {
    const profile = new StatementProfile();
    profile.record('RETURN 1', 0, 3);
    profile.recordTransaction(9);
    expect(profile.transactions).toEqual({ count: 1, ms: 9 });
    profile.reset();
    expect(profile.summary()).toEqual([]);
    expect(profile.transactions).toEqual({ count: 0, ms: 0 });
  });
});
