/**
 * What the CMA last planned for each (host, discovertype) — for the row diff, the rows of the last
 * document as compared (row-diff.ts) — kept in memory so a row diff need not read the previous
 * document back from the graph, parse and validate it and build its rows again (the costliest part
 * of a changed result's ingest). Entries are named by their content hash: one is used only when the hash
 * the graph holds, read in the same transaction, is the entry's hash — so an entry put for a batch that
 * then failed is never mistaken for what the graph holds, and a miss just reads the graph as before.
 *
 * Bounded by the documents' canonical length (a proxy for memory), least recently used out first.
 */
export type CachedDocument<V> = { hash: string; document: V; chars: number };

export const DEFAULT_DOCUMENT_CACHE_CHARS = 64 * 1024 * 1024;

export class DocumentCache<V = unknown> {
  private readonly entries = new Map<string, CachedDocument<V>>();
  private chars = 0;
  hits = 0;
  misses = 0;

  constructor(readonly maxChars = DEFAULT_DOCUMENT_CACHE_CHARS) {}

  /** The hashes held for `keys`, for the graph read to compare with (it skips their JSON on a match). */
  hashes(keys: readonly string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry !== undefined) out[key] = entry.hash;
    }
    return out;
  }

  /** The document held for `key` when it is the one with `hash`; counts the hit or the miss. */
  get(key: string, hash: string | null): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined || hash === null || entry.hash !== hash) {
      this.misses += 1;
      return undefined;
    }
    this.hits += 1;
    // Most recently used last: Map iteration order is insertion order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.document;
  }

  put(key: string, hash: string, document: V, chars: number): void {
    this.drop(key);
    // A cache of size 0 holds nothing, not even an empty document's rows.
    if (this.maxChars <= 0 || chars > this.maxChars) return;
    this.entries.set(key, { hash, document, chars });
    this.chars += chars;
    for (const [oldest, entry] of this.entries) {
      if (this.chars <= this.maxChars) break;
      this.entries.delete(oldest);
      this.chars -= entry.chars;
    }
  }

  drop(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.chars -= entry.chars;
  }

  get size(): { entries: number; chars: number } {
    return { entries: this.entries.size, chars: this.chars };
  }
}
