// A stats storm on real processes (AD-37): many VUs, progress every 20 ms, and a manager whose
// stats buffer holds 10 records drained every 500 ms. The manager's level must rise above NONE
// (workers then throttle, batch or drop progress), yet the job completes with its final result
// intact — the merged request count equals what the target counted — and control RPCs keep
// answering during the storm.
import { runJob } from '@hyperscale/client';
import { parseJobSpec } from '@hyperscale/loadgen';
import { JobStatus } from '@hyperscale/protocol';
import { sleep } from '@hyperscale/runtime';
import { describe, expect, it } from 'vitest';
import { requestsOf } from '../helpers/jobs.js';
import { useTestCluster } from '../helpers/test-cluster.js';

async function metric(adminPort: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(name)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  return total;
}

describe('stats storm', () => {
  const running = useTestCluster(
    { gates: 1, datacenters: [{ name: 'dc-a', managers: 1, workers: 2 }] },
    {
      HYPERSCALE_PROGRESS_INTERVAL: '20ms',
      HYPERSCALE_STATS_BUFFER_CAPACITY: '10',
      HYPERSCALE_STATS_AGGREGATE_INTERVAL: '500ms',
      HYPERSCALE_LOG_LEVEL: 'warn',
    },
  );

  it('raises the manager level, keeps control RPCs answering, and completes with the exact count', async () => {
    const { client, target, topology } = running;
    const managerAdmin = topology.datacenters[0]!.managers[0]!.adminPort;
    const workerAdmins = topology.datacenters[0]!.workers.map((w) => w.adminPort);
    target.reset();
    const workflows = ['a', 'b', 'c', 'd']
      .map(
        (name) => `
  - name: ${name}
    vus: 40
    duration: 4s
    steps:
      - name: hit
        url: ${target.url}/${name}`,
      )
      .join('');
    const spec = parseJobSpec(`name: storm\nworkflows:${workflows}\n`);

    let peakLevel = 0;
    let controlAnswers = 0;
    let storming = true;
    let cancelledStatus = JobStatus.UNSPECIFIED;
    const observer = (async () => {
      while (storming) {
        peakLevel = Math.max(peakLevel, await metric(managerAdmin, 'hyperscale_manager_backpressure_level'));
        await sleep(100);
      }
    })();
    const control = (async () => {
      await sleep(1_500); // well inside the storm
      const long = parseJobSpec(`
name: cancel-me
workflows:
  - name: w
    vus: 1
    duration: 60s
    steps:
      - name: s
        url: ${target.url}/cancel-me
`);
      const { jobId } = await client.submit(long);
      await client.get(jobId);
      controlAnswers++;
      await client.cancel(jobId, 'storm test');
      controlAnswers++;
      let status = JobStatus.UNSPECIFIED;
      for (let i = 0; i < 5; i++) {
        status = (await client.get(jobId)).status;
        controlAnswers++;
        await sleep(400);
      }
      cancelledStatus = (await client.get(jobId)).status;
      expect(status).toBeDefined();
    })();

    const { result } = await runJob(client, spec);
    await control;
    storming = false;
    await observer;

    expect(result.status).toBe(JobStatus.COMPLETED);
    expect(peakLevel).toBeGreaterThan(0);
    expect(controlAnswers).toBe(7);
    expect(cancelledStatus).toBe(JobStatus.CANCELLED);
    // Final results are never throttled: the merged count is what the target received for this job.
    const byPath = target.countsByPath();
    const stormRequests = ['a', 'b', 'c', 'd'].reduce((n, p) => n + (byPath[`/${p}`] ?? 0), 0);
    expect(requestsOf(result.merged)).toBe(stormRequests);
    expect(stormRequests).toBeGreaterThan(0);
    // The workers held progress back (throttled, batched or dropped) because of the signal.
    let held = 0;
    for (const port of workerAdmins) {
      held += await metric(port, 'hyperscale_worker_progress_updates_throttled_total');
      held += await metric(port, 'hyperscale_worker_progress_updates_batched_total');
      held += await metric(port, 'hyperscale_worker_progress_updates_dropped_total');
    }
    expect(held).toBeGreaterThan(0);
  }, 50_000);
});
