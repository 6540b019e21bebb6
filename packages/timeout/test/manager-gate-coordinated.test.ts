// Multi-DC jobs from the manager's side (facts §7.1 GateCoordinatedTimeout; AD-34 part 7 scenarios).
import { VirtualClock } from '@hyperscale/deterministic';
import { describe, expect, it } from 'vitest';
import {
  composeFenceToken,
  type JobGlobalTimeout,
  ManagerJobTimeouts,
  type ManagerTimeoutEffect,
} from '../src/index.js';

function setup(managerId = 'm1', clock = new VirtualClock(0)) {
  const timeouts = new ManagerJobTimeouts({
    clock,
    identity: { datacenter: 'dc1', managerId, host: '10.0.0.1', port: 7000 },
  });
  return { clock, timeouts };
}

const kinds = (effects: ManagerTimeoutEffect[]) => effects.map((e) => e.kind);
const globalTimeout = (fenceToken: bigint, jobId = 'j'): JobGlobalTimeout => ({
  jobId,
  reason: 'stuck',
  detail: 'test',
  timedOutAtMs: 0,
  fenceToken,
});

describe('GateCoordinatedTimeout via ManagerJobTimeouts', () => {
  it('reports progress to the gate every 10 s with the fence and extension figures', () => {
    const { clock, timeouts } = setup();
    timeouts.startTracking({
      jobId: 'j',
      timeoutMs: 600_000,
      gate: { addr: 'gate:1', leaseToken: 3n },
      initialFenceToken: 7n,
      workflowsTotal: 4,
    });
    clock.advance(5_000);
    expect(timeouts.tick()).toEqual([]);
    clock.advance(5_000);
    timeouts.recordProgress('j', { workflowsCompleted: 1 });
    const [effect] = timeouts.tick();
    expect(effect).toMatchObject({
      kind: 'send-progress-report',
      gateAddr: 'gate:1',
      report: {
        jobId: 'j',
        datacenter: 'dc1',
        managerId: 'm1',
        workflowsTotal: 4,
        workflowsCompleted: 1,
        hasRecentProgress: true,
        fenceToken: 7n,
      },
    });
    clock.advance(10_000);
    const [next] = timeouts.tick();
    expect(next).toMatchObject({ kind: 'send-progress-report', report: { hasRecentProgress: false } });
  });

  it('a fresh extension is reported at the next tick, not up to 10 s later', () => {
    const { clock, timeouts } = setup();
    timeouts.startTracking({ jobId: 'j', timeoutMs: 600_000, gate: { addr: 'g', leaseToken: 1n } });
    clock.advance(10_000);
    timeouts.tick();
    clock.advance(1_000);
    timeouts.requestExtension('j', { workerId: 'w', currentProgress: 0.3 });
    const [effect] = timeouts.tick();
    expect(effect).toMatchObject({
      kind: 'send-progress-report',
      report: { totalExtensionsGrantedMs: 15_000, workersWithExtensions: 1 },
    });
  });

  it('reports a local timeout to the gate, repeats it until acked, and does not decide alone', () => {
    const { clock, timeouts } = setup();
    timeouts.startTracking({ jobId: 'j', timeoutMs: 600_000, gate: { addr: 'g', leaseToken: 1n } });
    clock.advance(120_001);
    const first = timeouts.tick();
    expect(kinds(first)).toEqual(['send-progress-report', 'send-timeout-report']);
    expect(first[1]).toMatchObject({ report: { reason: 'stuck', fenceToken: 0n } });
    clock.advance(5_000);
    expect(kinds(timeouts.tick())).toContain('send-timeout-report');
    timeouts.gateAcknowledged('j', 'timeout-report');
    clock.advance(5_000);
    expect(kinds(timeouts.tick())).not.toContain('send-timeout-report');
    expect(timeouts.stateOf('j')?.finalStatus).toBeNull();
  });

  it('gate unreachable: times out locally 300 s after the local timeout when the gate never answers', () => {
    const { clock, timeouts } = setup();
    timeouts.startTracking({ jobId: 'j', timeoutMs: 60_000, gate: { addr: 'g', leaseToken: 1n } });
    clock.advance(60_001);
    timeouts.tick(); // local overall timeout reported, never acked
    clock.advance(300_000);
    expect(kinds(timeouts.tick())).not.toContain('time-out-job');
    clock.advance(1);
    const effects = timeouts.tick();
    expect(effects).toContainEqual(expect.objectContaining({ kind: 'time-out-job', reason: 'gate-unreachable' }));
    expect(effects).toContainEqual(
      expect.objectContaining({
        kind: 'send-final-status',
        status: expect.objectContaining({ status: 'timeout', reason: 'gate-unreachable' }),
      }),
    );
    expect(timeouts.metrics().timeoutsByReason['gate-unreachable']).toBe(1);
  });

  it('a reachable gate (acking) holds off the fallback; silence is counted from the last contact', () => {
    const { clock, timeouts } = setup();
    timeouts.startTracking({ jobId: 'j', timeoutMs: 60_000, gate: { addr: 'g', leaseToken: 1n } });
    clock.advance(60_001);
    timeouts.tick();
    timeouts.gateAcknowledged('j', 'timeout-report');
    for (let i = 0; i < 60; i++) {
      clock.advance(10_000);
      timeouts.tick();
      timeouts.gateAcknowledged('j', 'progress');
    }
    expect(timeouts.stateOf('j')?.finalStatus).toBeNull();
    clock.advance(300_001);
    expect(timeouts.tick()).toContainEqual(
      expect.objectContaining({ kind: 'time-out-job', reason: 'gate-unreachable' }),
    );
  });

  it('accepts a current global timeout once; a retransmission is a no-op', () => {
    const { timeouts } = setup();
    timeouts.startTracking({ jobId: 'j', timeoutMs: 60_000, gate: { addr: 'g', leaseToken: 5n } });
    const token = composeFenceToken(5n, 1n);
    const first = timeouts.receiveGlobalTimeout(globalTimeout(token));
    expect(first.outcome).toBe('accepted');
    if (first.outcome !== 'accepted') return;
    expect(kinds(first.effects)).toEqual(['time-out-job', 'send-final-status']);
    expect(first.effects[0]).toMatchObject({ reason: 'stuck' });
    expect(timeouts.receiveGlobalTimeout(globalTimeout(token))).toEqual({
      outcome: 'accepted',
      effects: [],
      duplicate: true,
    });
  });

  it('rejects a stale global timeout (deposed gate) and answers with a status correction', () => {
    const { timeouts } = setup();
    timeouts.startTracking({ jobId: 'j', timeoutMs: 60_000, gate: { addr: 'old-gate', leaseToken: 5n } });
    expect(timeouts.gateOwnerChanged('j', 6n, 'new-gate')).toBe(true);
    // The old owner decides with its own lease: (5 << 32) | 1 < 6 << 32.
    const stale = timeouts.receiveGlobalTimeout(globalTimeout(composeFenceToken(5n, 1n)));
    expect(stale).toMatchObject({
      outcome: 'rejected',
      reason: 'stale-fence',
      correction: { status: 'running', gateFenceToken: composeFenceToken(6n, 0n) },
    });
    expect(timeouts.stateOf('j')?.finalStatus).toBeNull();
    expect(timeouts.metrics().staleGlobalTimeoutsRejected).toBe(1);
    // A gate transfer must be strictly newer.
    expect(timeouts.gateOwnerChanged('j', 6n)).toBe(false);
    expect(timeouts.gateOwnerChanged('j', 4n)).toBe(false);
    expect(timeouts.receiveGlobalTimeout(globalTimeout(composeFenceToken(6n, 1n))).outcome).toBe('accepted');
    expect(timeouts.stateOf('j')?.gateAddr).toBe('new-gate');
  });

  it('a global timeout after completion gets the final status as correction, never a second final status', () => {
    const { timeouts } = setup();
    timeouts.startTracking({ jobId: 'j', timeoutMs: 60_000, gate: { addr: 'g', leaseToken: 1n } });
    const finished = timeouts.finishJob('j', 'completed');
    expect(finished.accepted && kinds(finished.effects)).toEqual(['send-final-status']);
    const late = timeouts.receiveGlobalTimeout(globalTimeout(composeFenceToken(1n, 1n)));
    expect(late).toMatchObject({ outcome: 'already-final', correction: { status: 'completed', datacenter: 'dc1' } });
    expect(timeouts.stateOf('j')?.finalStatus).toBe('completed');
    expect(timeouts.metrics().timeoutsByReason.stuck).toBe(0);
  });

  it('re-sends the final status until the gate acks it', () => {
    const { clock, timeouts } = setup();
    timeouts.startTracking({ jobId: 'j', timeoutMs: 60_000, gate: { addr: 'g', leaseToken: 1n } });
    timeouts.finishJob('j', 'failed');
    clock.advance(5_000);
    expect(kinds(timeouts.tick())).toEqual(['send-final-status']);
    timeouts.gateAcknowledged('j', 'final-status');
    clock.advance(5_000);
    expect(timeouts.tick()).toEqual([]);
  });

  it('leader transfer: the new leader resumes from the original start time with fence + 1 and tells the gate', () => {
    const clock = new VirtualClock(50_000);
    const old = setup('m-old', clock).timeouts;
    old.startTracking({ jobId: 'j', timeoutMs: 100_000, gate: { addr: 'g', leaseToken: 1n }, initialFenceToken: 41n });
    clock.advance(60_000);
    old.recordProgress('j');
    const snapshot = old.exportState('j');
    expect(snapshot).toBeDefined();
    if (snapshot === undefined) return;
    // JSON round trip, as replication would do.
    const replicated = JSON.parse(JSON.stringify(snapshot));
    const fresh = setup('m-new', new VirtualClock(9_000_000));
    const resumed = fresh.timeouts.resumeTracking(replicated);
    expect(resumed).toMatchObject({ ok: true, fenceToken: 42n });
    if (!resumed.ok) return;
    expect(resumed.effects).toEqual([
      expect.objectContaining({
        kind: 'send-leader-transfer',
        transfer: expect.objectContaining({ newLeaderId: 'm-new', fenceToken: 42n, datacenter: 'dc1' }),
      }),
    ]);
    // 60 s already ran: the overall deadline is 40 s away on the new clock, not 100 s.
    fresh.clock.advance(40_000);
    expect(kinds(fresh.timeouts.tick())).not.toContain('send-timeout-report');
    fresh.clock.advance(1);
    expect(fresh.timeouts.tick()).toContainEqual(
      expect.objectContaining({
        kind: 'send-timeout-report',
        report: expect.objectContaining({ reason: 'overall', fenceToken: 42n }),
      }),
    );
  });

  it('resume honours a fence floor (the new dispatch token) and repeats the transfer until acked', () => {
    const { timeouts: old } = setup('m-old');
    old.startTracking({ jobId: 'j', timeoutMs: 100_000, gate: { addr: 'g', leaseToken: 1n } });
    const snapshot = old.exportState('j');
    if (snapshot === undefined) throw new Error('no snapshot');
    const { clock, timeouts } = setup('m-new');
    const floor = composeFenceToken(9n, 0n);
    expect(timeouts.resumeTracking(snapshot, { fenceFloor: floor })).toMatchObject({ ok: true, fenceToken: floor });
    clock.advance(5_000);
    expect(kinds(timeouts.tick())).toContain('send-leader-transfer');
    timeouts.gateAcknowledged('j', 'leader-transfer');
    clock.advance(5_000);
    expect(kinds(timeouts.tick())).not.toContain('send-leader-transfer');
    expect(timeouts.resumeTracking(snapshot)).toMatchObject({ ok: false, error: 'duplicate' });
  });

  it('counts the failover gap when both sides know the wall clock (capped), forgives it otherwise', () => {
    const { timeouts: old } = setup('m-old');
    old.startTracking({ jobId: 'j', timeoutMs: 100_000, gate: { addr: 'g', leaseToken: 1n } });
    const snapshot = old.exportState('j', 1_700_000_000_000);
    if (snapshot === undefined) throw new Error('no snapshot');
    const withWall = setup('a', new VirtualClock(500_000));
    withWall.timeouts.resumeTracking(snapshot, { wallNowMs: 1_700_000_030_000 });
    expect(withWall.timeouts.stateOf('j')?.startedAt).toBe(470_000);
    const capped = setup('b', new VirtualClock(5_000_000));
    capped.timeouts.resumeTracking(snapshot, { wallNowMs: 1_700_009_000_000 });
    expect(capped.timeouts.stateOf('j')?.startedAt).toBe(5_000_000 - 600_000);
    const without = setup('c', new VirtualClock(500_000));
    without.timeouts.resumeTracking(snapshot);
    expect(without.timeouts.stateOf('j')?.startedAt).toBe(500_000);
  });

  it('refuses a malformed snapshot without tracking anything', () => {
    const { timeouts } = setup();
    const { timeouts: old } = setup('m-old');
    old.startTracking({ jobId: 'j', timeoutMs: 100_000, gate: { addr: 'g', leaseToken: 1n } });
    const snapshot = old.exportState('j');
    if (snapshot === undefined) throw new Error('no snapshot');
    expect(timeouts.resumeTracking({ ...snapshot, fenceToken: '-3' })).toMatchObject({
      ok: false,
      error: 'invalid-snapshot',
    });
    expect(timeouts.resumeTracking({ ...snapshot, startedAgoMs: Number.NaN })).toMatchObject({
      ok: false,
      error: 'invalid-snapshot',
    });
    expect(timeouts.resumeTracking({ ...snapshot, strategy: 'bogus' as 'local-authority' })).toMatchObject({
      ok: false,
      error: 'invalid-snapshot',
    });
    expect(timeouts.size).toBe(0);
  });
});
