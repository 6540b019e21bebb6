// Whole-system scenarios: a gate and one manager per DC, wired by the test harness on a virtual
// clock with the default (production) intervals. Facts §8 item 10 and the multi-DC tests.
import { describe, expect, it } from 'vitest';
import { composeFenceToken } from '../src/index.js';
import { Cluster } from './harness.js';

describe('multi-datacenter timeouts', () => {
  it('one datacenter stuck → every datacenter cancels within one gate check interval', () => {
    const cluster = new Cluster(['eu', 'us', 'ap']);
    cluster.submit('j', 3_600_000);
    cluster.startLoops();
    cluster.keepProgressing('us', 'j', 2_000);
    cluster.keepProgressing('ap', 'j', 2_000);
    cluster.clock.advance(400_000);
    const euLocal = 120_000 + cluster.gate.config.managerTickIntervalMs; // first tick past 120 s
    expect(cluster.cancels.map((c) => c.datacenter).sort()).toEqual(['ap', 'eu', 'us']);
    for (const cancel of cluster.cancels) {
      expect(cancel.reason).toBe('stuck');
      expect(cancel.at).toBeGreaterThanOrEqual(euLocal);
      expect(cancel.at).toBeLessThanOrEqual(euLocal + cluster.gate.config.gateCheckIntervalMs);
    }
    expect(cluster.finished).toEqual([expect.objectContaining({ jobId: 'j', status: 'timeout', reason: 'stuck' })]);
    expect(cluster.gate.size).toBe(0);
  });

  it('overall: every DC cancels once, the client sees one TIMEOUT (overall)', () => {
    const cluster = new Cluster(['eu', 'us']);
    cluster.submit('j', 60_000);
    cluster.startLoops();
    cluster.keepProgressing('eu', 'j', 1_000);
    cluster.keepProgressing('us', 'j', 1_000);
    cluster.clock.advance(200_000);
    expect(cluster.cancels).toHaveLength(2);
    expect(new Set(cluster.cancels.map((c) => c.reason))).toEqual(new Set(['overall']));
    expect(cluster.finished).toHaveLength(1);
    expect(cluster.finished[0]).toMatchObject({ status: 'timeout', reason: 'overall' });
  });

  it('extensions postpone the timeout in every DC (the extension race)', () => {
    const cluster = new Cluster(['eu', 'us']);
    cluster.submit('j', 60_000);
    cluster.startLoops();
    cluster.keepProgressing('eu', 'j', 1_000);
    cluster.keepProgressing('us', 'j', 1_000);
    // A worker in eu asks 1 ms before the check that would time the job out.
    cluster.clock.advance(59_999);
    expect(cluster.manager('eu').requestExtension('j', { workerId: 'w', currentProgress: 0.9 }).granted).toBe(true);
    cluster.clock.advance(15_000); // us would have passed 60 s; eu extended to 75 s
    expect(cluster.cancels.filter((c) => c.datacenter === 'eu')).toEqual([]);
    cluster.clock.advance(60_000);
    // eu's own deadline (75 s) fired first; everything ends with it, nothing earlier.
    expect(cluster.cancels).toHaveLength(2);
    expect(cluster.finished).toHaveLength(1);
  });

  it('stuck but alive in both DCs: the client sees TIMEOUT (stuck)', () => {
    const cluster = new Cluster(['eu', 'us']);
    cluster.submit('j', 3_600_000);
    cluster.startLoops();
    cluster.clock.advance(200_000);
    expect(cluster.cancels.map((c) => c.reason)).toEqual(['stuck', 'stuck']);
    expect(cluster.finished).toEqual([expect.objectContaining({ status: 'timeout', reason: 'stuck' })]);
  });

  it('gate unreachable ⇒ managers time out locally 300 s after their local timeout', () => {
    const cluster = new Cluster(['eu', 'us']);
    cluster.submit('j', 60_000);
    cluster.startLoops();
    cluster.keepProgressing('eu', 'j', 1_000);
    cluster.keepProgressing('us', 'j', 1_000);
    cluster.clock.advance(30_000);
    cluster.gateReachable = false; // gate killed mid-job
    cluster.clock.advance(330_000); // local timeout at 65 s, fallback needs > 300 s of silence after it
    expect(cluster.cancels).toEqual([]);
    cluster.clock.advance(10_000);
    expect(cluster.cancels.map((c) => `${c.datacenter}:${c.reason}`).sort()).toEqual([
      'eu:gate-unreachable',
      'us:gate-unreachable',
    ]);
    for (const cancel of cluster.cancels) expect(cancel.at).toBeGreaterThan(65_000 + 300_000);
  });

  it('completion racing the timeout → exactly one final status per DC and per job', () => {
    const cluster = new Cluster(['eu', 'us']);
    cluster.submit('j', 3_600_000);
    cluster.startLoops();
    cluster.keepProgressing('us', 'j', 1_000);
    // eu goes stuck; at the moment the gate decides, us has just completed.
    cluster.clock.advance(125_000); // eu reported stuck at 125 s
    const finished = cluster.manager('us').finishJob('j', 'completed');
    expect(finished.accepted).toBe(true);
    // The completion's final status is not delivered before the gate's check (lost ack race).
    cluster.clock.advance(50_000);
    if (finished.accepted) cluster.deliverFromManager('us', finished.effects);
    cluster.clock.advance(50_000);
    expect(cluster.cancels.map((c) => c.datacenter)).toEqual(['eu']);
    expect(cluster.manager('us').stateOf('j')?.finalStatus).toBe('completed');
    expect(cluster.finished).toEqual([
      expect.objectContaining({
        jobId: 'j',
        status: 'timeout',
        reason: 'stuck',
        datacenters: { eu: 'timeout', us: 'completed' },
      }),
    ]);
  });

  it('leader transfer mid-job: the new leader resumes, the old leader is fenced out', () => {
    const cluster = new Cluster(['eu', 'us']);
    cluster.submit('j', 3_600_000);
    cluster.startLoops();
    cluster.keepProgressing('us', 'j', 1_000);
    cluster.keepProgressing('eu', 'j', 1_000);
    cluster.clock.advance(30_000);
    const oldLeader = cluster.manager('eu');
    const snapshot = oldLeader.exportState('j');
    if (snapshot === undefined) throw new Error('no snapshot');
    const newLeader = cluster.newManager('eu', 'eu-m2');
    cluster.managers.set('eu', newLeader);
    const resumed = newLeader.resumeTracking(snapshot);
    if (!resumed.ok) throw new Error(resumed.detail);
    cluster.deliverFromManager('eu', resumed.effects);
    expect(cluster.gate.view('j')?.datacenters.eu).toMatchObject({ leaderId: 'eu-m2', leaderFence: 1n });
    // The deposed leader still thinks the job is stuck and reports it: rejected.
    const staleVerdict = cluster.gate.receiveTimeoutReport({
      jobId: 'j',
      datacenter: 'eu',
      managerId: 'eu-m1',
      managerHost: 'h',
      managerPort: 1,
      reason: 'stuck',
      detail: '',
      elapsedMs: 0,
      fenceToken: 0n,
    });
    expect(staleVerdict).toMatchObject({ accepted: false, reason: 'stale-fence' });
    cluster.clock.advance(170_000);
    expect(cluster.cancels).toEqual([]);
    expect(cluster.finished).toEqual([]);
  });

  it('a stale global timeout from a deposed gate is rejected; the new owner`s decision is accepted', () => {
    const cluster = new Cluster(['eu']);
    cluster.submit('j', 3_600_000, 5n);
    cluster.manager('eu').gateOwnerChanged('j', 6n);
    const stale = cluster.manager('eu').receiveGlobalTimeout({
      jobId: 'j',
      reason: 'overall',
      detail: '',
      timedOutAtMs: 0,
      fenceToken: composeFenceToken(5n, 1n),
    });
    expect(stale).toMatchObject({ outcome: 'rejected', reason: 'stale-fence' });
    cluster.gate.ownerChanged('j', 6n);
    cluster.gate.receiveTimeoutReport({
      jobId: 'j',
      datacenter: 'eu',
      managerId: 'eu-m1',
      managerHost: 'h',
      managerPort: 1,
      reason: 'stuck',
      detail: '',
      elapsedMs: 0,
      fenceToken: 0n,
    });
    cluster.deliverFromGate(cluster.gate.check());
    expect(cluster.cancels).toEqual([expect.objectContaining({ datacenter: 'eu', reason: 'stuck' })]);
  });
});
