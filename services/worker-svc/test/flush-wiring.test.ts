// The worker's progress flush wired to WorkerFlushPolicy, on a virtual clock and a fake share
// runner (no threads, no network): progress follows the highest level across managers, a
// RESOURCE_EXHAUSTED answer counts as REJECT, and final results leave at once at every level.
import { status as grpcStatus } from '@grpc/grpc-js';
import { BackpressureLevel, signalForLevel } from '@hyperscale/backpressure';
import { signalOfRefusal } from '@hyperscale/backpressure/shell';
import { resourceExhausted } from '@hyperscale/protocol';
import { describe, expect, it } from 'vitest';
import type { ProgressReport } from '../src/manager-reporter.js';
import { setup } from './helpers.js';

describe('worker progress flush under backpressure', () => {
  it('NONE: every share reports once per base interval', async () => {
    const { dispatch, run, sent, policy } = setup();
    dispatch('wf-1');
    dispatch('wf-2');
    await run(500);
    // 500 ms at a 50 ms base: ~10 cycles, two shares each.
    expect(sent.length).toBeGreaterThanOrEqual(18);
    expect(sent.length).toBeLessThanOrEqual(20);
    expect(policy.counters.throttled).toBe(0);
  });

  it('follows the highest level across managers: THROTTLE from one manager slows every share', async () => {
    const { dispatch, run, sent, policy } = setup();
    dispatch('wf-1');
    policy.onSignal('m-a', signalForLevel(BackpressureLevel.NONE));
    policy.onSignal('m-b', signalForLevel(BackpressureLevel.THROTTLE));
    await run(1_100);
    // base 50 + max(100, 500) = 550 ms between flushes.
    expect(sent.length).toBe(2);
    expect(policy.counters.throttled).toBe(2);
  });

  it('BATCH: reports of one job leave together every 4th cycle', async () => {
    const { dispatch, run, sent, policy } = setup();
    dispatch('wf-1');
    dispatch('wf-2');
    policy.onSignal('m-a', signalForLevel(BackpressureLevel.BATCH));
    await run(4_300);
    // base 50 + max(1000, 1000) = 1050 ms per cycle, a send every 4th: one batch of both shares.
    expect(sent.map((r) => r.workflowId).sort()).toEqual(['wf-1', 'wf-2']);
    expect(policy.counters.batched).toBe(2);
  });

  it('REJECT: progress is dropped and counted, but a final result is delivered at once', async () => {
    const { dispatch, run, sent, results, shares, policy, stats } = setup();
    dispatch('wf-1');
    policy.onSignal('m-a', signalForLevel(BackpressureLevel.REJECT));
    await run(1_000);
    expect(sent).toHaveLength(0);
    expect(policy.counters.dropped).toBeGreaterThan(0);
    const final = stats();
    shares[0]!.finish({ status: 'completed', stats: final });
    await Promise.resolve();
    await Promise.resolve();
    expect(results).toHaveLength(1);
    expect(results[0]!.status).toBe('completed');
    expect(results[0]!.stats).toBe(final);
    expect(policy.counters.sentImmediately).toBe(1);
  });

  it('a final result supersedes buffered progress: nothing of that share is sent after it', async () => {
    const { dispatch, run, sent, results, shares, policy } = setup();
    dispatch('wf-1');
    policy.onSignal('m-a', signalForLevel(BackpressureLevel.THROTTLE));
    await run(100); // progress buffered, not yet due
    expect(policy.bufferedCount).toBe(1);
    shares[0]!.finish({ status: 'completed', stats: undefined });
    await Promise.resolve();
    await Promise.resolve();
    expect(results).toHaveLength(1);
    const before = sent.length;
    await run(1_000);
    expect(sent.length).toBe(before);
  });

  it('recovers when the signal expires (a dead manager cannot pin REJECT)', async () => {
    const { dispatch, run, sent, policy } = setup();
    dispatch('wf-1');
    policy.onSignal('m-a', signalForLevel(BackpressureLevel.REJECT));
    await run(5_000);
    expect(policy.signalledLevel()).toBe(BackpressureLevel.NONE);
    // then down one jittered step at a time (≤ 1.5 × 500 ms per level)
    await run(2_250);
    expect(policy.level()).toBe(BackpressureLevel.NONE);
    const before = sent.length;
    await run(500);
    expect(sent.length).toBeGreaterThan(before);
  });

  it('one report in flight per manager: the next leaves when the last is answered, other managers unaffected', async () => {
    const managerA = { id: 'm-a', address: 'm-a:1' };
    const managerB = { id: 'm-b', address: 'm-b:1' };
    const pending: { report: ProgressReport; answer: () => void }[] = [];
    const { dispatch, shares, clock, executor, stats } = setup(
      (report) =>
        new Promise<void>((resolve) => {
          pending.push({ report, answer: resolve });
        }),
    );
    dispatch('a1', 'j', managerA);
    dispatch('a2', 'j', managerA);
    dispatch('a3', 'j', managerA);
    dispatch('b1', 'j', managerB);
    const flush = () => {
      for (const share of shares) share.progress(stats());
      clock.advance(50);
      executor.flushProgress();
    };
    const settle = async () => {
      for (let i = 0; i < 4; i++) await Promise.resolve();
    };
    flush();
    // one to each manager on the wire
    expect(pending.map((p) => p.report.workflowId)).toEqual(['a1', 'b1']);
    pending[0]!.answer();
    await settle();
    expect(pending.map((p) => p.report.workflowId)).toEqual(['a1', 'b1', 'a2']);
    // a new flush while m-a is busy sends nothing more to it
    flush();
    expect(pending.map((p) => p.report.workflowId)).toEqual(['a1', 'b1', 'a2']);
    pending[2]!.answer();
    await settle();
    expect(pending.map((p) => p.report.workflowId)).toEqual(['a1', 'b1', 'a2', 'a3']);
  });

  it('RESOURCE_EXHAUSTED from a manager reads as REJECT for at least its retry-after', () => {
    const signal = signalOfRefusal(resourceExhausted('overloaded', 4_000));
    expect(signal?.level).toBe(BackpressureLevel.REJECT);
    expect(signal?.suggestedDelayMs).toBe(4_000);
    expect(signalOfRefusal(resourceExhausted('overloaded', 10))?.suggestedDelayMs).toBe(1_000);
    expect(signalOfRefusal(Object.assign(new Error('x'), { code: grpcStatus.UNAVAILABLE }))).toBeUndefined();
  });
});
