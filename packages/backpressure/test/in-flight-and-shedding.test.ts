import { describe, expect, it } from 'vitest';
import {
  ALL_PRIORITIES,
  InFlightTracker,
  LoadShedder,
  OverloadDetector,
  OverloadState,
  Priority,
} from '../src/index.js';

describe('InFlightTracker', () => {
  it('caps each priority and the global total (facts §6 row 32)', () => {
    const t = new InFlightTracker();
    for (let i = 0; i < 200; i++) expect(t.tryAcquire(Priority.LOW).admitted).toBe(true);
    expect(t.tryAcquire(Priority.LOW)).toEqual({ admitted: false, reason: 'priority-limit' });
    for (let i = 0; i < 300; i++) expect(t.tryAcquire(Priority.NORMAL).admitted).toBe(true);
    for (let i = 0; i < 500; i++) expect(t.tryAcquire(Priority.HIGH).admitted).toBe(true);
    expect(t.inFlight()).toBe(1000);
    t.release(Priority.HIGH);
    expect(t.tryAcquire(Priority.HIGH).admitted).toBe(true);
    expect(t.refusedCount(Priority.LOW)).toBe(1);
  });

  it('admits CRITICAL at full saturation and counts it, which then holds back the others', () => {
    const t = new InFlightTracker();
    for (let i = 0; i < 500; i++) t.tryAcquire(Priority.HIGH);
    for (let i = 0; i < 300; i++) t.tryAcquire(Priority.NORMAL);
    for (let i = 0; i < 200; i++) t.tryAcquire(Priority.LOW);
    for (const p of [Priority.HIGH, Priority.NORMAL, Priority.LOW]) expect(t.tryAcquire(p).admitted).toBe(false);
    for (let i = 0; i < 5000; i++) expect(t.tryAcquire(Priority.CRITICAL).admitted).toBe(true);
    expect(t.inFlight(Priority.CRITICAL)).toBe(5000);
    expect(t.refusedCount(Priority.CRITICAL)).toBe(0);
    // releasing a HIGH slot does not reopen HIGH: the global count includes the critical work
    t.release(Priority.HIGH);
    expect(t.tryAcquire(Priority.HIGH)).toEqual({ admitted: false, reason: 'global-limit' });
    expect(t.snapshot()).toEqual({ critical: 5000, high: 499, normal: 300, low: 200 });
  });

  it('never goes negative on a stray release', () => {
    const t = new InFlightTracker();
    t.release(Priority.NORMAL);
    expect(t.inFlight()).toBe(0);
    expect(t.tryAcquire(Priority.NORMAL).admitted).toBe(true);
    expect(t.inFlight(Priority.NORMAL)).toBe(1);
  });
});

describe('OverloadDetector', () => {
  it('classifies by absolute mean latency: > 200 / 500 / 2000 ms', () => {
    for (const [latency, state] of [
      [150, OverloadState.HEALTHY],
      [250, OverloadState.BUSY],
      [600, OverloadState.STRESSED],
      [2500, OverloadState.OVERLOADED],
    ] as const) {
      const d = new OverloadDetector();
      for (let i = 0; i < 3; i++) d.recordLatency(latency);
      expect(d.state, `${latency} ms`).toBe(state);
    }
  });

  it('gives no latency verdict before the minimum of 3 samples', () => {
    const d = new OverloadDetector();
    d.recordLatency(5000);
    d.recordLatency(5000);
    expect(d.state).toBe(OverloadState.HEALTHY);
    d.recordLatency(5000);
    expect(d.state).toBe(OverloadState.OVERLOADED);
  });

  it('classifies by CPU and memory: > 0.70 / 0.85 / 0.95, the worst wins', () => {
    const d = new OverloadDetector();
    expect(d.recordResources(0.71, 0.1)).toBe(OverloadState.BUSY);
    expect(d.recordResources(0.5, 0.96)).toBe(OverloadState.OVERLOADED);
  });

  it('escalates at once and relaxes only after 2 consecutive lower samples', () => {
    const d = new OverloadDetector();
    expect(d.recordResources(0.9, 0)).toBe(OverloadState.STRESSED);
    expect(d.recordResources(0.1, 0)).toBe(OverloadState.STRESSED);
    expect(d.recordResources(0.9, 0)).toBe(OverloadState.STRESSED);
    expect(d.recordResources(0.1, 0)).toBe(OverloadState.STRESSED);
    expect(d.recordResources(0.1, 0)).toBe(OverloadState.HEALTHY);
  });

  it('detects a relative slowdown against the baseline only after warm-up', () => {
    const d = new OverloadDetector();
    for (let i = 0; i < 10; i++) d.recordLatency(i < 9 ? 10 : 40); // warm-up: delta ignored
    expect(d.state).toBe(OverloadState.HEALTHY);
    for (let i = 0; i < 20; i++) d.recordLatency(10);
    expect(d.state).toBe(OverloadState.HEALTHY);
    // a jump from 10 ms to 40 ms: far below the absolute ceilings, but the mean is well above the baseline
    for (let i = 0; i < 10; i++) d.recordLatency(40);
    // delta > 0.2 says busy; the fast EMA running away from the slow one escalates it a level
    expect(d.state).toBe(OverloadState.STRESSED);
    expect(d.diagnostics().byLatency).toBe(OverloadState.HEALTHY);
    expect(d.diagnostics().delta).toBeGreaterThan(0.2);
    expect(d.diagnostics().drift).toBeGreaterThan(0.15);
  });

  it('ignores nonsense samples', () => {
    const d = new OverloadDetector();
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY]) d.recordLatency(bad);
    expect(d.diagnostics().samples).toBe(0);
  });
});

describe('LoadShedder', () => {
  const at = (cpu: number) => {
    const detector = new OverloadDetector();
    detector.recordResources(cpu, 0);
    return new LoadShedder(detector);
  };

  it('sheds LOW when busy, NORMAL+LOW when stressed, all but CRITICAL when overloaded', () => {
    const shedSet = (cpu: number) => ALL_PRIORITIES.filter((p) => at(cpu).wouldShed(p));
    expect(shedSet(0.1)).toEqual([]);
    expect(shedSet(0.75)).toEqual([Priority.LOW]);
    expect(shedSet(0.9)).toEqual([Priority.NORMAL, Priority.LOW]);
    expect(shedSet(0.99)).toEqual([Priority.HIGH, Priority.NORMAL, Priority.LOW]);
  });

  it('never sheds CRITICAL, and counts what it sheds with a retry-after', () => {
    const shedder = at(1);
    for (let i = 0; i < 100; i++) expect(shedder.decide(Priority.CRITICAL).shed).toBe(false);
    expect(shedder.decide(Priority.NORMAL)).toEqual({ shed: true, retryAfterMs: 2000 });
    expect(shedder.snapshot()).toEqual({ critical: 0, high: 0, normal: 1, low: 0 });
  });
});
