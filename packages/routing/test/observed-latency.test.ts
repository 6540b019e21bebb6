import { describe, expect, it } from 'vitest';
import { blendObserved, memberDistanceEstimator, ObservedLatency } from '../src/index.js';

describe('ObservedLatency (AD-45)', () => {
  it('smooths samples with α 0.1 and gains confidence n/10', () => {
    const observed = new ObservedLatency();
    expect(observed.estimate('a', 0)).toBeUndefined();
    observed.record('a', 10, 0);
    expect(observed.estimate('a', 0)).toEqual({ latencyMs: 10, confidence: 0.1, samples: 1 });
    observed.record('a', 20, 1_000);
    expect(observed.estimate('a', 1_000)?.latencyMs).toBeCloseTo(11);
    for (let i = 0; i < 20; i++) observed.record('a', 11, 2_000 + i);
    expect(observed.estimate('a', 3_000)?.confidence).toBe(1);
  });

  it('drops confidence to 0 once the last sample is older than 300 s', () => {
    const observed = new ObservedLatency();
    for (let i = 0; i < 10; i++) observed.record('a', 5, 0);
    expect(observed.estimate('a', 300_000)?.confidence).toBe(1);
    expect(observed.estimate('a', 300_001)?.confidence).toBe(0);
  });

  it('refuses samples that are not latencies and changes nothing', () => {
    const observed = new ObservedLatency();
    observed.record('a', 5, 0);
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY, 60_001]) {
      expect(observed.record('a', bad, 1)).toBe(false);
    }
    expect(observed.estimate('a', 1)).toEqual({ latencyMs: 5, confidence: 0.1, samples: 1 });
  });

  it('keeps at most maxDatacenters, dropping the least recently sampled', () => {
    const observed = new ObservedLatency({ maxDatacenters: 2 });
    observed.record('a', 1, 0);
    observed.record('b', 1, 1);
    observed.record('a', 1, 2);
    observed.record('c', 1, 3);
    expect(observed.estimate('b', 3)).toBeUndefined();
    expect(observed.estimate('a', 3)).toBeDefined();
    expect(observed.estimate('c', 3)).toBeDefined();
  });

  it('rejects a configuration that would break the estimate', () => {
    expect(() => new ObservedLatency({ alpha: 0 })).toThrow(/alpha/);
    expect(() => new ObservedLatency({ staleAfterMs: -1 })).toThrow(/staleAfterMs/);
  });

  it('blends c·observed + (1−c)·ucb, and quality c + (1−c)·quality', () => {
    const coordinate = { rttUcbMs: 40, quality: 0.5 };
    expect(blendObserved(coordinate, undefined, 100)).toBe(coordinate);
    expect(blendObserved(coordinate, { latencyMs: 2, confidence: 0, samples: 3 }, 100)).toBe(coordinate);
    expect(blendObserved(coordinate, { latencyMs: 2, confidence: 0.5, samples: 5 }, 100)).toEqual({
      rttUcbMs: 21,
      quality: 0.75,
    });
    expect(blendObserved(undefined, { latencyMs: 2, confidence: 1, samples: 10 }, 100)).toEqual({
      rttUcbMs: 2,
      quality: 1,
    });
  });

  it('lets a co-located datacenter win that coordinates alone would rank behind a neighbour', () => {
    // UCBs as a gate saw them in bench/routing.ts: the co-located DC (1 ms) at 39 ms, a 4 ms one at 23 ms
    const ucb: Record<string, number> = { here: 39, near: 23 };
    const observed = new ObservedLatency();
    for (let i = 0; i < 10; i++) {
      observed.record('here', 1, i);
      observed.record('near', 4, i);
    }
    const estimator = memberDistanceEstimator<string>({
      membersOf: (dc) => [dc],
      estimate: (id) => ({ rttUcbMs: ucb[id]!, quality: 0.9 }),
      localIsMature: () => true,
      observed: (dc) => observed.estimate(dc, 10),
    });
    expect(estimator.datacenter('here')!.rttUcbMs).toBeLessThan(estimator.datacenter('near')!.rttUcbMs);
  });
});
