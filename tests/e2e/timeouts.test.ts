// Job timeouts end to end (AD-34, AD-26) with real processes on 127.0.0.1: a gate and two
// datacenters of one manager and one single-core worker each, with the timeout loops at
// millisecond scale (settings through the topology env). A job's `timeout` must cover its planned
// work (the spec refuses less), so the job that times out here is held in the queue behind another
// job until it can no longer finish in time: it then runs, generating load, past its deadline.

import { parseJobSpec } from '@hyperscale/loadgen';
import {
  createClient,
  GateControlService,
  GlobalTimeoutOutcome,
  JobStatus,
  ManagerService,
} from '@hyperscale/protocol';
import { sleep } from '@hyperscale/runtime';
import { describe, expect, it } from 'vitest';
import { debugStateOf, requestsOf, resultOf, waitFor } from '../helpers/jobs.js';
import { useTestCluster } from '../helpers/test-cluster.js';

interface GateDebug {
  jobs: { jobId: string; status: string; targets: { datacenter: string; manager: string; status: string }[] }[];
}

describe('job timeouts across two datacenters', () => {
  const running = useTestCluster(
    {
      gates: 1,
      datacenters: [
        { name: 'dc-a', managers: 1, workers: 1, cores: 1 },
        { name: 'dc-b', managers: 1, workers: 1, cores: 1 },
      ],
    },
    {
      HYPERSCALE_TICK_INTERVAL: '100ms',
      HYPERSCALE_TIMEOUT_TICK_INTERVAL: '100ms',
      HYPERSCALE_TIMEOUT_CHECK_INTERVAL: '100ms',
      HYPERSCALE_TIMEOUT_REPORT_RETRY: '200ms',
      HYPERSCALE_TIMEOUT_PROGRESS_REPORT_INTERVAL: '500ms',
      HYPERSCALE_TIMEOUT_OVERALL_SLACK: '2s',
      // AD-26 grants of 500, 250, 125, 100, 100 ms: a progressing share asks, and is granted ≈ 1 s.
      HYPERSCALE_EXTENSION_BASE: '1s',
      HYPERSCALE_EXTENSION_MIN_GRANT: '100ms',
    },
  );

  it('refuses a progress report and a global timeout carrying stale fences, and the job runs on', async () => {
    const { client, target, cluster } = running;
    target.reset();
    const { jobId } = await client.submit(
      parseJobSpec(`
name: fenced
datacenter_count: 2
workflows:
  - name: steady
    vus: 2
    duration: 3s
    graceful_stop: 0s
    steps:
      - name: hit
        url: ${target.url}/fenced
`),
    );
    const gate = cluster.nodes().find((n) => n.role === 'gate')!;
    // Wait until both datacenters run the job and their managers' reports reached the gate.
    let targets: GateDebug['jobs'][number]['targets'] = [];
    await waitFor('the job to run in both datacenters', async () => {
      const debug = await debugStateOf<GateDebug>(gate);
      targets = debug.jobs.find((j) => j.jobId === jobId)?.targets ?? [];
      return targets.length === 2 && targets.every((t) => t.status === 'RUNNING');
    });
    await sleep(700);

    const dcA = targets.find((t) => t.datacenter === 'dc-a')!;
    const gateControl = createClient(GateControlService, gate.grpcAddress, { defaultDeadlineMs: 2_000 });
    const manager = cluster.nodes().find((n) => n.id === dcA.manager)!;
    const managerClient = createClient(ManagerService, manager.grpcAddress, { defaultDeadlineMs: 2_000 });
    try {
      // An AD-34 report under a timeout fence older than the one the gate accepted from dc-a.
      const stale = await gateControl.reportJobProgress({
        jobId,
        datacenter: 'dc-a',
        managerId: dcA.manager,
        sequence: 1_000_000n,
        status: JobStatus.FAILED,
        timeoutFenceToken: 1n,
        hasRecentProgress: false,
      });
      expect(stale.accepted).toBe(false);
      expect(stale.rejection).toBe('stale-fence');
      const staleTimeout = await gateControl.reportJobTimeout({
        jobId,
        datacenter: 'dc-a',
        managerId: dcA.manager,
        reason: 'stuck',
        timeoutFenceToken: 1n,
      });
      expect(staleTimeout).toMatchObject({ accepted: false, rejection: 'stale-fence' });

      // A global timeout under a gate fence older than the gate's lease the manager learnt at dispatch.
      const refused = await managerClient.applyGlobalTimeout({
        jobId,
        reason: 'overall',
        detail: 'from a deposed gate',
        fenceToken: 1n,
      });
      expect(refused.outcome).toBe(GlobalTimeoutOutcome.REJECTED);
      expect(refused.reason).toBe('stale-fence');
      // The correction: the job still runs, under the gate fence the manager holds.
      expect(refused.status).toBe(JobStatus.RUNNING);
      expect(refused.fenceToken).toBeGreaterThan(1n);
      expect(refused.datacenter).toBe('dc-a');
    } finally {
      gateControl.close();
      managerClient.close();
    }

    const result = await resultOf(client, jobId);
    expect(result.status).toBe(JobStatus.COMPLETED);
    expect(result.datacenters.map((d) => d.status)).toEqual([JobStatus.COMPLETED, JobStatus.COMPLETED]);
  }, 30_000);

  it('times a job out everywhere when it runs past its timeout: TIMEOUT with the reason, load stops', async () => {
    const { client, target } = running;
    target.reset();
    // The blocker takes the only core of each datacenter for 3 s.
    const blocker = await client.submit(
      parseJobSpec(`
name: blocker
datacenter_count: 2
workflows:
  - name: hold
    vus: 2
    duration: 3s
    graceful_stop: 0s
    steps:
      - name: hold
        url: ${target.url}/blocker
`),
    );
    await waitFor('the blocker to run', () => (target.countsByPath()['/blocker'] ?? 0) > 20);
    // Planned work 4 s, timeout 4 s: it waits ≈ 3 s for cores, so it cannot end in time.
    const submittedAt = Date.now();
    const { jobId } = await client.submit(
      parseJobSpec(`
name: too-late
timeout: 4s
datacenter_count: 2
workflows:
  - name: late
    vus: 2
    duration: 4s
    graceful_stop: 0s
    steps:
      - name: hit
        url: ${target.url}/late
`),
    );
    const result = await resultOf(client, jobId);
    const endedAfterMs = Date.now() - submittedAt;
    const late = () => target.countsByPath()['/late'] ?? 0;
    const atEnd = late();

    expect(result.status).toBe(JobStatus.TIMEOUT);
    expect(result.error).toMatch(/^timeout \(overall\): /);
    expect(result.datacenters.map((d) => d.datacenter).sort()).toEqual(['dc-a', 'dc-b']);
    for (const dc of result.datacenters) {
      expect(dc.status).toBe(JobStatus.TIMEOUT);
      expect(dc.error).toMatch(/^timeout \(overall\): /);
      // The statistics each datacenter gathered before the timeout are kept.
      expect(requestsOf(dc.workflows)).toBeGreaterThan(0);
    }
    // It ended before its planned work could have: ≈ 3 s queued + 4 s of load.
    expect(endedAfterMs).toBeLessThan(6_800);
    // The load stopped: nothing more reaches the target, and the result counts what it got (less
    // at most the request each VU had in flight when the cancel interrupted it).
    await sleep(1_000);
    expect(late()).toBe(atEnd);
    expect(requestsOf(result.merged)).toBeLessThanOrEqual(atEnd);
    expect(requestsOf(result.merged)).toBeGreaterThanOrEqual(atEnd - 2);

    const blockerResult = await resultOf(client, blocker.jobId);
    expect(blockerResult.status).toBe(JobStatus.COMPLETED);
  }, 40_000);
});
