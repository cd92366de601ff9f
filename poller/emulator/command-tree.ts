/**
 * The command grammar as a word tree, matched the way IOS matches: each typed word selects the one
 * keyword it is a prefix of (`sh ip int br` = `show ip interface brief`), an exact keyword wins over
 * longer ones, two or more candidates make the line ambiguous, and a word nothing accepts makes it
 * invalid at that word. Junos's CLI resolves abbreviations the same way, so one matcher serves all.
 */

export type Token =
  | { kind: 'keyword'; word: string }
  | { kind: 'number'; min: number; max: number }
  | { kind: 'word' }
  | { kind: 'line' };

export interface Word {
  text: string;
  /** Offset of the word in the typed line: where a caret goes. */
  offset: number;
}

export type MatchResult<A> =
  | { kind: 'command'; action: A; args: string[]; keywords: string[] }
  | { kind: 'invalid'; wordIndex: number; offset: number; word: string }
  | { kind: 'ambiguous'; wordIndex: number; offset: number; word: string; candidates: string[] }
  | { kind: 'incomplete'; wordIndex: number; offset: number }
  | { kind: 'empty' };

interface Node<A> {
  keywords: Map<string, Node<A>>;
  args: Array<{ token: Exclude<Token, { kind: 'keyword' }>; node: Node<A> }>;
  action?: A;
}

const newNode = <A>(): Node<A> => ({ keywords: new Map(), args: [] });

export function parsePattern(pattern: string): Token[] {
  return pattern
    .trim()
    .split(/\s+/)
    .map((w): Token => {
      const range = /^<(\d+)-(\d+)>$/.exec(w);
      if (range) return { kind: 'number', min: Number(range[1]), max: Number(range[2]) };
      if (w === 'WORD') return { kind: 'word' };
      if (w === 'LINE') return { kind: 'line' };
      return { kind: 'keyword', word: w.toLowerCase() };
    });
}

export function splitWords(line: string): Word[] {
  const words: Word[] = [];
  const re = /\S+/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) words.push({ text: m[0], offset: m.index });
  return words;
}

function accepts(token: Exclude<Token, { kind: 'keyword' }>, text: string): boolean {
  if (token.kind === 'number') {
    if (!/^\d+$/.test(text)) return false;
    const n = Number(text);
    return n >= token.min && n <= token.max;
  }
  return true;
}

function sameToken(a: Token, b: Token): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'number' && b.kind === 'number') return a.min === b.min && a.max === b.max;
  return true;
}

export class CommandTree<A> {
  private readonly root: Node<A> = newNode();

  /** Later additions of the same pattern replace earlier ones (a device override replaces the fixture). */
  add(pattern: string, action: A): this {
    let node = this.root;
    for (const token of parsePattern(pattern)) {
      if (token.kind === 'keyword') {
        let next = node.keywords.get(token.word);
        if (!next) node.keywords.set(token.word, (next = newNode()));
        node = next;
      } else {
        let arg = node.args.find((a) => sameToken(a.token, token));
        if (!arg) node.args.push((arg = { token, node: newNode() }));
        node = arg.node;
      }
    }
    node.action = action;
    return this;
  }

  /** Adds a keyword as a complete command only where the keyword is not there already. */
  addIfAbsent(pattern: string, action: A): this {
    let node: Node<A> | undefined = this.root;
    for (const token of parsePattern(pattern)) {
      if (token.kind !== 'keyword') return this.add(pattern, action);
      node = node?.keywords.get(token.word);
      if (!node) return this.add(pattern, action);
    }
    return this;
  }

  match(line: string): MatchResult<A> {
    const words = splitWords(line);
    if (words.length === 0) return { kind: 'empty' };
    let node = this.root;
    const args: string[] = [];
    const keywords: string[] = [];
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      const lower = w.text.toLowerCase();
      const exact = node.keywords.get(lower);
      if (exact) {
        node = exact;
        keywords.push(lower);
        continue;
      }
      const candidates = [...node.keywords.keys()].filter((k) => k.startsWith(lower));
      if (candidates.length === 1) {
        node = node.keywords.get(candidates[0]!)!;
        keywords.push(candidates[0]!);
        continue;
      }
      if (candidates.length > 1) return { kind: 'ambiguous', wordIndex: i, offset: w.offset, word: w.text, candidates: candidates.sort() };
      const arg = node.args.find((a) => accepts(a.token, w.text));
      if (!arg) return { kind: 'invalid', wordIndex: i, offset: w.offset, word: w.text };
      node = arg.node;
      if (arg.token.kind === 'line') {
        args.push(line.slice(w.offset).trimEnd());
        break;
      }
      args.push(w.text);
    }
    if (node.action !== undefined) return { kind: 'command', action: node.action, args, keywords };
    return { kind: 'incomplete', wordIndex: words.length, offset: line.trimEnd().length + 1 };
  }

  /**
   * Junos's complete-on-space: the keyword the last (partial) word must be, given the words before
   * it, or undefined when it is not exactly one keyword.
   */
  complete(before: readonly string[], partial: string): string | undefined {
    let node: Node<A> | undefined = this.root;
    for (const word of before) {
      const lower = word.toLowerCase();
      const nextNode: Node<A> | undefined = node.keywords.get(lower);
      if (nextNode) {
        node = nextNode;
        continue;
      }
      const candidates = [...node.keywords.keys()].filter((k) => k.startsWith(lower));
      if (candidates.length !== 1) return undefined;
      node = node.keywords.get(candidates[0]!);
      if (!node) return undefined;
    }
    const lower = partial.toLowerCase();
    if (node.keywords.has(lower)) return undefined;
    const candidates = [...node.keywords.keys()].filter((k) => k.startsWith(lower));
    return candidates.length === 1 ? candidates[0] : undefined;
  }
}
