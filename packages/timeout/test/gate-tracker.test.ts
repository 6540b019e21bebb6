// The gate's global view (facts §7.1 GateJobTimeoutTracker; §8 item 8 fence edge cases).
import { VirtualClock } from '@hyperscale/deterministic';
import { describe, expect, it } from 'vitest';
import {
  combineDatacenterStatuses,
  composeFenceToken,
  GateJobTimeoutTracker,
  type JobProgressReport,
  type JobTimeoutReport,
  type TimeoutConfig,
} from '../src/index.js';

function setup(config: Partial<TimeoutConfig> = {}) {
  const clock = new VirtualClock(0);
  const gate = new GateJobTimeoutTracker({ clock, config });
  return { clock, gate };
}

function progress(dc: string, fenceToken: bigint, extra: Partial<JobProgressReport> = {}): JobProgressReport {
  return {
    jobId: 'j',
    datacenter: dc,
    managerId: `${dc}-m1`,
    managerHost: 'h',
    managerPort: 1,
    workflowsTotal: 2,
    workflowsCompleted: 0,
    workflowsFailed: 0,
    hasRecentProgress: true,
    timestampMs: 0,
    fenceToken,
    totalExtensionsGrantedMs: 0,
    maxWorkerExtensionMs: 0,
    workersWithExtensions: 0,
    ...extra,
  };
}

function timeoutReport(dc: string, fenceToken: bigint, reason: JobTimeoutReport['reason'] = 'stuck'): JobTimeoutReport {
  return {
    jobId: 'j',
    datacenter: dc,
    managerId: `${dc}-m1`,
    managerHost: 'h',
    managerPort: 1,
    reason,
    detail: '',
    elapsedMs: 0,
    fenceToken,
  };
}

describe('GateJobTimeoutTracker', () => {
  it('declares overall after timeout + largest DC extension (+ slack), bumping the gate fence, once', () => {
    const { clock, gate } = setup();
    gate.startTracking({ jobId: 'j', timeoutMs: 60_000, datacenters: ['a', 'b'], leaseToken: 4n });
    gate.receiveProgressReport(progress('a', 1n, { totalExtensionsGrantedMs: 20_000 }));
    gate.receiveProgressReport(progress('b', 1n, { totalExtensionsGrantedMs: 5_000 }));
    clock.advance(60_000 + 20_000 + 15_000);
    gate.receiveProgressReport(progress('a', 1n));
    gate.receiveProgressReport(progress('b', 1n));
    expect(gate.check()).toEqual([]);
    clock.advance(1);
    const [effect] = gate.check();
    expect(effect).toMatchObject({
      kind: 'declare-global-timeout',
      resend: false,
      message: { jobId: 'j', reason: 'overall', fenceToken: composeFenceToken(4n, 1n) },
      targets: [
        { datacenter: 'a', managerId: 'a-m1' },
        { datacenter: 'b', managerId: 'b-m1' },
      ],
    });
    expect(gate.metrics().globalTimeoutsByReason.overall).toBe(1);
    // Not acked: the same decision (same fence) is re-sent, not re-decided.
    const [again] = gate.check();
    expect(again).toMatchObject({ resend: true, message: { fenceToken: composeFenceToken(4n, 1n) } });
    gate.globalTimeoutAcknowledged('j', 'a');
    gate.globalTimeoutAcknowledged('j', 'b');
    expect(gate.check()).toEqual([]);
    expect(gate.metrics().globalTimeoutsByReason.overall).toBe(1);
  });

  it('any DC local timeout triggers the global timeout (default); majority needs more than half', () => {
    for (const [quorum, expected] of [
      ['any', 1],
      ['majority', 0],
    ] as const) {
      const { clock, gate } = setup({ dcTimeoutQuorum: quorum });
      gate.startTracking({ jobId: 'j', timeoutMs: 600_000, datacenters: ['a', 'b', 'c'], leaseToken: 1n });
      clock.advance(1_000);
      expect(gate.receiveTimeoutReport(timeoutReport('a', 0n))).toEqual({ accepted: true, duplicate: false });
      expect(gate.check()).toHaveLength(expected);
      if (quorum === 'majority') {
        gate.receiveTimeoutReport(timeoutReport('b', 0n, 'overall'));
        const [effect] = gate.check();
        expect(effect).toMatchObject({ message: { reason: 'datacenter-timeout' } });
      }
    }
  });

  it('carries the DCs reason when they agree (stuck ⇒ stuck)', () => {
    const { gate } = setup();
    gate.startTracking({ jobId: 'j', timeoutMs: 600_000, datacenters: ['a', 'b'], leaseToken: 1n });
    gate.receiveTimeoutReport(timeoutReport('b', 0n, 'stuck'));
    expect(gate.check()[0]).toMatchObject({ message: { reason: 'stuck' } });
  });

  it('declares stuck when every running DC has been without progress for 180 s', () => {
    const { clock, gate } = setup();
    gate.startTracking({ jobId: 'j', timeoutMs: 3_600_000, datacenters: ['a', 'b'], leaseToken: 1n });
    clock.advance(100_000);
    gate.receiveProgressReport(progress('a', 0n, { hasRecentProgress: true }));
    clock.advance(80_001); // b silent 180.001 s, a only 80 s
    expect(gate.check()).toEqual([]);
    clock.advance(100_000); // a now 180.001 s without progress too
    gate.receiveProgressReport(progress('a', 0n, { hasRecentProgress: false }));
    expect(gate.check()[0]).toMatchObject({ message: { reason: 'stuck' } });
  });

  it('fence edge cases: out-of-order, equal, huge tokens, conflicting leader; per-job isolation', () => {
    const { gate } = setup();
    gate.startTracking({ jobId: 'j', timeoutMs: 600_000, datacenters: ['a'], leaseToken: 1n });
    gate.startTracking({ jobId: 'k', timeoutMs: 600_000, datacenters: ['a'], leaseToken: 1n });
    const huge = composeFenceToken(1n << 30n, 7n); // far beyond 2^53
    expect(gate.receiveProgressReport(progress('a', huge))).toMatchObject({ accepted: true });
    // Out of order: an older leader's report arrives late.
    expect(gate.receiveProgressReport(progress('a', huge - 1n))).toEqual({
      accepted: false,
      reason: 'stale-fence',
      currentFenceToken: huge,
    });
    expect(gate.receiveTimeoutReport(timeoutReport('a', huge - 1n))).toMatchObject({
      accepted: false,
      reason: 'stale-fence',
    });
    // Equal token from the same leader: accepted (periodic reports repeat it).
    expect(gate.receiveProgressReport(progress('a', huge))).toMatchObject({ accepted: true });
    // Equal token from another manager: two leaders cannot share a fence.
    expect(gate.receiveProgressReport(progress('a', huge, { managerId: 'imposter' }))).toMatchObject({
      accepted: false,
      reason: 'conflicting-leader',
    });
    // Number precision would merge these two; bigint keeps them apart.
    expect(Number(huge - 1n)).toBe(Number(huge));
    // Per-job isolation: job k's DC a has seen nothing, so a low token is fine there.
    expect(gate.receiveProgressReport({ ...progress('a', 1n), jobId: 'k' })).toMatchObject({ accepted: true });
    expect(gate.view('j')?.datacenters.a?.leaderFence).toBe(huge);
    expect(gate.view('k')?.datacenters.a?.leaderFence).toBe(1n);
    expect(gate.metrics().staleReportsRejected).toBe(3);
  });

  it('a stale manager cannot trigger or delay a global timeout (the original never checked)', () => {
    const { gate } = setup();
    gate.startTracking({ jobId: 'j', timeoutMs: 600_000, datacenters: ['a', 'b'], leaseToken: 1n });
    expect(
      gate.receiveLeaderTransfer({
        jobId: 'j',
        datacenter: 'a',
        newLeaderId: 'a-m2',
        newLeaderHost: 'h',
        newLeaderPort: 1,
        fenceToken: 5n,
      }),
    ).toMatchObject({
      accepted: true,
    });
    expect(gate.receiveTimeoutReport({ ...timeoutReport('a', 4n), managerId: 'a-m1' })).toMatchObject({
      accepted: false,
      reason: 'stale-fence',
    });
    expect(gate.check()).toEqual([]);
  });

  it('leader transfers need a strictly greater fence', () => {
    const { gate } = setup();
    gate.startTracking({ jobId: 'j', timeoutMs: 600_000, datacenters: ['a'], leaseToken: 1n });
    const transfer = {
      jobId: 'j',
      datacenter: 'a',
      newLeaderId: 'a-m2',
      newLeaderHost: 'h',
      newLeaderPort: 1,
      fenceToken: 5n,
    };
    expect(gate.receiveLeaderTransfer(transfer)).toMatchObject({ accepted: true, duplicate: false });
    expect(gate.receiveLeaderTransfer(transfer)).toMatchObject({ accepted: true, duplicate: true });
    expect(gate.receiveLeaderTransfer({ ...transfer, newLeaderId: 'a-m3' })).toMatchObject({
      accepted: false,
      reason: 'stale-fence',
    });
    expect(gate.receiveLeaderTransfer({ ...transfer, newLeaderId: 'a-m3', fenceToken: 4n })).toMatchObject({
      accepted: false,
      reason: 'stale-fence',
    });
    expect(gate.receiveLeaderTransfer({ ...transfer, jobId: 'nope' })).toMatchObject({
      accepted: false,
      reason: 'unknown-job',
    });
    expect(gate.receiveLeaderTransfer({ ...transfer, datacenter: 'zz' })).toMatchObject({
      accepted: false,
      reason: 'unknown-datacenter',
    });
  });

  it('cleans up once every DC is terminal and reports one combined final status', () => {
    const { gate } = setup();
    gate.startTracking({ jobId: 'j', timeoutMs: 600_000, datacenters: ['a', 'b'], leaseToken: 1n });
    const final = (dc: string, status: 'completed' | 'timeout') => ({
      jobId: 'j',
      datacenter: dc,
      managerId: `${dc}-m1`,
      status,
      timestampMs: 0,
      fenceToken: 0n,
    });
    expect(gate.receiveFinalStatus(final('a', 'completed'))).toEqual({
      verdict: { accepted: true, duplicate: false },
      effects: [],
    });
    expect(gate.receiveFinalStatus(final('a', 'timeout')).verdict).toEqual({ accepted: true, duplicate: true });
    const { effects } = gate.receiveFinalStatus({ ...final('b', 'timeout'), reason: 'stuck' });
    expect(effects).toEqual([
      {
        kind: 'job-finished',
        jobId: 'j',
        status: 'timeout',
        reason: 'stuck',
        datacenters: { a: 'completed', b: 'timeout' },
        syntheticDatacenters: [],
      },
    ]);
    expect(gate.size).toBe(0);
    expect(gate.receiveFinalStatus(final('b', 'timeout')).verdict).toMatchObject({
      accepted: false,
      reason: 'unknown-job',
    });
  });

  it('a DC silent after the global timeout gets a synthetic TIMEOUT so tracking never leaks', () => {
    const { clock, gate } = setup();
    gate.startTracking({ jobId: 'j', timeoutMs: 10_000, datacenters: ['a', 'b'], leaseToken: 1n });
    clock.advance(25_001);
    expect(gate.check()).toHaveLength(1);
    gate.receiveFinalStatus({
      jobId: 'j',
      datacenter: 'a',
      managerId: 'a-m1',
      status: 'timeout',
      reason: 'overall',
      timestampMs: 0,
      fenceToken: 0n,
    });
    clock.advance(300_000);
    expect(gate.check()).toEqual([
      {
        kind: 'job-finished',
        jobId: 'j',
        status: 'timeout',
        reason: 'overall',
        datacenters: { a: 'timeout', b: 'timeout' },
        syntheticDatacenters: ['b'],
      },
    ]);
    expect(gate.size).toBe(0);
  });

  it('re-issues a pending decision under a new lease so managers told of the new lease accept it', () => {
    const { gate } = setup();
    gate.startTracking({ jobId: 'j', timeoutMs: 600_000, datacenters: ['a'], leaseToken: 1n });
    gate.receiveTimeoutReport(timeoutReport('a', 0n));
    expect(gate.check()[0]).toMatchObject({ message: { fenceToken: composeFenceToken(1n, 1n) } });
    expect(gate.ownerChanged('j', 1n).ok).toBe(false);
    const changed = gate.ownerChanged('j', 2n);
    expect(changed.effects[0]).toMatchObject({
      message: { fenceToken: composeFenceToken(2n, 1n) },
      targets: [{ datacenter: 'a' }],
    });
  });

  it('is bounded and refuses bad input', () => {
    const { gate } = setup({ maxTrackedJobs: 1 });
    expect(gate.startTracking({ jobId: 'x', timeoutMs: 1, datacenters: [], leaseToken: 1n })).toMatchObject({
      ok: false,
      error: 'invalid-input',
    });
    expect(gate.startTracking({ jobId: 'x', timeoutMs: 1, datacenters: ['a', 'a'], leaseToken: 1n })).toMatchObject({
      ok: false,
      error: 'invalid-input',
    });
    expect(gate.startTracking({ jobId: 'x', timeoutMs: 1, datacenters: ['a'], leaseToken: 1n })).toEqual({ ok: true });
    expect(gate.startTracking({ jobId: 'x', timeoutMs: 1, datacenters: ['a'], leaseToken: 1n })).toMatchObject({
      ok: false,
      error: 'duplicate',
    });
    expect(gate.startTracking({ jobId: 'y', timeoutMs: 1, datacenters: ['a'], leaseToken: 1n })).toMatchObject({
      ok: false,
      error: 'capacity',
    });
    expect(gate.stopTracking('x')).toBe(true);
    expect(gate.startTracking({ jobId: 'y', timeoutMs: 1, datacenters: ['a'], leaseToken: 1n })).toEqual({ ok: true });
  });

  it('combines DC statuses by the global status rule', () => {
    expect(combineDatacenterStatuses(['completed', 'completed'])).toBe('completed');
    expect(combineDatacenterStatuses(['completed', 'timeout'])).toBe('timeout');
    expect(combineDatacenterStatuses(['timeout', 'cancelled'])).toBe('cancelled');
    expect(combineDatacenterStatuses(['cancelled', 'failed', 'timeout'])).toBe('failed');
    expect(combineDatacenterStatuses([])).toBe('failed');
  });
});
