import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createHistogram,
  decodeHistogram,
  deltaSince,
  emptyStats,
  encodeHistogram,
  mergeAll,
  mergeStats,
  type StatsSnapshot,
  type StepStats,
  summarize,
} from '../src/index.js';

interface Sample {
  step: number;
  status: number;
  latencyUs: number;
  serviceUs: number;
  outcome: 'ok' | 'timeout' | 'transport' | 'unexpected';
}

const STEPS = ['a', 'b', 'c'];

const sampleArb: fc.Arbitrary<Sample> = fc
  .record({
    step: fc.integer({ min: 0, max: STEPS.length - 1 }),
    status: fc.constantFrom(200, 201, 404, 500, 503),
    serviceUs: fc.integer({ min: 1, max: 60_000_000 }),
    lateUs: fc.integer({ min: 0, max: 5_000_000 }),
    outcome: fc.constantFrom('ok', 'ok', 'ok', 'timeout', 'transport', 'unexpected'),
  })
  .map(({ step, status, serviceUs, lateUs, outcome }) => ({
    step,
    status,
    serviceUs,
    latencyUs: Math.min(60_000_000, serviceUs + lateUs),
    outcome: outcome as Sample['outcome'],
  }));

/** The snapshot a recorder would produce for these samples, built independently of the executor. */
function snapshotOf(samples: readonly Sample[], startedAtMs = 1000, endedAtMs = 2000, iterations = 0): StatsSnapshot {
  const s = emptyStats('wf', STEPS, startedAtMs);
  s.endedAtMs = endedAtMs;
  s.iterations = iterations;
  s.steps = STEPS.map((name, index): StepStats => {
    const latency = createHistogram();
    const service = createHistogram();
    const step: StepStats = { ...s.steps[index]!, statusCounts: {} };
    for (const x of samples) {
      if (x.step !== index) continue;
      step.requests++;
      if (x.outcome === 'timeout') step.timeouts++;
      else if (x.outcome === 'transport') step.transportErrors++;
      else {
        step.statusCounts[x.status] = (step.statusCounts[x.status] ?? 0) + 1;
        if (x.outcome === 'unexpected') step.unexpectedStatus++;
        latency.recordValue(x.latencyUs);
        service.recordValue(x.serviceUs);
      }
    }
    step.errors = step.timeouts + step.transportErrors + step.unexpectedStatus;
    step.latency = encodeHistogram(latency);
    step.serviceTime = encodeHistogram(service);
    return { ...step, name, index };
  });
  return s;
}

/** Canonical form for comparing: counters, status counts and histogram contents. */
function canonical(s: StatsSnapshot) {
  return {
    ...s,
    steps: s.steps.map((st) => ({
      ...st,
      latency: Array.from(encodeHistogram(decodeHistogram(st.latency))),
      serviceTime: Array.from(encodeHistogram(decodeHistogram(st.serviceTime))),
    })),
  };
}

describe('histogram encoding', () => {
  it('round-trips through bytes', () => {
    const h = createHistogram();
    for (const v of [1, 999, 1000, 123_456, 60_000_000]) h.recordValue(v);
    const bytes = encodeHistogram(h);
    expect(bytes).toBeInstanceOf(Uint8Array);
    const back = decodeHistogram(bytes);
    expect(back.totalCount).toBe(5);
    expect(back.getValueAtPercentile(50)).toBe(h.getValueAtPercentile(50));
    expect(back.minNonZeroValue).toBe(1);
  });
});

describe('mergeStats', () => {
  it('merging per-window deltas equals the stats of the whole run', () => {
    fc.assert(
      fc.property(fc.array(sampleArb, { maxLength: 120 }), fc.array(fc.nat(), { maxLength: 6 }), (samples, cutsRaw) => {
        const cuts = [...new Set(cutsRaw.map((c) => (samples.length === 0 ? 0 : c % (samples.length + 1))))].sort(
          (a, b) => a - b,
        );
        const bounds = [0, ...cuts, samples.length];
        // Cumulative snapshots at each bound, as a run's snapshot() would give.
        const cumulative = bounds.map((b, i) => snapshotOf(samples.slice(0, b), 1000, 1000 + i * 100, b));
        const windows = cumulative.slice(1).map((cur, i) => deltaSince(cur, cumulative[i]!));
        const whole = cumulative[cumulative.length - 1]!;
        const merged = windows.length === 0 ? whole : mergeAll(windows);
        expect(canonical(merged)).toEqual(canonical(whole));
        expect(summarize(merged)).toEqual(summarize(whole));
      }),
      { numRuns: 60 },
    );
  });

  it('is commutative and associative: any merge order gives identical counts and percentiles', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(sampleArb, fc.integer({ min: 0, max: 3 })), { maxLength: 120 }),
        fc.integer({ min: 0, max: 1000 }),
        (tagged, seed) => {
          const parts = [0, 1, 2, 3].map((w) =>
            snapshotOf(
              tagged.filter(([, owner]) => owner === w).map(([s]) => s),
              1000 + w * 10,
              5000 - w * 7,
              w,
            ),
          );
          const [a, b, c, d] = parts as [StatsSnapshot, StatsSnapshot, StatsSnapshot, StatsSnapshot];
          const leftFold = mergeStats(mergeStats(mergeStats(a, b), c), d);
          const tree = mergeStats(mergeStats(d, c), mergeStats(b, a));
          const rotated = [...parts.slice(seed % 4), ...parts.slice(0, seed % 4)];
          const other = mergeAll(rotated.reverse());
          expect(tree).toEqual(leftFold);
          expect(other).toEqual(leftFold);
          expect(mergeStats(a, b)).toEqual(mergeStats(b, a));
          // …and equal to recording everything in one place.
          const all = snapshotOf(
            tagged.map(([s]) => s),
            1000,
            5000,
            6,
          );
          expect(canonical(leftFold)).toEqual(canonical(all));
          expect(summarize(leftFold)).toEqual(summarize(all));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('keeps the time span as min start and max end, and refuses different workflows', () => {
    const a = snapshotOf([], 100, 900);
    const b = snapshotOf([], 50, 400);
    expect(mergeStats(a, b)).toMatchObject({ startedAtMs: 50, endedAtMs: 900 });
    expect(() => mergeStats(a, { ...b, workflow: 'other' })).toThrow(/cannot merge/);
    expect(() => mergeAll([])).toThrow(/no snapshots/);
  });

  it('merges steps that only one side has', () => {
    const a = snapshotOf([{ step: 0, status: 200, latencyUs: 10, serviceUs: 10, outcome: 'ok' }]);
    const b = { ...a, steps: a.steps.slice(0, 1) };
    const onlyC = { ...a, steps: [{ ...a.steps[2]!, requests: 3, errors: 3, timeouts: 3 }] };
    const merged = mergeStats(b, onlyC);
    expect(merged.steps.map((s) => [s.name, s.requests])).toEqual([
      ['a', 1],
      ['c', 3],
    ]);
  });
});

describe('crossing worker_threads', () => {
  it('a snapshot survives structured clone (postMessage) and still merges exactly', () => {
    const samples: Sample[] = [
      { step: 0, status: 200, latencyUs: 1500, serviceUs: 1200, outcome: 'ok' },
      { step: 1, status: 503, latencyUs: 9000, serviceUs: 9000, outcome: 'unexpected' },
    ];
    const a = snapshotOf(samples);
    const cloned = structuredClone(a);
    expect(cloned.steps[0]!.latency).toBeInstanceOf(Uint8Array);
    expect(mergeStats(cloned, a)).toEqual(mergeStats(a, a));
    expect(summarize(cloned)).toEqual(summarize(a));
  });
});

describe('deltaSince', () => {
  it('refuses snapshots that are not of the same run', () => {
    const later = snapshotOf([{ step: 0, status: 200, latencyUs: 10, serviceUs: 10, outcome: 'ok' }]);
    const earlier = snapshotOf([]);
    expect(() => deltaSince(earlier, later)).toThrow(/went backwards/);
    expect(() => deltaSince(later, { ...earlier, workflow: 'x' })).toThrow(/different workflows/);
  });
});

describe('summarize', () => {
  it('reports requests, rps, errors, error rate and ms percentiles per step', () => {
    const samples: Sample[] = [];
    for (let i = 1; i <= 100; i++)
      samples.push({ step: 0, status: 200, latencyUs: i * 1000, serviceUs: i * 1000, outcome: 'ok' });
    samples.push({ step: 1, status: 500, latencyUs: 5000, serviceUs: 5000, outcome: 'unexpected' });
    samples.push({ step: 1, status: 0, latencyUs: 0, serviceUs: 0, outcome: 'timeout' });
    const summary = summarize(snapshotOf(samples, 0, 2000, 100));
    expect(summary.requests).toBe(102);
    expect(summary.rps).toBeCloseTo(51, 6);
    expect(summary.errors).toBe(2);
    const [a, b] = summary.steps;
    expect(a).toMatchObject({
      name: 'a',
      requests: 100,
      rps: 50,
      errors: 0,
      errorRate: 0,
      statusCounts: { '200': 100 },
    });
    expect(a!.latency.p50).toBeCloseTo(50, 0);
    expect(a!.latency.p90).toBeCloseTo(90, 0);
    expect(a!.latency.p95).toBeCloseTo(95, 0);
    expect(a!.latency.p99).toBeCloseTo(99, 0);
    expect(a!.latency.max).toBeCloseTo(100, 0);
    expect(b).toMatchObject({ name: 'b', requests: 2, errors: 2, errorRate: 1, timeouts: 1, unexpectedStatus: 1 });
    expect(b!.latency.count).toBe(1);
  });
});
