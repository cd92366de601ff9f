import { formatIssues } from './zod-issues';

describe('formatIssues', () => {
  it('names each field and the whole value, caps the count and the length', () => {
    const issues = [
      { path: ['a', 0, 'b'], message: 'expected a number' },
      { path: [], message: 'must be an object' },
      { path: ['c'], message: 'required' },
    ];
    expect(formatIssues(issues, { root: 'payload' })).toBe('a.0.b: expected a number; (payload): must be an object; c: required');
    expect(formatIssues(issues, { maxIssues: 1 })).toBe('a.0.b: expected a number (+2 more)');
    expect(formatIssues([{ path: ['x'], message: 'y'.repeat(600) }], { maxChars: 20 })).toBe(`x: ${'y'.repeat(17)}…`);
  });
});
