import { VirtualClock } from '@hyperscale/deterministic';
import { describe, expect, it } from 'vitest';
import {
  classifyDatacenterHealth,
  type DatacenterHealthSignals,
  DatacenterHealthTracker,
  type DatacenterInput,
  GateJobRouter,
  HEALTH_EXIT_THRESHOLDS,
} from '../src/index.js';
import { dc, FakeDistance, World } from './helpers.js';

const signals = (availableCores: number, more: Partial<DatacenterHealthSignals> = {}): DatacenterHealthSignals => ({
  workerCount: 10,
  overloadedWorkerCount: 0,
  managerCount: 3,
  deadManagerCount: 0,
  overloadedManagerCount: 0,
  totalCores: 100,
  availableCores,
  ...more,
});

function tracker(minDwellMs = 10_000, maxEntries = 8, ttlMs = 600_000) {
  return new DatacenterHealthTracker({ minDwellMs, ttlMs, maxEntries });
}

describe('health classification with hysteresis', () => {
  it('the exit bars sit 0.10 under the entry bars', () => {
    expect(classifyDatacenterHealth(signals(35), HEALTH_EXIT_THRESHOLDS)).toBe('busy'); // 65 % ≥ 0.60
    expect(classifyDatacenterHealth(signals(35))).toBe('healthy'); // 65 % < 0.70
    expect(classifyDatacenterHealth(signals(45), HEALTH_EXIT_THRESHOLDS)).toBe('healthy');
  });

  it('enters BUSY at 70 % at once and leaves only below 60 % after the dwell', () => {
    const t = tracker();
    expect(t.classify('a', signals(35), 0)).toBe('healthy');
    expect(t.classify('a', signals(30), 5_000)).toBe('busy'); // 70 %: immediate
    expect(t.classify('a', signals(35), 10_000)).toBe('busy'); // 65 %: inside the band
    expect(t.classify('a', signals(45), 15_000)).toBe('busy'); // 55 %: under the exit bar, dwell starts
    expect(t.classify('a', signals(45), 24_999)).toBe('busy');
    expect(t.classify('a', signals(45), 25_000)).toBe('healthy');
  });

  it('a dip back into the band restarts the dwell', () => {
    const t = tracker();
    t.classify('a', signals(20), 0);
    expect(t.classify('a', signals(50), 1_000)).toBe('busy');
    expect(t.classify('a', signals(35), 9_000)).toBe('busy'); // back in the band: dwell broken
    expect(t.classify('a', signals(50), 10_000)).toBe('busy');
    expect(t.classify('a', signals(50), 19_999)).toBe('busy');
    expect(t.classify('a', signals(50), 20_000)).toBe('healthy');
  });

  it('escalates from any bucket at once; utilization alone still never goes past BUSY', () => {
    const t = tracker();
    t.classify('a', signals(100), 0);
    expect(t.classify('a', signals(0), 1)).toBe('busy');
    expect(t.classify('a', signals(0, { deadManagerCount: 3 }), 2)).toBe('unhealthy');
    // managers back: relaxes only after the dwell, straight to what the exit bars allow
    expect(t.classify('a', signals(100), 3)).toBe('unhealthy');
    expect(t.classify('a', signals(100), 10_003)).toBe('healthy');
  });

  it('relaxes step by step to what the exit bars allow, on every signal', () => {
    const t = tracker();
    t.classify('a', signals(100, { overloadedWorkerCount: 5 }), 0); // 0.5 ⇒ DEGRADED
    expect(t.classify('a', signals(100, { overloadedWorkerCount: 3 }), 20_000)).toBe('degraded'); // 0.3 < 0.4: dwell starts
    expect(t.classify('a', signals(100, { overloadedWorkerCount: 3 }), 30_000)).toBe('busy'); // 0.3 ≥ 0.2 exit bar of BUSY
    expect(t.classify('a', signals(100, { overloadedWorkerCount: 1 }), 35_000)).toBe('busy');
    expect(t.classify('a', signals(100, { overloadedWorkerCount: 1 }), 45_000)).toBe('healthy');
  });

  it('is bounded (least recently seen evicted) and expiring', () => {
    const t = tracker(10_000, 2, 60_000);
    t.classify('a', signals(0), 0);
    t.classify('b', signals(0), 1);
    t.classify('a', signals(0), 2);
    t.classify('c', signals(0), 3); // evicts b, the least recently seen
    expect(t.size).toBe(2);
    expect(t.peek('b')).toBeUndefined();
    expect(t.peek('a')?.bucket).toBe('busy');
    // a forgotten datacenter starts afresh from its report
    expect(t.expire(70_000)).toBe(2);
    expect(t.classify('a', signals(50), 70_001)).toBe('healthy');
  });
});

describe('GateJobRouter: health hysteresis per datacenter', () => {
  function withSignals(id: string, availableCores: number): DatacenterInput {
    const { health: _h, ...rest } = dc(id, { availableCores });
    return { ...rest, healthSignals: signals(availableCores) };
  }

  it('a datacenter hovering around 70 % stays BUSY instead of flipping with each report', () => {
    const clock = new VirtualClock(0);
    const world = new World([withSignals('near', 20), withSignals('far', 90)]);
    const distance = new FakeDistance().set('near', 20).set('far', 150);
    const router = new GateJobRouter({ clock, distance, candidates: world.candidates });
    expect(router.routeJob('j').primaryDatacenters).toEqual(['far']); // near is 80 % used
    for (const [t, avail] of [
      [5_000, 32],
      [10_000, 28],
      [15_000, 35],
    ] as const) {
      clock.set(t);
      world.update('near', withSignals('near', avail));
      const d = router.routeJob('j');
      expect(d.candidates.find((c) => c.datacenterId === 'near')?.bucket).toBe('busy');
      expect(d.switched).toBe(false);
    }
    // under 60 % for the 10 s dwell: HEALTHY again, the new job goes near
    clock.set(20_000);
    world.update('near', withSignals('near', 50));
    expect(router.routeJob('k').primaryDatacenters).toEqual(['far']);
    clock.set(30_000);
    expect(router.routeJob('k2').primaryDatacenters).toEqual(['near']);
    expect(router.trackedDatacenters).toBe(2);
  });

  it('a bucket the gate classified itself is used as given (no hysteresis)', () => {
    const clock = new VirtualClock(0);
    const world = new World([dc('near', { health: 'busy' }), dc('far')]);
    const router = new GateJobRouter({
      clock,
      distance: new FakeDistance().set('near', 20).set('far', 150),
      candidates: world.candidates,
    });
    expect(router.routeJob('a').primaryDatacenters).toEqual(['far']);
    world.update('near', { health: 'healthy' });
    expect(router.routeJob('b').primaryDatacenters).toEqual(['near']);
    expect(router.trackedDatacenters).toBe(0);
  });
});
