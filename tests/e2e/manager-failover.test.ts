// A datacenter's job manager dies while the datacenter keeps another manager (facts §3: the job
// goes to another manager there). Real processes: the gate's review finds the share's manager dead
// (SWIM) and moves the share, for the time it had not run and with a new fence, to the other
// manager of the same datacenter; the workers stop the dead manager's shares after their orphan
// grace, so the datacenter does not run the share twice; the job completes where the router put
// it, keeping what the lost attempt measured.

import { parseJobSpec } from '@hyperscale/loadgen';
import { JobStatus } from '@hyperscale/protocol';
import { describe, expect, it } from 'vitest';
import { debugStateOf, requestsOf, resultOf, waitFor } from '../helpers/jobs.js';
import { useTestCluster } from '../helpers/test-cluster.js';

interface GateState {
  jobs: { jobId: string; targets: { datacenter: string; manager?: string; movedFrom: string[] }[] }[];
}
interface WorkerState {
  executor: { active: { workflowId: string }[] };
}

describe('a datacenter that loses the manager running a job', () => {
  const t = useTestCluster({
    gates: 1,
    datacenters: [
      { name: 'dc-a', managers: 2, workers: 2 },
      { name: 'dc-b', managers: 1, workers: 1 },
    ],
  });

  it('moves the share to its other manager, stops the orphaned share, and completes there', async () => {
    const spec = parseJobSpec(`
name: failover
datacenters: [dc-a]
workflows:
  - name: w
    vus: 1
    duration: 30s
    steps:
      - name: hit
        url: ${t.target.url}/failover
`);
    const submitted = await t.client.submit(spec);
    expect(submitted.datacenters).toEqual(['dc-a']);
    const gate = t.cluster.nodes().find((n) => n.role === 'gate')!;
    const targetOf = async () =>
      (await debugStateOf<GateState>(gate)).jobs.find((j) => j.jobId === submitted.jobId)?.targets[0];
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
        .filter((share) => share.workflowId.split(':')[1] === lost);
    await waitFor('dc-a workers to stop the dead manager’s share', async () => (await orphaned()).length === 0, 15_000);

    const result = await resultOf(t.client, submitted.jobId, { timeoutMs: 60_000 });
    expect(result.status).toBe(JobStatus.COMPLETED);
    expect(result.error).toBe('');
    expect(result.datacenters.map((d) => d.datacenter)).toEqual(['dc-a']);
    // what the lost attempt measured stays in the result
    expect(requestsOf(result.merged)).toBeGreaterThan(before);
    // not a fallback to another datacenter
    const metrics = await (await fetch(`${gate.adminUrl}/metrics`)).text();
    expect(metrics).not.toMatch(/hyperscale_routing_fallback_used_total\{[^}]*from_datacenter="dc-a"/);
  }, 120_000);
});
