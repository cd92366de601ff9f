import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadMigrations, splitStatements } from './migrations';

describe('migration files', () => {
  test('statements are split at line-ending semicolons and comments are dropped', () => {
    const text = '// a comment\nCREATE INDEX a IF NOT EXISTS FOR (n:A) ON (n.x);\n\nCREATE INDEX b IF NOT EXISTS\n  FOR (n:B) ON (n.y);\n';
    expect(splitStatements(text)).toEqual(['CREATE INDEX a IF NOT EXISTS FOR (n:A) ON (n.x)', 'CREATE INDEX b IF NOT EXISTS\n  FOR (n:B) ON (n.y)']);
  });

  test('the project ships ordered migrations with statements', () => {
    const migrations = loadMigrations();
    expect(migrations.length).toBeGreaterThanOrEqual(2);
    expect(migrations.map((m) => m.version)).toEqual([...migrations.map((m) => m.version)].sort((a, b) => a - b));
    for (const m of migrations) expect(m.statements.length).toBeGreaterThan(0);
  });

  test('two files with one version are refused', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-mig-'));
    writeFileSync(path.join(dir, '001-a.cypher'), 'RETURN 1;');
    writeFileSync(path.join(dir, '001-b.cypher'), 'RETURN 2;');
    expect(() => loadMigrations(dir)).toThrow(/share version 1/);
  });
});
