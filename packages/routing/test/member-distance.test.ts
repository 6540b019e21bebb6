import { describe, expect, it } from 'vitest';
import { memberDistanceEstimator } from '../src/index.js';

describe('memberDistanceEstimator', () => {
  const estimates: Record<string, { rttUcbMs: number; quality: number } | undefined> = {
    a1: { rttUcbMs: 10, quality: 0.9 },
    a2: { rttUcbMs: 12, quality: 0.8 },
    a3: { rttUcbMs: 500, quality: 0.1 },
    b1: undefined,
  };
  const estimator = memberDistanceEstimator<string>({
    membersOf: (dc) => (dc === 'a' ? ['a1', 'a2', 'a3'] : dc === 'b' ? ['b1'] : []),
    estimate: (id) => estimates[id],
    manager: (id) => estimates[id],
    localIsMature: () => true,
  });

  it('takes the median over a datacenter so one bad coordinate does not move it', () => {
    expect(estimator.datacenter('a')).toEqual({ rttUcbMs: 12, quality: 0.8 });
  });

  it('reports missing coordinates (undefined) instead of excluding', () => {
    expect(estimator.datacenter('b')).toBeUndefined();
    expect(estimator.datacenter('nowhere')).toBeUndefined();
    expect(estimator.manager?.('a1')).toEqual({ rttUcbMs: 10, quality: 0.9 });
    expect(estimator.localIsMature()).toBe(true);
  });
});
