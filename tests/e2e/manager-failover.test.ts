// A datacenter's job manager is lost while the job runs (facts §3: the job goes to another manager
// there). Real processes throughout.
// - It dies and the datacenter keeps another manager: the gate's review finds it dead (SWIM) and
//   moves the share, for the time it had not run and with a new fence, to the other manager; the
//   workers stop the dead manager's share after their orphan grace, so it never runs twice.
// - It restarts in place (same id, ports and settings, as a crashed pod does): the new process
//   registers as another instance, so the gate holds the old one's job lost and moves the share,
//   possibly to the new process, and the workers stop the old process's share when it registers
//   them again — SWIM may never see the manager down.
// Either way the job completes where the router put it, keeping what the lost attempt measured.

import { readFileSync } from 'node:fs';
import { parseSubWorkflowId } from '@hyperscale/jobs';
import { parseJobSpec } from '@hyperscale/loadgen';
import { JobStatus } from '@hyperscale/protocol';
import { describe, expect, it } from 'vitest';
import { debugStateOf, requestsOf, resultOf, waitFor } from '../helpers/jobs.js';
import { type TestCluster, useTestCluster } from '../helpers/test-cluster.js';

interface GateState {
  jobs: { jobId: string; targets: { datacenter: string; manager?: string; movedFrom: string[] }[] }[];
}
interface WorkerState {
  executor: { active: { workflowId: string }[] };
}

const metricsOf = async (node: { adminUrl: string }) => (await fetch(`${node.adminUrl}/metrics`)).text();

const job = (name: string, url: string) =>
  parseJobSpec(`
name: ${name}
datacenters: [dc-a]
workflows:
  - name: w
    vus: 1
    duration: 30s
    steps:
      - name: hit
        url: ${url}/${name}
`);

function scenario(t: TestCluster) {
  const gate = () => t.cluster.nodes().find((n) => n.role === 'gate')!;

  /** Submits a 30 s job to dc-a and waits until it has measured requests there. */
  const running = async (name: string) => {
    const submitted = await t.client.submit(job(name, t.target.url));
    expect(submitted.datacenters).toEqual(['dc-a']);
    const targetOf = async () =>
      (await debugStateOf<GateState>(gate())).jobs.find((j) => j.jobId === submitted.jobId)?.targets[0];
    let before = 0;
    await waitFor(
      'dc-a to report requests',
      async () => {
        const progress = (await t.client.get(submitted.jobId)).progress;
        before = requestsOf(progress?.datacenters.flatMap((d) => d.workflows) ?? []);
        return before > 0;
      },
      15_000,
    );
    return { submitted, targetOf, before };
  };

  /** The job ends COMPLETED in dc-a, with more requests than measured before its manager was lost. */
  const completesInDcA = async (jobId: string, before: number) => {
    const result = await resultOf(t.client, jobId, { timeoutMs: 60_000 });
    expect(result.status).toBe(JobStatus.COMPLETED);
    expect(result.error).toBe('');
    expect(result.datacenters.map((d) => d.datacenter)).toEqual(['dc-a']);
    // what the lost attempt measured stays in the result
    expect(requestsOf(result.merged)).toBeGreaterThan(before);
    // not a fallback to another datacenter
    expect(await metricsOf(gate())).not.toMatch(/hyperscale_routing_fallback_used_total\{[^}]*from_datacenter="dc-a"/);
  };
  return { gate, running, completesInDcA };
}

describe('a datacenter that loses the manager running a job', () => {
  const t = useTestCluster({
    gates: 1,
    datacenters: [
      { name: 'dc-a', managers: 2, workers: 2 },
      { name: 'dc-b', managers: 1, workers: 1 },
    ],
  });

  const { gate, running, completesInDcA } = scenario(t);

  it('moves the share to its other manager, stops the orphaned share, and completes there', async () => {
    const { submitted, targetOf, before } = await running('failover');
    const lost = (await targetOf())?.manager;
    expect(lost).toMatch(/^dc-a-/);
    await t.cluster.kill(lost!, 'SIGKILL');
    await waitFor(
      'the gate to move the share to the other manager of dc-a',
      async () => {
        const target = await targetOf();
        return target?.datacenter === 'dc-a' && target.movedFrom.length === 1 && target.manager !== lost;
      },
      30_000,
    );
    expect((await targetOf())?.movedFrom).toEqual(['dc-a']);
    // The workers stop what the dead manager dispatched (orphan grace), long before its 30 s end.
    const workers = t.cluster.nodes().filter((n) => n.role === 'worker' && n.datacenter === 'dc-a');
    const orphaned = async () =>
      (await Promise.all(workers.map((w) => debugStateOf<WorkerState>(w))))
        .flatMap((s) => s.executor.active)
        .filter((share) => parseSubWorkflowId(share.workflowId)?.managerId === lost);
    await waitFor('dc-a workers to stop the dead manager’s share', async () => (await orphaned()).length === 0, 15_000);

    await completesInDcA(submitted.jobId, before);
    expect(await metricsOf(gate())).toMatch(/hyperscale_gate_shares_lost_total\{[^}]*reason="manager_dead"[^}]*\} 1\b/);
  }, 120_000);
});

describe('a manager restarted in place', () => {
  const t = useTestCluster({
    gates: 1,
    datacenters: [
      { name: 'dc-a', managers: 1, workers: 1 },
      { name: 'dc-b', managers: 1, workers: 1 },
    ],
  });
  const { gate, running, completesInDcA } = scenario(t);

  it('is lost for the job it ran: the share goes to the new process, the old process’s share stops', async () => {
    const { submitted, targetOf, before } = await running('restart');
    const restarted = (await targetOf())?.manager;
    expect(restarted).toMatch(/^dc-a-/);
    await t.cluster.restart(restarted!);
    await waitFor(
      'the gate to move the share off the old process',
      async () => (await targetOf())?.movedFrom.length === 1,
      30_000,
    );
    expect((await targetOf())?.datacenter).toBe('dc-a');
    // The workers learn of the restart when the new process registers them again, and stop what the
    // old one dispatched at once (SWIM may never see the manager down: it is back within a second).
    const workerLogs = () =>
      t.cluster
        .nodes()
        .filter((n) => n.role === 'worker' && n.datacenter === 'dc-a')
        .map((n) => readFileSync(n.logFile, 'utf8'))
        .join('');
    await waitFor(
      'a dc-a worker to stop the old process’s share',
      async () =>
        new RegExp(`"managerId":"${restarted}"[^\n]*"jobId":"${submitted.jobId}"[^\n]*manager lost`).test(workerLogs()),
      10_000,
    );
    await completesInDcA(submitted.jobId, before);
    expect(await metricsOf(gate())).toMatch(
      /hyperscale_gate_shares_lost_total\{[^}]*reason="manager_restarted"[^}]*\} 1\b/,
    );
    const worker = t.cluster.nodes().find((n) => n.role === 'worker' && n.datacenter === 'dc-a')!;
    expect(await metricsOf(worker)).toMatch(
      /hyperscale_worker_orphan_shares_stopped_total\{[^}]*reason="manager_restarted"[^}]*\} 1\b/,
    );
  }, 120_000);
});
