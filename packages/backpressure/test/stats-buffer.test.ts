import { VirtualClock } from '@hyperscale/deterministic';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BackpressureLevel, FillLevelTracker, StatsBuffer } from '../src/index.js';

describe('FillLevelTracker', () => {
  it('rises at 0.70 / 0.85 / 0.95 at once', () => {
    const t = new FillLevelTracker();
    expect(t.update(0.69)).toBe(BackpressureLevel.NONE);
    expect(t.update(0.7)).toBe(BackpressureLevel.THROTTLE);
    expect(t.update(0.85)).toBe(BackpressureLevel.BATCH);
    expect(t.update(0.95)).toBe(BackpressureLevel.REJECT);
  });

  it('jumps straight from NONE to REJECT', () => {
    expect(new FillLevelTracker().update(0.99)).toBe(BackpressureLevel.REJECT);
  });

  it('falls only below threshold − hysteresis', () => {
    const t = new FillLevelTracker({ hysteresis: 0.1 });
    t.update(0.96);
    expect(t.update(0.9)).toBe(BackpressureLevel.REJECT);
    expect(t.update(0.86)).toBe(BackpressureLevel.REJECT);
    expect(t.update(0.84)).toBe(BackpressureLevel.BATCH);
    expect(t.update(0.76)).toBe(BackpressureLevel.BATCH);
    expect(t.update(0.74)).toBe(BackpressureLevel.THROTTLE);
    expect(t.update(0.61)).toBe(BackpressureLevel.THROTTLE);
    expect(t.update(0.59)).toBe(BackpressureLevel.NONE);
  });

  it('drops several levels at once when the fill collapses', () => {
    const t = new FillLevelTracker();
    t.update(1);
    expect(t.update(0.1)).toBe(BackpressureLevel.NONE);
  });

  it('does not flap when the fill hovers around a threshold', () => {
    const t = new FillLevelTracker();
    const levels = [0.7, 0.66, 0.71, 0.65, 0.72, 0.62].map((f) => t.update(f));
    expect(new Set(levels)).toEqual(new Set([BackpressureLevel.THROTTLE]));
  });

  it('never leaves a level it should hold (property: level ≥ raw level of the fill)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 200 }), (fills) => {
        const t = new FillLevelTracker();
        for (const fill of fills) {
          const level = t.update(fill);
          const raw = fill >= 0.95 ? 3 : fill >= 0.85 ? 2 : fill >= 0.7 ? 1 : 0;
          expect(level).toBeGreaterThanOrEqual(raw);
          // and never more than one hysteresis band above it
          const held = fill >= 0.85 ? 3 : fill >= 0.75 ? 2 : fill >= 0.6 ? 1 : 0;
          expect(level).toBeLessThanOrEqual(held);
        }
      }),
    );
  });

  it('refuses inconsistent thresholds', () => {
    expect(() => new FillLevelTracker({ throttleAt: 0.9, batchAt: 0.8 })).toThrow(RangeError);
    expect(() => new FillLevelTracker({ hysteresis: 0.8 })).toThrow(RangeError);
  });
});

describe('StatsBuffer', () => {
  it('walks NONE → THROTTLE → BATCH → REJECT as HOT fills, refuses records at REJECT, and back to NONE once aggregated', () => {
    const clock = new VirtualClock();
    const buffer = new StatsBuffer(clock, { config: { hotCapacity: 100 } });
    const seen: BackpressureLevel[] = [];
    for (let i = 0; i < 100; i++) {
      buffer.record(i);
      if (seen.at(-1) !== buffer.level) seen.push(buffer.level);
    }
    expect(seen).toEqual([
      BackpressureLevel.NONE,
      BackpressureLevel.THROTTLE,
      BackpressureLevel.BATCH,
      BackpressureLevel.REJECT,
    ]);
    expect(buffer.hotCount).toBe(95);
    expect(buffer.rejectedCount).toBe(5);
    expect(buffer.record(1)).toBe('rejected');
    expect(buffer.signal()).toMatchObject({ level: BackpressureLevel.REJECT, batchOnly: true, dropNonCritical: true });

    expect(buffer.aggregate(20)).toBe(20); // fill 0.75: below 0.85 → BATCH
    expect(buffer.level).toBe(BackpressureLevel.BATCH);
    buffer.aggregate();
    expect(buffer.level).toBe(BackpressureLevel.NONE);
    expect(buffer.record(1)).toBe('accepted');
  });

  it('signals the facts §7.4 delays', () => {
    const clock = new VirtualClock();
    const buffer = new StatsBuffer(clock, { config: { hotCapacity: 20 } });
    const delays: number[] = [buffer.signal().suggestedDelayMs];
    for (let i = 0; i < 20; i++) {
      buffer.record(i);
      const d = buffer.signal().suggestedDelayMs;
      if (delays.at(-1) !== d) delays.push(d);
    }
    expect(delays).toEqual([0, 100, 500, 1000]);
  });

  it('folds HOT into 10 s WARM aggregates with count, sum, min, max', () => {
    const clock = new VirtualClock();
    const buffer = new StatsBuffer(clock);
    buffer.record(5, 1000);
    buffer.record(1, 9999);
    buffer.record(7, 10_000);
    clock.set(11_000);
    buffer.aggregate();
    expect(buffer.hotCount).toBe(0);
    expect(buffer.warmAggregates()).toEqual([
      { startMs: 0, widthMs: 10_000, count: 2, sum: 6, min: 1, max: 5 },
      { startMs: 10_000, widthMs: 10_000, count: 1, sum: 7, min: 7, max: 7 },
    ]);
  });

  it('folds records older than the HOT max age even beyond the budget', () => {
    const clock = new VirtualClock();
    const buffer = new StatsBuffer(clock);
    for (let i = 0; i < 10; i++) buffer.record(i, 0);
    buffer.record(1, 59_000);
    clock.set(60_000);
    expect(buffer.aggregate(0)).toBe(10);
    expect(buffer.hotCount).toBe(1);
  });

  it('stays bounded at every tier over a long run, and the archive keeps the totals', () => {
    const clock = new VirtualClock();
    const buffer = new StatsBuffer(clock, { config: { warmMaxBuckets: 6, coldMaxBuckets: 3 } });
    let total = 0;
    for (let second = 0; second < 3600; second++) {
      clock.set(second * 1000);
      for (let i = 0; i < 5; i++) {
        buffer.record(1);
        total++;
      }
      buffer.aggregate();
    }
    expect(buffer.warmAggregates().length).toBeLessThanOrEqual(6);
    expect(buffer.coldAggregates().length).toBeLessThanOrEqual(3);
    const counted =
      buffer.hotCount +
      buffer.warmAggregates().reduce((s, a) => s + a.count, 0) +
      buffer.coldAggregates().reduce((s, a) => s + a.count, 0) +
      (buffer.archive()?.count ?? 0);
    expect(counted).toBe(total);
    expect(buffer.archive()?.startMs).toBe(0);
  });

  it('refuses non-finite values without changing state', () => {
    const buffer = new StatsBuffer(new VirtualClock());
    expect(buffer.record(Number.NaN)).toBe('rejected');
    expect(buffer.hotCount).toBe(0);
  });
});
