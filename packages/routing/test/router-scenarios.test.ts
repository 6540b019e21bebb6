import { VirtualClock } from '@hyperscale/deterministic';
import { describe, expect, it } from 'vitest';
import { GateJobRouter, type RoutingConfig, routingDecisionLogFields } from '../src/index.js';
import { dc, FakeDistance, manager, World } from './helpers.js';

function setup(
  dcs = [dc('near'), dc('mid'), dc('far')],
  rtts: Record<string, number> = { near: 20, mid: 60, far: 150 },
  config: Partial<RoutingConfig> = {},
) {
  const clock = new VirtualClock(0);
  const world = new World(dcs);
  const distance = new FakeDistance();
  for (const [id, rtt] of Object.entries(rtts)) distance.set(id, rtt);
  const router = new GateJobRouter({ clock, distance, candidates: world.candidates, config });
  return { clock, world, distance, router };
}

describe('GateJobRouter: first routing', () => {
  it('picks the lowest score in the best bucket and lists the rest as fallbacks', () => {
    const { router } = setup();
    const d = router.routeJob('job-1');
    expect(d.primaryDatacenters).toEqual(['near']);
    expect(d.fallbackDatacenters).toEqual(['mid', 'far']);
    expect(d.primaryBucket).toBe('healthy');
    expect(d.reason).toBe('initial');
    expect(d.switched).toBe(false);
    expect(d.failure).toBeNull();
    expect(d.candidates.map((c) => c.role)).toEqual(['primary', 'fallback', 'fallback']);
  });

  it('never trades a better bucket for distance: a BUSY near DC loses to a HEALTHY far one', () => {
    const { router, world } = setup();
    world.update('near', { health: 'busy' });
    const d = router.routeJob('job-1');
    expect(d.primaryDatacenters).toEqual(['mid']);
    expect(d.fallbackDatacenters).toEqual(['far', 'near']);
  });

  it('returns as many primaries as asked, filling from the next bucket in order', () => {
    const { router, world } = setup();
    world.update('mid', { health: 'degraded' });
    world.update('far', { health: 'busy' });
    const d = router.routeJob('job-1', { datacenterCount: 2 });
    expect(d.primaryDatacenters).toEqual(['near', 'far']);
    expect(d.fallbackDatacenters).toEqual(['mid']);
  });

  it('fails the job with a clear reason when every datacenter is unhealthy or unusable', () => {
    const { router, world } = setup();
    world.update('near', { health: 'unhealthy' });
    world.update('mid', { managers: [manager('m', { circuit: 'open' })] });
    world.update('far', { managers: [] });
    const d = router.routeJob('job-1');
    expect(d.primaryDatacenters).toEqual([]);
    expect(d.fallbackDatacenters).toEqual([]);
    expect(d.primaryBucket).toBeNull();
    expect(d.reason).toBe('no_eligible_datacenter');
    expect(d.failure).toBe(
      'no eligible datacenter (near: unhealthy; mid: all managers circuit open; far: no managers)',
    );
    expect(router.trackedJobs).toBe(0);
  });

  it('fails with a clear reason when no datacenter is known', () => {
    const clock = new VirtualClock();
    const router = new GateJobRouter({ clock, distance: new FakeDistance(), candidates: () => [] });
    expect(router.routeJob('j').failure).toBe('no datacenter is known to this gate');
  });

  it('logs one structured line with every candidate and its components', () => {
    const { router, world } = setup();
    world.update('far', { health: 'unhealthy' });
    const line = routingDecisionLogFields(router.routeJob('job-1'));
    expect(line).toMatchObject({ event: 'RoutingDecision', job_id: 'job-1', primaries: ['near'], reason: 'initial' });
    const candidates = line['candidates'] as Record<string, unknown>[];
    expect(candidates).toHaveLength(3);
    expect(candidates[0]).toMatchObject({ dc: 'near', role: 'primary', rtt_ucb_ms: 20, load: 1.1, quality: 1 });
    expect(candidates[2]).toMatchObject({ dc: 'far', role: 'excluded', excluded: 'unhealthy', score: null });
    expect(JSON.parse(JSON.stringify(line))).toEqual(line);
  });
});

describe('preferred datacenters', () => {
  it('a preferred DC wins within 10 % inside the primary bucket', () => {
    const { router } = setup([dc('a'), dc('b')], { a: 50, b: 54 });
    expect(router.routeJob('j1').primaryDatacenters).toEqual(['a']);
    const d = router.routeJob('j2', { preferred: ['b'] });
    expect(d.primaryDatacenters).toEqual(['b']);
    expect(d.candidates.find((c) => c.datacenterId === 'b')!.preferenceMultiplier).toBe(0.9);
  });

  it('a preference cannot beat a large distance gap', () => {
    const { router } = setup([dc('a'), dc('b')], { a: 50, b: 80 });
    expect(router.routeJob('j', { preferred: ['b'] }).primaryDatacenters).toEqual(['a']);
  });

  it('a preference never lifts a DC out of a worse bucket', () => {
    const { router, world } = setup([dc('a'), dc('b')], { a: 100, b: 1 });
    world.update('b', { health: 'busy' });
    const d = router.routeJob('j', { preferred: ['b'] });
    expect(d.primaryDatacenters).toEqual(['a']);
    expect(d.candidates.find((c) => c.datacenterId === 'b')!.preferenceMultiplier).toBe(1);
  });
});

describe('stale health demotion', () => {
  it('a DC with stale health is kept but ranked with the DEGRADED bucket', () => {
    const { router, world } = setup();
    world.update('near', { healthAgeMs: 45_000 });
    const d = router.routeJob('j');
    expect(d.primaryDatacenters).toEqual(['mid']);
    expect(d.fallbackDatacenters).toEqual(['far', 'near']);
    const near = d.candidates.find((c) => c.datacenterId === 'near')!;
    expect(near.bucket).toBe('degraded');
    expect(near.reportedBucket).toBe('healthy');
    expect(near.demotions).toEqual(['stale_health']);
  });

  it('when every DC is stale they all remain routable', () => {
    const { router, world } = setup();
    for (const id of ['near', 'mid', 'far']) world.update(id, { healthAgeMs: 100_000 });
    const d = router.routeJob('j');
    expect(d.primaryDatacenters).toEqual(['near']);
    expect(d.primaryBucket).toBe('degraded');
  });
});

describe('hysteresis', () => {
  it('holds the primary during the hold-down even when another becomes much better', () => {
    const { router, distance, clock } = setup();
    router.routeJob('j');
    distance.set('mid', 5);
    clock.advance(29_000);
    const d = router.routeJob('j');
    expect(d.primaryDatacenters).toEqual(['near']);
    expect(d.reason).toBe('hold_down');
    expect(d.improvementRatio).toBeCloseTo(5 / 20);
    expect(router.metrics.snapshot().holdDownBlocksTotal).toBe(1);
    // the better DC is still the first fallback
    expect(d.fallbackDatacenters[0]).toBe('mid');
  });

  it('switches after the hold-down when the improvement beats the ratio', () => {
    const { router, distance, clock } = setup();
    router.routeJob('j');
    distance.set('mid', 15); // 15 < 0.8 × 20
    clock.advance(30_000);
    const d = router.routeJob('j');
    expect(d.primaryDatacenters).toEqual(['mid']);
    expect(d.reason).toBe('improved');
    expect(d.switched).toBe(true);
    expect(d.previousPrimary).toBe('near');
    expect(router.metrics.snapshot().switchesTotal).toEqual({ improved: 1 });
  });

  it('does not switch for an improvement below the threshold, however long', () => {
    const { router, distance, clock } = setup();
    router.routeJob('j');
    distance.set('mid', 17); // 17 > 0.8 × 20 = 16
    for (let i = 0; i < 10; i++) {
      clock.advance(60_000);
      const d = router.routeJob('j');
      expect(d.primaryDatacenters).toEqual(['near']);
      expect(d.reason).toBe('below_improvement');
    }
  });

  it('forces a switch at once when the primary is excluded', () => {
    const { router, world, clock } = setup();
    router.routeJob('j');
    clock.advance(1_000);
    world.update('near', { managers: [manager('x', { circuit: 'open' })] });
    const d = router.routeJob('j');
    expect(d.primaryDatacenters).toEqual(['mid']);
    expect(d.reason).toBe('forced_excluded');
    expect(d.switched).toBe(true);
  });

  it('forces a switch at once when the primary disappears from the candidates', () => {
    const { router, world, clock } = setup();
    router.routeJob('j');
    clock.advance(1_000);
    world.remove('near');
    expect(router.routeJob('j').reason).toBe('forced_excluded');
  });

  it('forces a switch at once when the primary drops out of the primary bucket', () => {
    const { router, world, clock } = setup();
    router.routeJob('j');
    clock.advance(1_000);
    world.update('near', { health: 'busy' });
    const d = router.routeJob('j');
    expect(d.primaryDatacenters).toEqual(['mid']);
    expect(d.reason).toBe('forced_bucket_drop');
  });

  it('forces a switch when degradation (≥ 1.5 × score at selection) lasts 10 s, not before', () => {
    const { router, world, clock } = setup([dc('a'), dc('b')], { a: 20, b: 24 });
    router.routeJob('j');
    clock.advance(1_000);
    // a fills up and queues: load 1.1 → 1 + 0.5 + 0.3·(90/100) = 1.77 ⇒ ratio ≈ 1.61
    world.update('a', { availableCores: 0, queueDepth: 90 });
    let d = router.routeJob('j');
    expect(d.reason).toBe('hold_down');
    clock.advance(9_000);
    d = router.routeJob('j');
    expect(d.primaryDatacenters).toEqual(['a']);
    clock.advance(1_000);
    d = router.routeJob('j');
    expect(d.primaryDatacenters).toEqual(['b']);
    expect(d.reason).toBe('forced_degraded');
  });

  it('a degradation that recovers before the confirm time resets its timer', () => {
    const { router, world, clock } = setup([dc('a'), dc('b')], { a: 20, b: 24 });
    router.routeJob('j');
    world.update('a', { availableCores: 0, queueDepth: 90 });
    clock.advance(1_000);
    router.routeJob('j');
    clock.advance(5_000);
    world.update('a', { availableCores: 80, queueDepth: 0 });
    router.routeJob('j');
    world.update('a', { availableCores: 0, queueDepth: 90 });
    clock.advance(5_000);
    router.routeJob('j');
    clock.advance(5_000);
    const d = router.routeJob('j');
    // only 5 s of the second episode: still in hold-down (selected at 0, now 16 s) and not confirmed
    expect(d.primaryDatacenters).toEqual(['a']);
    clock.advance(5_000);
    expect(router.routeJob('j').reason).toBe('forced_degraded');
  });

  it('hysteresis is per job: a new job takes the current best at once', () => {
    const { router, distance, clock } = setup();
    router.routeJob('old');
    distance.set('mid', 5);
    clock.advance(1_000);
    expect(router.routeJob('old').primaryDatacenters).toEqual(['near']);
    expect(router.routeJob('new').primaryDatacenters).toEqual(['mid']);
  });
});

describe('reviewing a running job', () => {
  it('load alone never moves a running job: bucket drop, degradation and a better DC keep it', () => {
    const { router, world, clock, distance } = setup([dc('a'), dc('b')], { a: 20, b: 24 });
    expect(router.routeJob('j').primaryDatacenters).toEqual(['a']);
    clock.advance(60_000);
    world.update('a', { health: 'busy', availableCores: 10, queueDepth: 30 });
    distance.set('b', 5);
    for (let i = 0; i < 5; i++) {
      clock.advance(15_000);
      const review = router.routeJob('j', { running: true });
      expect(review.switched).toBe(false);
      expect(review.reason).toBe('kept_running');
      expect(review.primaryDatacenters).toEqual(['a']);
    }
    // the same state moves a job that is being placed
    expect(router.routeJob('j').reason).toBe('forced_bucket_drop');
  });

  it('a running job moves at once when its datacenter can no longer be reached (failover)', () => {
    const { router, world, clock } = setup();
    router.routeJob('j');
    clock.advance(1_000);
    world.update('near', { managers: [manager('x', { circuit: 'open' })] });
    const d = router.routeJob('j', { running: true });
    expect(d.switched).toBe(true);
    expect(d.reason).toBe('forced_excluded');
    expect(d.primaryDatacenters).toEqual(['mid']);
    // and stays on its new primary when the old one recovers
    clock.advance(60_000);
    world.update('near', { managers: [manager('x')] });
    expect(router.routeJob('j', { running: true }).primaryDatacenters).toEqual(['mid']);
  });

  it('a running job stays in a datacenter excluded for its health while a manager there is reachable', () => {
    const { router, world, clock } = setup();
    router.routeJob('j');
    clock.advance(1_000);
    world.update('near', { health: 'unhealthy' });
    const kept = router.routeJob('j', { running: true });
    expect(kept.reason).toBe('kept_running');
    expect(kept.primaryDatacenters).toEqual(['near']);
    expect(kept.candidates[0]).toMatchObject({ datacenterId: 'near', role: 'primary', excluded: 'unhealthy' });
    // its managers gone too: now it must move
    world.update('near', { managers: [manager('x', { heartbeatAgeMs: Number.POSITIVE_INFINITY })] });
    const moved = router.routeJob('j', { running: true });
    expect(moved.reason).toBe('forced_excluded');
    expect(moved.primaryDatacenters).toEqual(['mid']);
    expect(moved.candidates.find((c) => c.datacenterId === 'near')?.reachable).toBe(false);
  });

  it('a running job moves off a datacenter whose dispatch failed', () => {
    const { router, clock } = setup([dc('a'), dc('b')], { a: 20, b: 30 });
    router.routeJob('j');
    router.recordDispatchFailure('j', 'a');
    clock.advance(1_000);
    const d = router.routeJob('j', { running: true });
    expect(d.reason).toBe('forced_dispatch_failed');
    expect(d.primaryDatacenters).toEqual(['b']);
  });
});

describe('cooldown after a failed dispatch', () => {
  it('penalises the failed DC ×2 for this job for 120 s and moves the job off it', () => {
    const { router, clock } = setup([dc('a'), dc('b')], { a: 20, b: 30 });
    expect(router.routeJob('j').primaryDatacenters).toEqual(['a']);
    router.recordDispatchFailure('j', 'a');
    clock.advance(1_000);
    let d = router.routeJob('j');
    expect(d.primaryDatacenters).toEqual(['b']);
    expect(d.reason).toBe('forced_dispatch_failed');
    expect(d.coolingDatacenters).toEqual(['a']);
    const a = d.candidates.find((c) => c.datacenterId === 'a')!;
    expect(a.cooldownMultiplier).toBe(2);
    expect(a.score).toBeCloseTo(20 * 1.1 * 2);
    // other jobs are unaffected
    expect(router.routeJob('other').primaryDatacenters).toEqual(['a']);
    // after the cooldown and hold-down, a is 20/30 < 0.8 better again
    clock.advance(120_000);
    d = router.routeJob('j');
    expect(d.coolingDatacenters).toEqual([]);
    expect(d.primaryDatacenters).toEqual(['a']);
    expect(d.reason).toBe('improved');
  });

  it('a cooling DC is penalised, never excluded: it stays when it is the only one', () => {
    const { router } = setup([dc('a')], { a: 20 });
    router.routeJob('j');
    router.recordDispatchFailure('j', 'a');
    const d = router.routeJob('j');
    expect(d.primaryDatacenters).toEqual(['a']);
    expect(d.reason).toBe('retained_best');
  });

  it('a cooling DC that is still twice as good keeps the job', () => {
    const { router } = setup([dc('a'), dc('b')], { a: 10, b: 100 });
    router.routeJob('j');
    router.recordDispatchFailure('j', 'a');
    expect(router.routeJob('j').primaryDatacenters).toEqual(['a']);
  });
});

describe('bootstrap mode', () => {
  it('ranks by available cores, then queue, then circuit pressure while the local coordinate is immature', () => {
    const { router, distance, world } = setup();
    distance.mature = false;
    world.update('near', { availableCores: 10 });
    world.update('mid', { availableCores: 90, queueDepth: 5 });
    world.update('far', { availableCores: 90, queueDepth: 0 });
    const d = router.routeJob('j');
    expect(d.bootstrapMode).toBe(true);
    expect(d.primaryDatacenters).toEqual(['far']);
    expect(d.fallbackDatacenters).toEqual(['mid', 'near']);
    expect(d.candidates.map((c) => c.bootstrapRank)).toEqual([1, 2, 3]);

    world.update('mid', { queueDepth: 0, managers: [manager('x', { circuit: 'half_open' }), manager('y')] });
    expect(router.routeJob('j2').primaryDatacenters).toEqual(['far']);
    world.update('far', { managers: [manager('x', { circuit: 'open' }), manager('y')] });
    expect(router.routeJob('j3').primaryDatacenters).toEqual(['mid']);
  });

  it('still respects bucket order in bootstrap mode', () => {
    const { router, distance, world } = setup();
    distance.mature = false;
    world.update('near', { availableCores: 100, health: 'busy' });
    world.update('mid', { availableCores: 1 });
    world.update('far', { availableCores: 2 });
    const d = router.routeJob('j');
    expect(d.primaryDatacenters).toEqual(['far']);
    expect(d.fallbackDatacenters).toEqual(['mid', 'near']);
  });

  it('exits bootstrap when the coordinate matures and then follows distance after the hold-down', () => {
    const { router, distance, world, clock } = setup();
    distance.mature = false;
    world.update('far', { availableCores: 100 });
    expect(router.routeJob('j').primaryDatacenters).toEqual(['far']);
    distance.mature = true;
    clock.advance(1_000);
    let d = router.routeJob('j');
    expect(d.bootstrapMode).toBe(false);
    expect(d.primaryDatacenters).toEqual(['far']);
    expect(d.reason).toBe('hold_down');
    // a new job goes straight to the nearest
    expect(router.routeJob('new').primaryDatacenters).toEqual(['near']);
    clock.advance(30_000);
    d = router.routeJob('j');
    expect(d.primaryDatacenters).toEqual(['near']);
    expect(d.reason).toBe('improved');
  });

  it('re-enters bootstrap when the estimator says the coordinate is no longer mature', () => {
    const { router, distance, world } = setup();
    world.update('far', { availableCores: 100 });
    expect(router.routeJob('a').primaryDatacenters).toEqual(['near']);
    distance.mature = false;
    const d = router.routeJob('b');
    expect(d.bootstrapMode).toBe(true);
    expect(d.primaryDatacenters).toEqual(['far']);
  });
});

describe('manager selection', () => {
  it('puts the DC leader first, skips open and stale managers, and sticks to the accepting manager', () => {
    const { router, distance } = setup();
    const input = dc('near', {
      managers: [
        manager('m1'),
        manager('m2', { isLeader: true, term: 3 }),
        manager('m3', { circuit: 'open' }),
        manager('m4', { heartbeatAgeMs: 70_000 }),
        manager('m5', { circuit: 'half_open' }),
      ],
    });
    distance.managers.set('m1', { rttUcbMs: 30, quality: 1 });
    distance.managers.set('m5', { rttUcbMs: 10, quality: 1 });
    let ranking = router.selectManagers('j', input);
    expect(ranking.ordered.map((m) => m.managerId)).toEqual(['m2', 'm5', 'm1']);
    expect(ranking.ordered[1]!.loadFactor).toBeCloseTo(1.1);
    expect(ranking.excluded).toEqual([
      { managerId: 'm3', reason: 'circuit_open' },
      { managerId: 'm4', reason: 'heartbeat_stale' },
    ]);
    router.recordManagerAccepted('j', 'near', 'm1');
    ranking = router.selectManagers('j', input);
    expect(ranking.ordered.map((m) => m.managerId)).toEqual(['m1', 'm2', 'm5']);
    expect(ranking.ordered[0]!.sticky).toBe(true);
    // another job is not sticky
    expect(router.selectManagers('k', input).ordered[0]!.managerId).toBe('m2');
    // a failed dispatch to the DC clears the stickiness
    router.recordDispatchFailure('j', 'near');
    expect(router.selectManagers('j', input).ordered[0]!.managerId).toBe('m2');
  });

  it('prefers the self-declared leader with the highest term', () => {
    const { router } = setup();
    const input = dc('near', {
      managers: [manager('old', { isLeader: true, term: 2 }), manager('new', { isLeader: true, term: 5 })],
    });
    expect(router.selectManagers('j', input).ordered.map((m) => m.managerId)).toEqual(['new', 'old']);
  });
});

describe('per-job state is bounded and expires', () => {
  it('jobCompleted forgets the job', () => {
    const { router, distance, clock } = setup();
    router.routeJob('j');
    expect(router.trackedJobs).toBe(1);
    router.jobCompleted('j');
    expect(router.trackedJobs).toBe(0);
    distance.set('mid', 5);
    clock.advance(1_000);
    expect(router.routeJob('j').reason).toBe('initial');
  });

  it('state idle for the TTL expires', () => {
    const { router, clock } = setup(undefined, undefined, { jobStateTtlMs: 10_000 });
    router.routeJob('a');
    clock.advance(5_000);
    router.routeJob('b');
    clock.advance(5_000);
    expect(router.expireJobs()).toBe(1);
    expect(router.trackedJobs).toBe(1);
    clock.advance(5_000);
    router.routeJob('c');
    expect(router.trackedJobs).toBe(1);
  });

  it('never tracks more than maxTrackedJobs, evicting the least recently routed', () => {
    const { router, distance, clock } = setup(undefined, undefined, { maxTrackedJobs: 3 });
    for (const id of ['a', 'b', 'c']) router.routeJob(id);
    router.routeJob('a'); // a is now the most recent
    router.routeJob('d');
    expect(router.trackedJobs).toBe(3);
    distance.set('mid', 5);
    clock.advance(1_000);
    expect(router.routeJob('a').reason).toBe('hold_down'); // still remembered
    expect(router.routeJob('b').reason).toBe('initial'); // evicted
  });

  it('recordDispatchFailure for unknown jobs stays bounded too', () => {
    const { router } = setup(undefined, undefined, { maxTrackedJobs: 5 });
    for (let i = 0; i < 100; i++) router.recordDispatchFailure(`job-${i}`, 'near');
    expect(router.trackedJobs).toBe(5);
  });
});

describe('describeDatacenters', () => {
  it('shows each DC with its components, the best for a new job and how many jobs it is primary for', () => {
    const { router, world } = setup();
    router.routeJob('a');
    router.routeJob('b');
    world.update('far', { health: 'unhealthy' });
    const rows = router.describeDatacenters();
    expect(rows.map((r) => [r.datacenterId, r.bestForNewJob, r.primaryForJobs, r.excluded])).toEqual([
      ['near', true, 2, null],
      ['mid', false, 0, null],
      ['far', false, 0, 'unhealthy'],
    ]);
    expect(rows[0]!.rttUcbMs).toBe(20);
  });
});
