// job-latency: on a local two-datacenter topology (one gate; per datacenter one manager and two
// workers, every node a real process), how long from submit until the first request reaches the
// target, and from the target's last request until the final result reaches the client.
// Goals (issue 2): under 250 ms and under 1 s. Last stdout line: one JSON object.
import { HyperscaleClient, LocalCluster, runJob, startTargetServer, type Topology } from '@hyperscale/client';
import { parseJobSpec } from '@hyperscale/loadgen';
import { JobStatus } from '@hyperscale/protocol';
import { localTopology } from '../tests/helpers/topology.js';

const TRIALS = Number(process.env['TRIALS'] ?? 7);

function topology(): Promise<Topology> {
  return localTopology(
    {
      gates: 1,
      datacenters: [
        { name: 'eu-west', managers: 1, workers: 2 },
        { name: 'us-east', managers: 1, workers: 2 },
      ],
    },
    { HYPERSCALE_LOG_LEVEL: process.env['HYPERSCALE_LOG_LEVEL'] ?? 'warn' },
  );
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const target = await startTargetServer();
const cluster = await LocalCluster.start(
  await topology(),
  process.env['LOG_DIR'] ? { logDir: process.env['LOG_DIR'] } : {},
);
const client = new HyperscaleClient(cluster.entryAddress());
const spec = parseJobSpec(`
name: latency
datacenter_count: 2
workflows:
  - name: short
    vus: 4
    duration: 1s
    steps:
      - name: hit
        url: ${target.url}/
`);
const toFirst: number[] = [];
const toResult: number[] = [];
try {
  for (let trial = 0; trial < TRIALS + 1; trial++) {
    target.reset();
    const submittedAt = performance.now();
    const { result } = await runJob(client, spec);
    const resultAt = performance.now();
    const { firstMs, lastMs } = target.timing();
    if (result.status !== JobStatus.COMPLETED || firstMs === undefined || lastMs === undefined) {
      throw new Error(`trial ${trial}: job ended ${JobStatus[result.status]} ${result.error}`);
    }
    // The first trial warms connections and JIT; it is reported but not counted.
    const first = firstMs - submittedAt;
    const last = resultAt - lastMs;
    console.log(
      `trial ${trial}${trial === 0 ? ' (warm-up)' : ''}: submit→first request ${first.toFixed(1)} ms, last request→result ${last.toFixed(1)} ms`,
    );
    if (trial > 0) {
      toFirst.push(first);
      toResult.push(last);
    }
  }
} finally {
  client.close();
  await cluster.stop();
  await target.close();
}
const figures = {
  bench: 'job-latency',
  trials: TRIALS,
  submit_to_first_request_ms_p50: Number(percentile(toFirst, 0.5).toFixed(1)),
  submit_to_first_request_ms_max: Number(Math.max(...toFirst).toFixed(1)),
  last_request_to_result_ms_p50: Number(percentile(toResult, 0.5).toFixed(1)),
  last_request_to_result_ms_max: Number(Math.max(...toResult).toFixed(1)),
  goal_submit_to_first_ms: 250,
  goal_last_to_result_ms: 1000,
};
console.log(JSON.stringify(figures));
