// The gate's backpressure on a virtual clock: datacenter signals become routing load and the
// ListDatacenters level, progress forwarding follows the most backpressured datacenter of a job,
// and SubmitJob is rate-limited per client with a retry-after.
import { status as grpcStatus } from '@grpc/grpc-js';
import { BackpressureLevel, signalForLevel } from '@hyperscale/backpressure';
import { VirtualClock } from '@hyperscale/deterministic';
import { grpcErrorInfo } from '@hyperscale/protocol';
import { describe, expect, it } from 'vitest';
import { DatacenterRegistry } from '../src/datacenter-registry.js';
import { GateBackpressure, QUEUE_DEPTH_OF_LEVEL } from '../src/gate-backpressure.js';

function setup() {
  const clock = new VirtualClock(1_000);
  const bp = new GateBackpressure({ clock, submitCapacity: 2, submitRefillPerSecond: 1 });
  const registry = new DatacenterRegistry({
    clock,
    staleAfterMs: 5_000,
    backpressureQueueDepth: (dc) => bp.queueDepthFor(dc),
  });
  for (const [id, dc] of [
    ['a1', 'dc-a'],
    ['b1', 'dc-b'],
  ] as const) {
    registry.register(id, dc, `${id}:1`);
    registry.report(id, `${id}:1`, {
      isLeader: true,
      workerCount: 1,
      healthyWorkerCount: 1,
      totalCores: 4,
      availableCores: 4,
      activeJobs: 0,
      queuedWorkflows: 3,
      backpressureLevel: 0,
    });
  }
  return { clock, bp, registry };
}

describe('gate backpressure', () => {
  it('maps a datacenter level onto its queue depth for routing, and forgets a silent manager', () => {
    const { clock, bp, registry } = setup();
    bp.onManagerSignal('a1', 'dc-a', signalForLevel(BackpressureLevel.REJECT));
    bp.onManagerSignal('b1', 'dc-b', signalForLevel(BackpressureLevel.NONE));
    expect(registry.input('dc-a').queueDepth).toBe(3 + QUEUE_DEPTH_OF_LEVEL[BackpressureLevel.REJECT]);
    expect(registry.input('dc-b').queueDepth).toBe(3);
    expect(bp.view.signalFor('dc-a').level).toBe(BackpressureLevel.REJECT);
    clock.advance(5_000); // the signal expires: a dead manager's REJECT does not pin its datacenter
    expect(registry.input('dc-a').queueDepth).toBe(3);
  });

  it('throttles forwarded progress by the worst datacenter of the job', () => {
    const { clock, bp } = setup();
    bp.onManagerSignal('a1', 'dc-a', signalForLevel(BackpressureLevel.THROTTLE)); // 100 ms delay
    expect(bp.forwardProgress('j1', ['dc-b', 'dc-a'])).toBe('forward');
    clock.advance(50);
    expect(bp.forwardProgress('j1', ['dc-b', 'dc-a'])).toBe('hold');
    clock.advance(60);
    expect(bp.forwardProgress('j1', ['dc-b', 'dc-a'])).toBe('forward');
    expect(bp.forwardProgress('j2', ['dc-b'])).toBe('forward');
    bp.onManagerSignal('a1', 'dc-a', signalForLevel(BackpressureLevel.REJECT));
    expect(bp.forwardProgress('j1', ['dc-a'])).toBe('drop');
  });

  it('rate-limits SubmitJob per client with a retry-after, other clients unaffected', () => {
    const { clock, bp } = setup();
    expect(bp.checkSubmit('client:a')).toBeUndefined();
    expect(bp.checkSubmit('client:a')).toBeUndefined();
    const refused = grpcErrorInfo(bp.checkSubmit('client:a'));
    expect(refused?.code).toBe(grpcStatus.RESOURCE_EXHAUSTED);
    expect(refused?.retryAfterMs).toBeGreaterThan(0);
    expect(refused?.retryAfterMs).toBeLessThanOrEqual(1_000);
    expect(bp.checkSubmit('client:b')).toBeUndefined();
    clock.advance(refused!.retryAfterMs!);
    expect(bp.checkSubmit('client:a')).toBeUndefined();
  });
});
