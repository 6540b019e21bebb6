// Property tests (fast-check) for the invariants AD-36 promises whatever the inputs and history:
// bucket safety, missing coordinates never exclude, and the chain is a bucket-ordered permutation.
import { VirtualClock } from '@hyperscale/deterministic';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bucketRank,
  type DatacenterInput,
  DEFAULT_ROUTING_CONFIG,
  type DistanceEstimate,
  type DistanceEstimator,
  evaluateCandidates,
  GateJobRouter,
  type ManagerInput,
  NO_DISTANCE,
  type RoutingDecision,
} from '../src/index.js';

const managerArb = (dcIndex: number) =>
  fc.record({
    managerId: fc.integer({ min: 0, max: 5 }).map((i) => `dc${dcIndex}-m${i}`),
    circuit: fc.constantFrom('closed', 'closed', 'half_open', 'open') as fc.Arbitrary<ManagerInput['circuit']>,
    heartbeatAgeMs: fc.integer({ min: 0, max: 90_000 }),
    isLeader: fc.boolean(),
  });

const datacenterArb = (index: number): fc.Arbitrary<DatacenterInput> =>
  fc.record({
    datacenterId: fc.constant(`dc${index}`),
    health: fc.constantFrom('healthy', 'busy', 'degraded', 'unhealthy') as fc.Arbitrary<DatacenterInput['health']>,
    healthAgeMs: fc.integer({ min: 0, max: 60_000 }),
    managers: fc.array(managerArb(index), { minLength: 0, maxLength: 4 }),
    availableCores: fc.integer({ min: 0, max: 200 }),
    totalCores: fc.integer({ min: 0, max: 200 }),
    queueDepth: fc.integer({ min: 0, max: 500 }),
  });

const worldArb = fc
  .integer({ min: 1, max: 12 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => datacenterArb(i))));

const estimateArb: fc.Arbitrary<DistanceEstimate | undefined> = fc.option(
  fc.record({
    rttUcbMs: fc.double({ min: 1, max: 10_000, noNaN: true }),
    quality: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  { nil: undefined },
);

type Step =
  | { kind: 'route'; job: number; preferred: number[]; count: number }
  | { kind: 'fail'; job: number; dc: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'mutate'; dc: number; input: DatacenterInput }
  | { kind: 'distance'; dc: number; estimate: DistanceEstimate | undefined }
  | { kind: 'maturity'; mature: boolean }
  | { kind: 'complete'; job: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('route' as const),
      job: fc.integer({ min: 0, max: 4 }),
      preferred: fc.array(fc.integer({ min: 0, max: 11 }), { maxLength: 3 }),
      count: fc.integer({ min: 1, max: 4 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('fail' as const),
      job: fc.integer({ min: 0, max: 4 }),
      dc: fc.integer({ min: 0, max: 11 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 60_000 }) }),
  },
  {
    weight: 2,
    arbitrary: fc
      .integer({ min: 0, max: 11 })
      .chain((i) => fc.record({ kind: fc.constant('mutate' as const), dc: fc.constant(i), input: datacenterArb(i) })),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('distance' as const),
      dc: fc.integer({ min: 0, max: 11 }),
      estimate: estimateArb,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('maturity' as const), mature: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('complete' as const), job: fc.integer({ min: 0, max: 4 }) }) },
);

class MapDistance implements DistanceEstimator {
  readonly estimates = new Map<string, DistanceEstimate>();
  mature = true;
  datacenter(id: string): DistanceEstimate | undefined {
    return this.estimates.get(id);
  }
  localIsMature(): boolean {
    return this.mature;
  }
}

/** Runs a history and returns every decision, checking the invariants after each one. */
function run(
  initial: DatacenterInput[],
  estimates: (DistanceEstimate | undefined)[],
  mature: boolean,
  steps: Step[],
): RoutingDecision[] {
  const clock = new VirtualClock(0);
  const world = [...initial];
  const distance = new MapDistance();
  distance.mature = mature;
  estimates.forEach((e, i) => {
    if (e !== undefined) distance.estimates.set(`dc${i}`, e);
  });
  const router = new GateJobRouter({ clock, distance, candidates: () => world });
  const decisions: RoutingDecision[] = [];
  for (const step of steps) {
    switch (step.kind) {
      case 'route': {
        const d = router.routeJob(`job-${step.job}`, {
          preferred: step.preferred.map((i) => `dc${i}`),
          datacenterCount: step.count,
        });
        checkInvariants(d, world, distance);
        decisions.push(d);
        break;
      }
      case 'fail':
        router.recordDispatchFailure(`job-${step.job}`, `dc${step.dc}`);
        break;
      case 'advance':
        clock.advance(step.ms);
        break;
      case 'mutate':
        if (step.dc < world.length) world[step.dc] = step.input;
        break;
      case 'distance':
        if (step.estimate === undefined) distance.estimates.delete(`dc${step.dc}`);
        else distance.estimates.set(`dc${step.dc}`, step.estimate);
        break;
      case 'maturity':
        distance.mature = step.mature;
        break;
      case 'complete':
        router.jobCompleted(`job-${step.job}`);
        break;
    }
  }
  return decisions;
}

function checkInvariants(d: RoutingDecision, world: DatacenterInput[], distance: DistanceEstimator): void {
  const reports = evaluateCandidates(world, distance, DEFAULT_ROUTING_CONFIG);
  const eligible = reports.filter((r) => r.excluded === null);
  const bucketOf = new Map(reports.map((r) => [r.datacenterId, bucketRank(r.bucket)]));

  if (eligible.length === 0) {
    expect(d.primaryDatacenters).toEqual([]);
    expect(d.failure).not.toBeNull();
    return;
  }
  expect(d.failure).toBeNull();
  expect(d.primaryDatacenters.length).toBeGreaterThanOrEqual(1);

  // 1. the chosen primary is never in a worse bucket than any eligible candidate
  const primaryRank = bucketOf.get(d.primaryDatacenters[0]!)!;
  for (const e of eligible) expect(primaryRank).toBeLessThanOrEqual(bucketRank(e.bucket));
  expect(bucketRank(d.primaryBucket!)).toBe(primaryRank);

  // 3. the fallback chain is a permutation of the eligible datacenters, in bucket order
  const chain = [...d.primaryDatacenters, ...d.fallbackDatacenters];
  expect([...chain].sort()).toEqual(eligible.map((e) => e.datacenterId).sort());
  for (let i = 1; i < chain.length; i++) {
    expect(bucketOf.get(chain[i - 1]!)!).toBeLessThanOrEqual(bucketOf.get(chain[i]!)!);
  }
}

describe('routing invariants (fast-check)', () => {
  it('primary bucket safety and bucket-ordered permutation hold over any history', () => {
    fc.assert(
      fc.property(
        worldArb,
        fc.array(estimateArb, { minLength: 12, maxLength: 12 }),
        fc.boolean(),
        fc.array(stepArb, { minLength: 1, maxLength: 40 }),
        (world, estimates, mature, steps) => {
          run(world, estimates, mature, steps);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('missing coordinates never exclude a datacenter', () => {
    fc.assert(
      fc.property(worldArb, fc.array(estimateArb, { minLength: 12, maxLength: 12 }), (world, estimates) => {
        const distance = new MapDistance();
        estimates.forEach((e, i) => {
          if (e !== undefined) distance.estimates.set(`dc${i}`, e);
        });
        const withCoordinates = evaluateCandidates(world, distance, DEFAULT_ROUTING_CONFIG);
        const without = evaluateCandidates(world, NO_DISTANCE, DEFAULT_ROUTING_CONFIG);
        expect(without.map((r) => r.excluded)).toEqual(withCoordinates.map((r) => r.excluded));
        // and through the router: the same datacenters are routable with or without coordinates
        const clock = new VirtualClock();
        const a = new GateJobRouter({ clock, distance, candidates: () => world }).routeJob('j');
        const b = new GateJobRouter({ clock, distance: NO_DISTANCE, candidates: () => world }).routeJob('j');
        const routable = (d: RoutingDecision) => [...d.primaryDatacenters, ...d.fallbackDatacenters].sort();
        expect(routable(b)).toEqual(routable(a));
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same history gives the same decisions', () => {
    fc.assert(
      fc.property(
        worldArb,
        fc.array(estimateArb, { minLength: 12, maxLength: 12 }),
        fc.boolean(),
        fc.array(stepArb, { minLength: 1, maxLength: 30 }),
        (world, estimates, mature, steps) => {
          const strip = (ds: RoutingDecision[]) =>
            ds.map((d) => [d.primaryDatacenters, d.fallbackDatacenters, d.reason, d.switched]);
          expect(strip(run(world, estimates, mature, steps))).toEqual(strip(run(world, estimates, mature, steps)));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('with no hysteresis history and mature coordinates, the primary has the lowest score of its bucket', () => {
    fc.assert(
      fc.property(worldArb, fc.array(estimateArb, { minLength: 12, maxLength: 12 }), (world, estimates) => {
        const distance = new MapDistance();
        estimates.forEach((e, i) => {
          if (e !== undefined) distance.estimates.set(`dc${i}`, e);
        });
        const d = new GateJobRouter({ clock: new VirtualClock(), distance, candidates: () => world }).routeJob('j');
        if (d.primaryBucket === null) return;
        const primary = d.candidates.find((c) => c.datacenterId === d.primaryDatacenters[0])!;
        for (const c of d.candidates) {
          if (c.excluded === null && c.bucket === d.primaryBucket) expect(primary.score).toBeLessThanOrEqual(c.score);
        }
      }),
      { numRuns: 300 },
    );
  });
});
