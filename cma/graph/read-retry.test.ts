import { isConcurrentDeletion, retryConcurrentDeletion } from './read-retry';

const deleted = Object.assign(new Error('Node 27979 was unexpectedly deleted'), { code: 'Neo.ClientError.Statement.EntityNotFound' });

describe('reads that meet a concurrent deletion', () => {
  test('recognised by code or by message, and nothing else', () => {
    expect(isConcurrentDeletion(deleted)).toBe(true);
    expect(isConcurrentDeletion(new Error('Relationship 12 was unexpectedly deleted'))).toBe(true);
    expect(isConcurrentDeletion(Object.assign(new Error('bad'), { code: 'Neo.ClientError.Statement.SyntaxError' }))).toBe(false);
    expect(isConcurrentDeletion('text')).toBe(false);
    expect(isConcurrentDeletion(null)).toBe(false);
  });

  test('retried until it succeeds', async () => {
    let calls = 0;
    const answer = await retryConcurrentDeletion(async () => {
      calls++;
      if (calls < 3) throw deleted;
      return 'rows';
    });
    expect(answer).toBe('rows');
    expect(calls).toBe(3);
  });

  test('gives up after the attempts, and never retries another error', async () => {
    let calls = 0;
    await expect(retryConcurrentDeletion(async () => { calls++; throw deleted; }, 3)).rejects.toBe(deleted);
    expect(calls).toBe(3);
    calls = 0;
    const other = new Error('syntax');
    await expect(retryConcurrentDeletion(async () => { calls++; throw other; })).rejects.toBe(other);
    expect(calls).toBe(1);
  });
});
