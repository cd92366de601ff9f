/**
 * The named queries users can run: the project's own from `cypher/`, and an operator's from extra
 * directories, searched first (so an operator can replace a built-in query by naming a file the same).
 * A file that does not parse is left out and reported in `problems`, never fatal: one broken query
 * must not take the API down with it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../common/project-package';
import { describeType } from './query-params';
import { parseQueryFile, type NamedQuery } from './query-file';

export function builtinQueryDir(): string {
  return path.join(projectRoot(), 'cypher');
}

/** A query as the API and the CLI list it. */
export type QuerySummary = {
  name: string;
  description: string;
  parameters: Array<{ name: string; type: string; required: boolean; default: unknown; description: string }>;
};

export class QueryCatalog {
  private readonly byName = new Map<string, NamedQuery>();
  readonly problems: string[] = [];

  /** `dirs` in search order; the first query of a name wins. Missing directories are reported. */
  constructor(dirs: readonly string[] = [builtinQueryDir()]) {
    for (const dir of dirs) {
      if (!existsSync(dir)) {
        this.problems.push(`${dir}: no such directory`);
        continue;
      }
      const files = readdirSync(dir).filter((f) => f.endsWith('.cypher')).sort();
      for (const f of files) {
        const file = path.join(dir, f);
        try {
          const query = parseQueryFile(file, readFileSync(file, 'utf8'));
          if (!this.byName.has(query.name)) this.byName.set(query.name, query);
        } catch (err) {
          this.problems.push(err instanceof Error ? err.message : String(err));
        }
      }
    }
  }

  get(name: string): NamedQuery | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  list(): QuerySummary[] {
    return this.names().map((n) => summarise(this.byName.get(n) as NamedQuery));
  }
}

export function summarise(q: NamedQuery): QuerySummary {
  return {
    name: q.name,
    description: q.description,
    parameters: q.parameters.map((p) => ({
      name: p.name,
      type: describeType(p),
      required: p.required,
      default: p.default,
      description: p.description,
    })),
  };
}
