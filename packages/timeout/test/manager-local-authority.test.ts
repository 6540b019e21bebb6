// Single-DC jobs: the manager alone decides (facts §7.1 LocalAuthorityTimeout, §8 item 10).
import { VirtualClock } from '@hyperscale/deterministic';
import { describe, expect, it } from 'vitest';
import { ManagerJobTimeouts, type ManagerTimeoutEffect, type TimeoutConfig } from '../src/index.js';

function setup(config: Partial<TimeoutConfig> = {}) {
  const clock = new VirtualClock(1_000);
  const timeouts = new ManagerJobTimeouts({
    clock,
    identity: { datacenter: 'dc1', managerId: 'm1', host: 'h', port: 1 },
    config,
  });
  return { clock, timeouts };
}

const timeOuts = (effects: ManagerTimeoutEffect[]) => effects.filter((e) => e.kind === 'time-out-job');

describe('LocalAuthorityTimeout via ManagerJobTimeouts', () => {
  it('chooses the strategy by whether a gate submitted the job', () => {
    const { timeouts } = setup();
    expect(timeouts.startTracking({ jobId: 'direct', timeoutMs: 60_000 })).toEqual({
      ok: true,
      strategy: 'local-authority',
    });
    expect(
      timeouts.startTracking({ jobId: 'via-gate', timeoutMs: 60_000, gate: { addr: 'g', leaseToken: 1n } }),
    ).toEqual({
      ok: true,
      strategy: 'gate-coordinated',
    });
  });

  it('overall: times out once elapsed exceeds the timeout, exactly once', () => {
    const { clock, timeouts } = setup();
    timeouts.startTracking({ jobId: 'j', timeoutMs: 60_000 });
    for (let t = 0; t < 60_000; t += 5_000) {
      clock.advance(5_000);
      timeouts.recordProgress('j');
      if (t + 5_000 <= 60_000) expect(timeOuts(timeouts.tick())).toEqual([]);
    }
    clock.advance(1);
    expect(timeOuts(timeouts.tick())).toEqual([
      expect.objectContaining({ kind: 'time-out-job', jobId: 'j', reason: 'overall' }),
    ]);
    clock.advance(5_000);
    expect(timeouts.tick()).toEqual([]);
    expect(timeouts.stateOf('j')?.finalStatus).toBe('timeout');
    expect(timeouts.metrics().timeoutsByReason.overall).toBe(1);
  });

  it('stuck: no progress for 120 s times the job out long before its overall timeout', () => {
    const { clock, timeouts } = setup();
    timeouts.startTracking({ jobId: 'j', timeoutMs: 3_600_000 });
    clock.advance(120_000);
    expect(timeouts.tick()).toEqual([]);
    clock.advance(1);
    expect(timeOuts(timeouts.tick())).toEqual([expect.objectContaining({ reason: 'stuck' })]);
  });

  it('stuck but alive: health-check answers do not count, only workflow progress does', () => {
    const { clock, timeouts } = setup();
    timeouts.startTracking({ jobId: 'j', timeoutMs: 3_600_000 });
    // Worker answers health checks (workerRecovered) but its workflow never progresses.
    for (let i = 0; i < 25; i++) {
      clock.advance(5_000);
      timeouts.workerRecovered('j', 'w1');
      const effects = timeouts.tick();
      if (clock.now() - 1_000 > 120_000) {
        expect(timeOuts(effects)).toHaveLength(1);
        return;
      }
      expect(effects).toEqual([]);
    }
    throw new Error('never declared stuck');
  });

  it('honours a job-level stuck threshold (stuck_after)', () => {
    const { clock, timeouts } = setup();
    timeouts.startTracking({ jobId: 'j', timeoutMs: 3_600_000, stuckThresholdMs: 10_000 });
    clock.advance(10_001);
    expect(timeOuts(timeouts.tick())).toEqual([expect.objectContaining({ reason: 'stuck' })]);
  });

  it('extensions postpone the overall deadline by the amount granted', () => {
    const { clock, timeouts } = setup();
    timeouts.startTracking({ jobId: 'j', timeoutMs: 60_000 });
    clock.advance(50_000);
    const reply = timeouts.requestExtension('j', { workerId: 'w', currentProgress: 0.5 });
    expect(reply).toMatchObject({ granted: true, extensionMs: 15_000 });
    clock.advance(20_000); // elapsed 70 s < 75 s
    expect(timeouts.tick()).toEqual([]);
    clock.advance(5_001);
    expect(timeOuts(timeouts.tick())).toEqual([expect.objectContaining({ reason: 'overall' })]);
    expect(timeouts.stateOf('j')).toMatchObject({ totalExtensionsGrantedMs: 15_000, maxWorkerExtensionMs: 15_000 });
  });

  it('a granted extension counts as progress and holds off stuck detection', () => {
    const { clock, timeouts } = setup();
    timeouts.startTracking({ jobId: 'j', timeoutMs: 3_600_000 });
    clock.advance(100_000);
    timeouts.requestExtension('j', { workerId: 'w', currentProgress: 0.1 });
    clock.advance(119_999);
    expect(timeouts.tick()).toEqual([]);
    clock.advance(2);
    expect(timeOuts(timeouts.tick())).toEqual([expect.objectContaining({ reason: 'stuck' })]);
  });

  it('a denied extension (no progress) does not postpone anything', () => {
    const { clock, timeouts } = setup();
    timeouts.startTracking({ jobId: 'j', timeoutMs: 3_600_000 });
    clock.advance(60_000);
    expect(timeouts.requestExtension('j', { workerId: 'w', currentProgress: 0 }).granted).toBe(false);
    clock.advance(60_001);
    expect(timeOuts(timeouts.tick())).toHaveLength(1);
    expect(timeouts.metrics()).toMatchObject({ extensionsGranted: 0, extensionsDenied: 1 });
  });

  it('evicts a worker whose extensions ran out after the grace period', () => {
    const { clock, timeouts } = setup();
    timeouts.startTracking({ jobId: 'j', timeoutMs: 3_600_000 });
    for (let i = 1; i <= 5; i++) timeouts.requestExtension('j', { workerId: 'w', currentProgress: i });
    clock.advance(30_000);
    expect(timeouts.requestExtension('j', { workerId: 'w', currentProgress: 9 }).denialReason).toBe('exhausted');
    clock.advance(9_999);
    expect(timeouts.tick()).toEqual([]);
    clock.advance(1);
    expect(timeouts.tick()).toEqual([{ kind: 'evict-worker', jobId: 'j', workerId: 'w' }]);
    expect(timeouts.stateOf('j')?.workersWithExtensions.has('w')).toBe(false);
  });

  it('completion racing the timeout: whichever comes first is the one final status', () => {
    const { clock, timeouts } = setup();
    timeouts.startTracking({ jobId: 'a', timeoutMs: 10_000 });
    timeouts.startTracking({ jobId: 'b', timeoutMs: 10_000 });
    clock.advance(10_001);
    // a: completion processed before the check.
    expect(timeouts.finishJob('a', 'completed')).toEqual({ accepted: true, effects: [] });
    const effects = timeouts.tick();
    expect(
      effects.filter((e) => e.kind === 'time-out-job').map((e) => (e.kind === 'time-out-job' ? e.jobId : '')),
    ).toEqual(['b']);
    // b: the check won; the late completion is refused with the latched status.
    expect(timeouts.finishJob('b', 'completed')).toEqual({
      accepted: false,
      reason: 'already-final',
      finalStatus: 'timeout',
    });
    expect(timeouts.stateOf('a')?.finalStatus).toBe('completed');
  });

  it('the extension race on the manager: grant before the check postpones, check before the grant wins', () => {
    const { clock, timeouts } = setup();
    timeouts.startTracking({ jobId: 'first-grant', timeoutMs: 10_000 });
    timeouts.startTracking({ jobId: 'first-check', timeoutMs: 10_000 });
    clock.advance(10_001);
    expect(timeouts.requestExtension('first-grant', { workerId: 'w', currentProgress: 1 }).granted).toBe(true);
    const effects = timeouts.tick();
    expect(timeOuts(effects)).toEqual([expect.objectContaining({ jobId: 'first-check' })]);
    expect(timeouts.requestExtension('first-check', { workerId: 'w', currentProgress: 1 })).toMatchObject({
      granted: false,
      denialReason: 'job-finished',
    });
  });

  it('rejects a global timeout: a local-authority job has no gate', () => {
    const { timeouts } = setup();
    timeouts.startTracking({ jobId: 'j', timeoutMs: 10_000 });
    expect(
      timeouts.receiveGlobalTimeout({ jobId: 'j', reason: 'overall', detail: '', timedOutAtMs: 0, fenceToken: 99n }),
    ).toMatchObject({
      outcome: 'rejected',
      reason: 'not-gate-coordinated',
    });
    expect(timeouts.stateOf('j')?.finalStatus).toBeNull();
  });

  it('refuses bad input and duplicates without changing anything', () => {
    const { timeouts } = setup();
    expect(timeouts.startTracking({ jobId: '', timeoutMs: 1 })).toMatchObject({ ok: false, error: 'invalid-input' });
    expect(timeouts.startTracking({ jobId: 'j', timeoutMs: 0 })).toMatchObject({ ok: false, error: 'invalid-input' });
    expect(timeouts.startTracking({ jobId: 'j', timeoutMs: Number.NaN })).toMatchObject({
      ok: false,
      error: 'invalid-input',
    });
    expect(timeouts.size).toBe(0);
    timeouts.startTracking({ jobId: 'j', timeoutMs: 1 });
    expect(timeouts.startTracking({ jobId: 'j', timeoutMs: 5 })).toMatchObject({ ok: false, error: 'duplicate' });
    expect(timeouts.stateOf('j')?.timeoutMs).toBe(1);
  });

  it('is bounded: a full table refuses new jobs, terminal jobs make room and expire', () => {
    const { clock, timeouts } = setup({ maxTrackedJobs: 2 });
    timeouts.startTracking({ jobId: 'a', timeoutMs: 1_000_000 });
    timeouts.startTracking({ jobId: 'b', timeoutMs: 1_000_000 });
    expect(timeouts.startTracking({ jobId: 'c', timeoutMs: 1_000_000 })).toMatchObject({
      ok: false,
      error: 'capacity',
    });
    expect(timeouts.metrics().jobsRefusedAtCapacity).toBe(1);
    timeouts.finishJob('a', 'completed');
    expect(timeouts.startTracking({ jobId: 'c', timeoutMs: 1_000_000 })).toMatchObject({ ok: true });
    expect(timeouts.stateOf('a')).toBeUndefined();
    timeouts.finishJob('b', 'cancelled');
    clock.advance(299_999);
    timeouts.tick();
    expect(timeouts.stateOf('b')).toBeDefined();
    clock.advance(1);
    timeouts.tick();
    expect(timeouts.stateOf('b')).toBeUndefined();
    expect(timeouts.size).toBe(1);
  });
});
