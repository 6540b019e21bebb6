import { VirtualClock } from '@hyperscale/deterministic';
import { BackpressureLevel } from '@hyperscale/protocol';
import { describe, expect, it } from 'vitest';
import { DatacenterRegistry } from '../src/datacenter-registry.js';

function registryWithOneManager() {
  const clock = new VirtualClock(1_000);
  const registry = new DatacenterRegistry({ clock, staleAfterMs: 5_000, backpressureQueueDepth: () => 0 });
  registry.register('m1', 'eu', 'm1:1');
  const report = () =>
    registry.report('m1', 'm1:1', {
      isLeader: true,
      workerCount: 2,
      healthyWorkerCount: 2,
      totalCores: 4,
      availableCores: 4,
      activeJobs: 0,
      queuedWorkflows: 0,
      backpressureLevel: BackpressureLevel.NONE,
    });
  report();
  return { clock, registry, report };
}

describe('DatacenterRegistry and SWIM', () => {
  it('stops counting a manager SWIM declares dead at once, even while its reports keep coming', () => {
    const { registry, report } = registryWithOneManager();
    expect(registry.health('eu')).toBe('healthy');
    registry.managerGone('m1');
    expect(registry.health('eu')).toBe('unhealthy');
    expect(registry.input('eu').managers[0]!.heartbeatAgeMs).toBe(Number.POSITIVE_INFINITY);
    report();
    expect(registry.health('eu')).toBe('unhealthy');
    // Not forgotten: it comes back as soon as SWIM sees it alive (a refutation), without re-registering.
    registry.prune();
    registry.managerBack('m1');
    expect(registry.health('eu')).toBe('healthy');
  });

  it('still treats a silent manager as stale after the report deadline', () => {
    const { registry, clock } = registryWithOneManager();
    clock.advance(5_001);
    expect(registry.health('eu')).toBe('unhealthy');
  });

  it('holds a job manager lost only when SWIM says so or the gate forgot it, not for stale reports', () => {
    const { registry, clock } = registryWithOneManager();
    expect(registry.managerLoss('m1')).toBeUndefined();
    clock.advance(5_001); // stale: no longer counted for its datacenter, yet not lost
    expect(registry.managerLoss('m1')).toBeUndefined();
    registry.managerGone('m1');
    clock.advance(2_000);
    expect(registry.managerLoss('m1')).toEqual({ reason: 'dead', forMs: 2_000 });
    registry.managerBack('m1');
    expect(registry.managerLoss('m1')).toBeUndefined();
    clock.advance(50_000);
    registry.prune(); // silent for ten stale periods: forgotten
    expect(registry.managerLoss('m1')).toEqual({ reason: 'forgotten', forMs: Number.POSITIVE_INFINITY });
    expect(registry.managerLoss('never-registered')?.reason).toBe('forgotten');
  });

  it('holds the jobs of a manager instance lost once the manager registers as another instance', () => {
    const clock = new VirtualClock(1_000);
    const registry = new DatacenterRegistry({ clock, staleAfterMs: 5_000 });
    registry.register('m1', 'eu', 'm1:1', 'first');
    clock.advance(1_000);
    registry.register('m1', 'eu', 'm1:1', 'first'); // re-registering the same process changes nothing
    expect(registry.managerLoss('m1', 'first')).toBeUndefined();
    registry.register('m1', 'eu', 'm1:1', 'second'); // restarted in place, same id
    clock.advance(3_000);
    expect(registry.managerLoss('m1', 'first')).toEqual({ reason: 'restarted', forMs: 3_000 });
    expect(registry.managerLoss('m1', 'second')).toBeUndefined();
    // a manager that sends no instance id is never taken for a restart
    registry.register('m1', 'eu', 'm1:1');
    expect(registry.managerLoss('m1', 'second')).toBeUndefined();
  });
});
