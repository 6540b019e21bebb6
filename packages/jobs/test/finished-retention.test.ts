import { describe, expect, it } from 'vitest';
import { finishedJobsToForget } from '../src/index.js';

describe('finishedJobsToForget', () => {
  it('forgets finished jobs past their retention and never a running one', () => {
    const jobs = [
      ['running', undefined],
      ['old', 0],
      ['recent', 9_000],
    ] as const;
    expect(finishedJobsToForget(jobs, 10_000, { retentionMs: 5_000, maxRetained: 10 })).toEqual(['old']);
  });

  it('keeps at most maxRetained finished jobs, forgetting the oldest first', () => {
    const jobs = [
      ['c', 300],
      ['a', 100],
      ['running', undefined],
      ['b', 200],
    ] as const;
    expect(finishedJobsToForget(jobs, 400, { retentionMs: 60_000, maxRetained: 1 }).sort()).toEqual(['a', 'b']);
  });
});
