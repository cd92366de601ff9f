import { DocumentCache } from './document-cache';

describe('DocumentCache', () => {
  it('gives a document back only for the hash it was put with', () => {
    const cache = new DocumentCache(1_000);
    cache.put('h/processes', 'aaa', { v: 1 }, 10);
    expect(cache.get('h/processes', 'aaa')).toEqual({ v: 1 });
    // The graph holds another document (a later commit, or the one cached never committed).
    expect(cache.get('h/processes', 'bbb')).toBeUndefined();
    expect(cache.get('h/processes', null)).toBeUndefined();
    expect(cache.get('other', 'aaa')).toBeUndefined();
    expect([cache.hits, cache.misses]).toEqual([1, 3]);
    expect(cache.hashes(['h/processes', 'other'])).toEqual({ 'h/processes': 'aaa' });
  });

  it('stays within its size, dropping the least recently used first', () => {
    const cache = new DocumentCache(100);
    cache.put('a', '1', 'A', 40);
    cache.put('b', '1', 'B', 40);
    expect(cache.get('a', '1')).toBe('A'); // a is now the most recent
    cache.put('c', '1', 'C', 40);
    expect(cache.size).toEqual({ entries: 2, chars: 80 });
    expect(cache.get('b', '1')).toBeUndefined();
    expect(cache.get('a', '1')).toBe('A');
    expect(cache.get('c', '1')).toBe('C');
  });

  it('replaces an entry in place and never holds a document larger than itself', () => {
    const cache = new DocumentCache(100);
    cache.put('a', '1', 'old', 60);
    cache.put('a', '2', 'new', 30);
    expect(cache.size).toEqual({ entries: 1, chars: 30 });
    cache.put('a', '3', 'huge', 101);
    expect(cache.size).toEqual({ entries: 0, chars: 0 });
    expect(new DocumentCache(0).size.entries).toBe(0);
  });
});
