// facts §8 acceptance item 13 — "Routing: bucket order, 30 s hold-down, cooldown, fallback order,
// bootstrap mode" — as one story of a gate routing jobs over three datacenters in virtual time.
import { VirtualClock } from '@hyperscale/deterministic';
import { describe, expect, it } from 'vitest';
import { GateJobRouter } from '../src/index.js';
import { dc, FakeDistance, World } from './helpers.js';

describe('acceptance 13: routing', () => {
  it('bootstrap → distance, bucket order, hold-down, cooldown and fallback order', () => {
    const clock = new VirtualClock(0);
    const world = new World([
      dc('eu-west', { availableCores: 40 }),
      dc('us-east', { availableCores: 90 }),
      dc('ap-south', { availableCores: 60 }),
    ]);
    const distance = new FakeDistance().set('eu-west', 15).set('us-east', 90).set('ap-south', 160);
    distance.mature = false;
    const router = new GateJobRouter({ clock, distance, candidates: world.candidates });

    // 1. bootstrap: the gate's coordinate is immature ⇒ capacity order, distance ignored
    let d = router.routeJob('job-a');
    expect(d.bootstrapMode).toBe(true);
    expect([...d.primaryDatacenters, ...d.fallbackDatacenters]).toEqual(['us-east', 'ap-south', 'eu-west']);

    // 2. coordinates mature ⇒ a new job goes to the nearest; job-a is held by the 30 s hold-down
    distance.mature = false;
    clock.advance(5_000);
    distance.mature = true;
    d = router.routeJob('job-b');
    expect(d.bootstrapMode).toBe(false);
    expect([...d.primaryDatacenters, ...d.fallbackDatacenters]).toEqual(['eu-west', 'us-east', 'ap-south']);
    d = router.routeJob('job-a');
    expect(d.primaryDatacenters).toEqual(['us-east']);
    expect(d.reason).toBe('hold_down');
    clock.advance(25_000); // 30 s since job-a's selection
    d = router.routeJob('job-a');
    expect(d.primaryDatacenters).toEqual(['eu-west']);
    expect(d.reason).toBe('improved');

    // 3. bucket order beats distance: the nearest turns BUSY ⇒ HEALTHY ones first, BUSY last
    world.update('eu-west', { health: 'busy' });
    d = router.routeJob('job-c');
    expect(d.primaryBucket).toBe('healthy');
    expect([...d.primaryDatacenters, ...d.fallbackDatacenters]).toEqual(['us-east', 'ap-south', 'eu-west']);
    d = router.routeJob('job-b'); // job-b's primary dropped a bucket: forced off at once
    expect(d.primaryDatacenters).toEqual(['us-east']);
    expect(d.reason).toBe('forced_bucket_drop');

    // 4. dispatch to us-east fails for job-c ⇒ cooldown: next routing of job-c leads with ap-south,
    //    us-east stays in the chain (penalised, not excluded), BUSY eu-west still last
    world.update('ap-south', { availableCores: 95 }); // 160 ms × 1.025 < 90 ms × 1.05 × 2 (cooling)
    router.recordDispatchFailure('job-c', 'us-east');
    router.recordFallbackUsed('us-east', 'ap-south');
    clock.advance(1_000);
    d = router.routeJob('job-c');
    expect([...d.primaryDatacenters, ...d.fallbackDatacenters]).toEqual(['ap-south', 'us-east', 'eu-west']);
    expect(d.reason).toBe('forced_dispatch_failed');
    expect(d.coolingDatacenters).toEqual(['us-east']);

    // 5. everything unhealthy ⇒ the job fails with a reason naming each datacenter
    for (const id of ['eu-west', 'us-east', 'ap-south']) world.update(id, { health: 'unhealthy' });
    d = router.routeJob('job-d');
    expect(d.failure).toBe('no eligible datacenter (eu-west: unhealthy; us-east: unhealthy; ap-south: unhealthy)');

    // 6. completion cleans the per-job state; metrics saw the story
    for (const job of ['job-a', 'job-b', 'job-c', 'job-d']) router.jobCompleted(job);
    expect(router.trackedJobs).toBe(0);
    const m = router.metrics.snapshot();
    expect(m.switchesTotal).toEqual({ improved: 1, forced_bucket_drop: 1, forced_dispatch_failed: 1 });
    expect(m.holdDownBlocksTotal).toBe(1);
    expect(m.fallbackUsedTotal).toEqual({ 'us-east|ap-south': 1 });
    expect(m.dispatchFailuresTotal).toEqual({ 'us-east': 1 });
    expect(m.decisionsTotal['none|no_eligible_datacenter']).toBe(1);
  });
});
