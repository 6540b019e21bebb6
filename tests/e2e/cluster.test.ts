// End to end with real processes on 127.0.0.1: a gate, datacenters of managers and workers, and
// an HTTP target that counts what it really received. Scenarios run one after another because
// each cluster uses both cores of the machine.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { status as grpcStatus } from '@grpc/grpc-js';
import { fetchPools, runJob } from '@hyperscale/client';
import { parseJobSpec } from '@hyperscale/loadgen';
import { grpcCodeOf, grpcMetadataOf, type JobResult, JobStatus } from '@hyperscale/protocol';
import { sleep } from '@hyperscale/runtime';
import { statsFromProto } from '@hyperscale/wire';
import { describe, expect, it } from 'vitest';
import { debugStateOf, requestsOf, resultOf, waitFor } from '../helpers/jobs.js';
import { useTestCluster } from '../helpers/test-cluster.js';

const CLI = fileURLToPath(new URL('../../packages/client/dist/cli/main.js', import.meta.url));

function workflowStats(result: JobResult, datacenter: string, workflow: string) {
  const dc = result.datacenters.find((d) => d.datacenter === datacenter);
  const w = dc?.workflows.find((x) => x.workflowName === workflow);
  return w ? statsFromProto(w) : undefined;
}

describe('two datacenters behind one gate', () => {
  const running = useTestCluster({
    gates: 1,
    datacenters: [
      { name: 'dc-a', managers: 1, workers: 2 },
      { name: 'dc-b', managers: 1, workers: 2 },
    ],
  });

  it('runs dependent workflows in both datacenters and the merged count equals what the target counted', async () => {
    const { client, target } = running;
    target.reset();
    const spec = parseJobSpec(`
name: e2e
datacenter_count: 2
workflows:
  - name: first
    vus: 4
    duration: 1500ms
    steps:
      - name: one
        url: ${target.url}/one
  - name: second
    depends_on: [first]
    vus: 2
    duration: 1s
    steps:
      - name: two
        url: ${target.url}/two
`);
    const { result } = await runJob(client, spec);
    expect(result.status).toBe(JobStatus.COMPLETED);
    expect(result.datacenters.map((d) => d.datacenter).sort()).toEqual(['dc-a', 'dc-b']);
    for (const dc of result.datacenters) {
      expect(dc.status).toBe(JobStatus.COMPLETED);
      expect(requestsOf(dc.workflows)).toBeGreaterThan(0);
      // Within each datacenter the dependent workflow started after its dependency ended.
      const first = workflowStats(result, dc.datacenter, 'first')!;
      const second = workflowStats(result, dc.datacenter, 'second')!;
      expect(second.startedAtMs).toBeGreaterThanOrEqual(first.endedAtMs - 5);
    }
    const perDc = result.datacenters.reduce((n, d) => n + requestsOf(d.workflows), 0);
    expect(requestsOf(result.merged)).toBe(perDc);
    expect(requestsOf(result.merged)).toBe(target.count());
    const byPath = target.countsByPath();
    const merged = result.merged.map((w) => statsFromProto(w)!);
    expect(merged.find((w) => w.workflow === 'first')!.steps[0]!.requests).toBe(byPath['/one']);
    expect(merged.find((w) => w.workflow === 'second')!.steps[0]!.requests).toBe(byPath['/two']);
  }, 60_000);

  it('forms the SWIM pools from registration alone, and `hyperscale members` lists them', async () => {
    const { cluster } = running;
    const manager = cluster.nodes().find((n) => n.id === 'dc-a-m1')!;
    await waitFor('dc-a pool and the global pool to converge', async () => {
      const pools = await fetchPools(new URL(manager.adminUrl).host);
      const dc = pools.find((p) => p.pool === 'datacenter')!;
      const global = pools.find((p) => p.pool === 'global')!;
      return (
        dc.members.filter((m) => m.role === 'worker' && m.state === 'alive').length === 2 &&
        global.members.some((m) => m.role === 'gate' && m.state === 'alive') &&
        global.members.some((m) => m.id === 'dc-b-m1' && m.state === 'alive')
      );
    });
    // Workers of one datacenter know each other through the manager's gossip, not the other pool's.
    const worker = cluster.nodes().find((n) => n.id === 'dc-a-w1')!;
    const [workerPool] = await fetchPools(new URL(worker.adminUrl).host);
    expect(workerPool!.members.map((m) => m.id).sort()).toEqual(['dc-a-m1', 'dc-a-w2']);
    const cli = spawnSync(
      process.execPath,
      [CLI, 'members', '--admin', new URL(manager.adminUrl).host, '--pool', 'datacenter'],
      {
        encoding: 'utf8',
      },
    );
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(/datacenter pool, seen by dc-a-m1/);
    expect(cli.stdout).toMatch(/dc-a-w2\s+worker\s+alive\s+\d+\s+127\.0\.0\.1:\d+\s+\d+\.\d/);
  });

  it('rejects a bad job spec with INVALID_ARGUMENT naming the field, and an unknown job with NOT_FOUND', async () => {
    const { client, target } = running;
    const spec = parseJobSpec(`
name: bad
workflows:
  - name: w
    duration: 1s
    steps:
      - name: s
        url: ${target.url}/refused
`);
    spec.workflows[0]!.vus = 0;
    const error = await client.submit(spec).catch((e: unknown) => e);
    expect(grpcCodeOf(error)).toBe(grpcStatus.INVALID_ARGUMENT);
    expect(grpcMetadataOf(error, 'field-path')).toBe('submission.spec.workflows[0].vus');
    const missing = await client.get('job-0000000000000000').catch((e: unknown) => e);
    expect(grpcCodeOf(missing)).toBe(grpcStatus.NOT_FOUND);
    // The refused spec changed nothing: nothing of it ever reached the target.
    await sleep(500);
    expect(target.countsByPath()['/refused']).toBeUndefined();
  });

  it('cancels mid-run: the load stops within 2 s and the final status is CANCELLED', async () => {
    const { client, target } = running;
    target.reset();
    const spec = parseJobSpec(`
name: cancel-me
datacenter_count: 2
workflows:
  - name: long
    vus: 4
    duration: 60s
    steps:
      - name: hit
        url: ${target.url}/long
`);
    const { jobId } = await client.submit(spec);
    while (target.count() < 200) await sleep(50);
    const cancelled = await client.cancel(jobId, 'test cancel');
    expect(cancelled.alreadyTerminal).toBe(false);
    await sleep(2_000);
    const afterTwoSeconds = target.count();
    await sleep(1_000);
    expect(target.count()).toBe(afterTwoSeconds);
    const result = await resultOf(client, jobId);
    expect(result.status).toBe(JobStatus.CANCELLED);
    expect(requestsOf(result.merged)).toBeGreaterThan(0);
  }, 60_000);
});

describe('a worker killed mid-run', () => {
  const running = useTestCluster({ gates: 1, datacenters: [{ name: 'dc-k', managers: 1, workers: 3 }] });

  it('has its share re-dispatched and the job still completes', async () => {
    const { client, target, cluster } = running;
    const spec = parseJobSpec(`
name: survive
workflows:
  - name: steady
    vus: 2
    duration: 12s
    steps:
      - name: hit
        url: ${target.url}/steady
`);
    const { jobId } = await client.submit(spec);
    // Wait until both shares run, then find a worker holding one and kill it.
    let victim: string | undefined;
    while (!victim) {
      await sleep(100);
      for (const node of cluster.nodes().filter((n) => n.role === 'worker')) {
        const state = await debugStateOf<{ executor: { active: unknown[] } }>(node);
        if (state.executor.active.length > 0) victim = node.id;
      }
    }
    await sleep(1_000);
    await cluster.kill(victim, 'SIGKILL');
    const result = await resultOf(client, jobId, { timeoutMs: 75_000, pollMs: 200 });
    expect(result.status).toBe(JobStatus.COMPLETED);
    const survivors = cluster.nodes().filter((n) => n.role === 'worker' && n.id !== victim);
    const manager = cluster.nodes().find((n) => n.role === 'manager')!;
    const debug = await debugStateOf<{
      jobs: { jobId: string; coordinator: { retryBudget: number; subs: { worker: string; state: string }[] } }[];
    }>(manager);
    const job = debug.jobs.find((j) => j.jobId === jobId)!;
    expect(job.coordinator.subs.some((s) => s.worker === victim && s.state === 'lost')).toBe(true);
    expect(
      job.coordinator.subs.some(
        (s) => s.worker !== victim && survivors.some((w) => w.id === s.worker) && s.state === 'completed',
      ),
    ).toBe(true);
    expect(job.coordinator.retryBudget).toBeLessThan(10);
    expect(requestsOf(result.merged)).toBeGreaterThan(0);
  }, 90_000);
});
