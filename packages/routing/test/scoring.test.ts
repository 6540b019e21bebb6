import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ROUTING_CONFIG as C,
  classifyDatacenterHealth,
  evaluateCandidates,
  filterDatacenter,
  loadFactor,
  NO_DISTANCE,
  qualityPenalty,
  queuePressure,
  resolveRoutingConfig,
  utilization,
} from '../src/index.js';
import { dc, FakeDistance, manager } from './helpers.js';

describe('score factors (facts §7.3)', () => {
  it('utilization treats unknown capacity as full', () => {
    expect(utilization(25, 100)).toBeCloseTo(0.75);
    expect(utilization(100, 100)).toBe(0);
    expect(utilization(0, 0)).toBe(1);
    expect(utilization(150, 100)).toBe(0);
    expect(utilization(Number.NaN, 100)).toBe(1);
  });

  it('queue pressure is q/(q+10)', () => {
    expect(queuePressure(0, C)).toBe(0);
    expect(queuePressure(10, C)).toBeCloseTo(0.5);
    expect(queuePressure(30, C)).toBeCloseTo(0.75);
    expect(queuePressure(-3, C)).toBe(0);
  });

  it('load factor is 1 + 0.5 util + 0.3 queue + 0.2 cb, capped', () => {
    expect(loadFactor(0, 0, 0, C)).toBe(1);
    expect(loadFactor(1, 1, 1, C)).toBeCloseTo(2);
    expect(loadFactor(0.5, 0.5, 0.5, C)).toBeCloseTo(1.5);
    expect(loadFactor(1, 1, 1, { ...C, utilizationWeight: 10 })).toBe(5);
  });

  it('quality penalty is 1 + 0.5 (1 − q), capped at 2', () => {
    expect(qualityPenalty(1, C)).toBe(1);
    expect(qualityPenalty(0, C)).toBe(1.5);
    expect(qualityPenalty(0, { ...C, qualityWeight: 3 })).toBe(2);
    expect(qualityPenalty(Number.NaN, C)).toBe(1.5);
  });

  it('final score multiplies rtt, load, quality penalty and severity', () => {
    const distance = new FakeDistance().set('a', 40, 0.5).set('b', 40, 1);
    const [a, b] = evaluateCandidates(
      [
        dc('a', { availableCores: 50, totalCores: 100, queueDepth: 10 }),
        dc('b', { health: 'busy', availableCores: 100, totalCores: 100 }),
      ],
      distance,
      C,
    );
    // a: load = 1 + 0.25 + 0.15 = 1.4; qpen = 1.25; severity 1
    expect(a!.loadFactor).toBeCloseTo(1.4);
    expect(a!.qualityPenalty).toBeCloseTo(1.25);
    expect(a!.score).toBeCloseTo(40 * 1.4 * 1.25);
    // b: busy ⇒ severity 1.5
    expect(b!.severityWeight).toBe(1.5);
    expect(b!.score).toBeCloseTo(40 * 1.5);
  });

  it('circuit pressure counts open as 1 and half-open as 0.5', () => {
    const out = filterDatacenter(
      dc('a', {
        managers: [manager('m1', { circuit: 'open' }), manager('m2', { circuit: 'half_open' }), manager('m3')],
      }),
      C,
    );
    expect(out.circuitPressure).toBeCloseTo(0.5);
    expect(out.excluded).toBeNull();
  });
});

describe('candidate filter (AD-36 part 2)', () => {
  it('hard-excludes with a reason', () => {
    expect(filterDatacenter(dc('a', { health: 'unhealthy' }), C).excluded).toBe('unhealthy');
    expect(filterDatacenter(dc('a', { managers: [] }), C).excluded).toBe('no_managers');
    expect(
      filterDatacenter(
        dc('a', { managers: [manager('m1', { circuit: 'open' }), manager('m2', { circuit: 'open' })] }),
        C,
      ).excluded,
    ).toBe('all_managers_circuit_open');
    expect(filterDatacenter(dc('a', { managers: [manager('m1', { heartbeatAgeMs: 61_000 })] }), C).excluded).toBe(
      'all_managers_heartbeat_stale',
    );
    expect(
      filterDatacenter(
        dc('a', { managers: [manager('m1', { heartbeatAgeMs: 61_000 }), manager('m2', { circuit: 'open' })] }),
        C,
      ).excluded,
    ).toBe('no_usable_managers');
    const { health: _h, ...noHealth } = dc('a');
    expect(filterDatacenter(noHealth, C).excluded).toBe('health_unknown');
  });

  it('keeps a datacenter with one usable manager', () => {
    const out = filterDatacenter(
      dc('a', { managers: [manager('m1', { circuit: 'open' }), manager('m2', { heartbeatAgeMs: 59_000 })] }),
      C,
    );
    expect(out.excluded).toBeNull();
  });

  it('demotes stale health to DEGRADED without excluding', () => {
    const out = filterDatacenter(dc('a', { healthAgeMs: 31_000 }), C);
    expect(out.excluded).toBeNull();
    expect(out.reportedBucket).toBe('healthy');
    expect(out.bucket).toBe('degraded');
    expect(filterDatacenter(dc('a', { healthAgeMs: 30_000 }), C).bucket).toBe('healthy');
  });

  it('gives a missing coordinate the conservative RTT and quality 0', () => {
    const [r] = evaluateCandidates([dc('a')], NO_DISTANCE, C);
    expect(r!.excluded).toBeNull();
    expect(r!.demotions).toContain('missing_coordinates');
    expect(r!.rttUcbMs).toBe(100);
    expect(r!.quality).toBe(0);
  });

  it('classifies from raw signals when no bucket is given', () => {
    const { health: _h, ...base } = dc('a');
    const out = filterDatacenter(
      {
        ...base,
        healthSignals: {
          workerCount: 10,
          overloadedWorkerCount: 0,
          managerCount: 3,
          deadManagerCount: 0,
          overloadedManagerCount: 0,
          totalCores: 100,
          availableCores: 20,
        },
      },
      C,
    );
    expect(out.bucket).toBe('busy');
  });
});

describe('health classifier (facts §5, Impl)', () => {
  const base = {
    workerCount: 10,
    overloadedWorkerCount: 0,
    managerCount: 4,
    deadManagerCount: 0,
    overloadedManagerCount: 0,
    totalCores: 100,
    availableCores: 100,
  };
  it.each([
    [{}, 'healthy'],
    [{ availableCores: 30 }, 'busy'],
    // Utilization is load, not failure: a fully booked datacenter is BUSY (AD-17: accept and queue).
    [{ availableCores: 15 }, 'busy'],
    [{ availableCores: 0 }, 'busy'],
    [{ overloadedWorkerCount: 3 }, 'busy'],
    [{ overloadedWorkerCount: 5 }, 'degraded'],
    [{ overloadedWorkerCount: 8 }, 'unhealthy'],
    [{ deadManagerCount: 2 }, 'degraded'],
    [{ deadManagerCount: 4 }, 'unhealthy'],
    [{ overloadedManagerCount: 2 }, 'degraded'],
    [{ overloadedManagerCount: 4 }, 'degraded'],
    [{ leaderOverloaded: true }, 'degraded'],
    [{ workerCount: 0 }, 'unhealthy'],
    [{ managerCount: 0 }, 'unhealthy'],
    [{ totalCores: 0, availableCores: 0 }, 'unhealthy'],
  ] as const)('%o ⇒ %s', (override, expected) => {
    expect(classifyDatacenterHealth({ ...base, ...override })).toBe(expected);
  });
});

describe('config', () => {
  it('rejects values that break invariants, naming the key', () => {
    expect(() => resolveRoutingConfig({ improvementRatio: 1.5 })).toThrow(/improvementRatio/);
    expect(() => resolveRoutingConfig({ holdDownMs: -1 })).toThrow(/holdDownMs/);
    expect(() => resolveRoutingConfig({ maxTrackedJobs: 0 })).toThrow(/maxTrackedJobs/);
    expect(resolveRoutingConfig({ holdDownMs: 5 }).holdDownMs).toBe(5);
  });
});
