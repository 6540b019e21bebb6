// Job timeouts end to end (AD-34, AD-26) with real processes on 127.0.0.1: a gate and two
// datacenters of one manager and one single-core worker each, with the timeout loops at
// millisecond scale (settings through the topology env). A job's `timeout` must cover its planned
// work (the spec refuses less), so the job that times out here is held in the queue behind another
// job until it can no longer finish in time: it then runs, generating load, past its deadline.
// A second cluster points jobs at a target that accepts connections and never answers: no request
// completes, so the job is stuck (while its workers stay healthy); and with the gate killed
// mid-job, each manager falls back to a local timeout on its own.

import { readFileSync } from 'node:fs';
import { HyperscaleClient } from '@hyperscale/client';
import { parseJobSpec } from '@hyperscale/loadgen';
import {
  createClient,
  GateControlService,
  GlobalTimeoutOutcome,
  JobStatus,
  ManagerService,
} from '@hyperscale/protocol';
import { sleep } from '@hyperscale/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugStateOf, requestsOf, resultOf, waitFor, whileShed } from '../helpers/jobs.js';
import { type SilentTarget, startSilentTarget } from '../helpers/silent-target.js';
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
      const stale = await whileShed(() =>
        gateControl.reportJobProgress({
          jobId,
          datacenter: 'dc-a',
          managerId: dcA.manager,
          sequence: 1_000_000n,
          status: JobStatus.FAILED,
          timeoutFenceToken: 1n,
          hasRecentProgress: false,
        }),
      );
      expect(stale.accepted).toBe(false);
      expect(stale.rejection).toBe('stale-fence');
      const staleTimeout = await whileShed(() =>
        gateControl.reportJobTimeout({
          jobId,
          datacenter: 'dc-a',
          managerId: dcA.manager,
          reason: 'stuck',
          timeoutFenceToken: 1n,
        }),
      );
      expect(staleTimeout).toMatchObject({ accepted: false, rejection: 'stale-fence' });

      // A global timeout under a gate fence older than the gate's lease the manager learnt at dispatch.
      const refused = await whileShed(() =>
        managerClient.applyGlobalTimeout({
          jobId,
          reason: 'overall',
          detail: 'from a deposed gate',
          fenceToken: 1n,
        }),
      );
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

    const result = await resultOf(client, jobId, { retryShed: true });
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
    const result = await resultOf(client, jobId, { retryShed: true });
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
    // The load stopped: nothing more reaches the target, and the result counts what it got (less
    // at most the request each VU had in flight when the cancel interrupted it).
    await sleep(1_000);
    expect(late()).toBe(atEnd);
    expect(requestsOf(result.merged)).toBeLessThanOrEqual(atEnd);
    expect(requestsOf(result.merged)).toBeGreaterThanOrEqual(atEnd - 2);

    const blockerResult = await resultOf(client, blocker.jobId, { retryShed: true });
    expect(blockerResult.status).toBe(JobStatus.COMPLETED);
  }, 40_000);
});

interface ManagerDebug {
  workers: { id: string }[];
}

/** A node's Prometheus exposition (admin HTTP). */
async function metricsOf(node: { adminUrl: string }): Promise<string> {
  return (await fetch(`${node.adminUrl}/metrics`)).text();
}

// Stuck after 4 s without a completed request; the gate-unreachable fallback 2 s after that.
const STUCK_MS = 4_000;
const FALLBACK_MS = 2_000;

describe('job timeouts against a target that never answers', () => {
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
      HYPERSCALE_TIMEOUT_STUCK_THRESHOLD: `${STUCK_MS}ms`,
      HYPERSCALE_TIMEOUT_GATE_UNREACHABLE_FALLBACK: `${FALLBACK_MS}ms`,
    },
  );
  let silent: SilentTarget;
  beforeAll(async () => {
    silent = await startSilentTarget();
  });
  afterAll(async () => {
    await silent?.close();
  });

  // Four VUs, two per datacenter, each holding one request the target never answers; the work planned
  // (60 s) and the request timeout (60 s) are far beyond the stuck threshold and the fallback.
  const hangingJob = (name: string) =>
    parseJobSpec(`
name: ${name}
datacenter_count: 2
workflows:
  - name: hang
    vus: 4
    duration: 60s
    graceful_stop: 0s
    steps:
      - name: hang
        url: ${silent.url}/hang
        timeout: 60s
`);

  /** Waits until the gate sees the job run in both datacenters and every VU holds a connection. */
  async function runningEverywhere(jobId: string, connectionsBefore: number) {
    const gate = running.cluster.nodes().find((n) => n.role === 'gate')!;
    await waitFor('the job to run in both datacenters', async () => {
      const debug = await debugStateOf<GateDebug>(gate);
      const targets = debug.jobs.find((j) => j.jobId === jobId)?.targets ?? [];
      return targets.length === 2 && targets.every((t) => t.status === 'RUNNING');
    });
    await waitFor('every VU to connect to the target', () => silent.accepted() - connectionsBefore >= 4);
  }

  /** The load stopped: every connection closed, and nothing new arrives after a settle time. */
  async function expectLoadStopped() {
    await waitFor('the VUs to close their connections', () => silent.open() === 0, 5_000);
    const accepted = silent.accepted();
    const bytes = silent.bytes();
    await sleep(1_500);
    expect(silent.accepted()).toBe(accepted);
    expect(silent.bytes()).toBe(bytes);
    expect(silent.open()).toBe(0);
  }

  function managers() {
    return running.cluster.nodes().filter((n) => n.role === 'manager');
  }

  it('times a stuck job out in both datacenters with reason stuck, no worker is lost, and the load stops', async () => {
    const { client } = running;
    const connectionsBefore = silent.accepted();
    const submittedAt = Date.now();
    const { jobId } = await client.submit(hangingJob('stuck'));
    await runningEverywhere(jobId, connectionsBefore);
    // Every VU waits on its request: connections stay open and none is answered.
    expect(silent.open()).toBeGreaterThanOrEqual(4);

    const result = await resultOf(client, jobId, { retryShed: true });
    const endedAfterMs = Date.now() - submittedAt;
    expect(result.status).toBe(JobStatus.TIMEOUT);
    expect(result.error).toMatch(/^timeout \(stuck\): /);
    expect(result.datacenters.map((d) => d.datacenter).sort()).toEqual(['dc-a', 'dc-b']);
    for (const dc of result.datacenters) {
      expect(dc.status).toBe(JobStatus.TIMEOUT);
      expect(dc.error).toMatch(/^timeout \(stuck\): /);
    }
    // Not before the stuck threshold, and long before the planned work or a request timeout.
    expect(endedAfterMs).toBeGreaterThanOrEqual(STUCK_MS);
    expect(endedAfterMs).toBeLessThan(STUCK_MS + 5_000);

    await expectLoadStopped();
    const gate = running.cluster.nodes().find((n) => n.role === 'gate')!;
    expect(await metricsOf(gate)).toMatch(/^hyperscale_timeout_gate_global_timeouts_total\{reason="stuck"[^}]*\} 1$/m);

    // Stuck but alive: the workers stayed healthy throughout, so none was declared lost (a lost
    // worker's shares would have been re-dispatched instead of the job timing out).
    for (const manager of managers()) {
      const debug = await debugStateOf<ManagerDebug>(manager);
      expect(debug.workers.map((w) => w.id)).toEqual([`${manager.datacenter}-w1`]);
      expect(readFileSync(manager.logFile, 'utf8')).not.toContain('worker lost');
    }
  }, 30_000);

  // Kills the gate: the last test of this cluster.
  it('lets each manager time the job out locally when the gate dies mid-job (reason gate-unreachable)', async () => {
    const { client, cluster } = running;
    const connectionsBefore = silent.accepted();
    const submittedAt = Date.now();
    const { jobId } = await client.submit(hangingJob('orphaned'));
    await runningEverywhere(jobId, connectionsBefore);
    // The gate dies before any manager's stuck threshold: the local timeouts it would have turned
    // into a global one reach no one.
    expect(Date.now() - submittedAt).toBeLessThan(STUCK_MS - 500);
    const gate = cluster.nodes().find((n) => n.role === 'gate')!;
    await cluster.kill(gate.id);

    for (const manager of managers()) {
      const direct = new HyperscaleClient(manager.grpcAddress, { target: 'manager' });
      try {
        const result = await resultOf(direct, jobId, {
          timeoutMs: STUCK_MS + FALLBACK_MS + 10_000,
          retryShed: true,
        });
        expect(result.status).toBe(JobStatus.TIMEOUT);
        expect(result.error).toMatch(/^timeout \(gate-unreachable\): .*after a local stuck/);
        expect(result.datacenters).toHaveLength(1);
        expect(result.datacenters[0]!.datacenter).toBe(manager.datacenter);
        expect(result.datacenters[0]!.status).toBe(JobStatus.TIMEOUT);
        // The fallback ended it: not before the stuck threshold plus the fallback window, and
        // long before its planned work (60 s) would have.
        expect(Number(result.elapsedMs)).toBeGreaterThanOrEqual(STUCK_MS + FALLBACK_MS);
        expect(Number(result.elapsedMs)).toBeLessThan(STUCK_MS + FALLBACK_MS + 5_000);
        expect(await metricsOf(manager)).toMatch(
          /^hyperscale_timeout_manager_timeouts_total\{reason="gate-unreachable"[^}]*\} 1$/m,
        );
      } finally {
        direct.close();
      }
    }
    await expectLoadStopped();
  }, 40_000);
});
