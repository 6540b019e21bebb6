// Single-datacenter mode with real processes: no gate; the client talks to a manager directly,
// which then uses the local-authority timeout strategy and judges thresholds itself.
import { HyperscaleClient, runJob } from '@hyperscale/client';
import { parseJobSpec } from '@hyperscale/loadgen';
import { JobStatus } from '@hyperscale/protocol';
import { describe, expect, it } from 'vitest';
import { requestsOf } from '../helpers/jobs.js';
import { useTestCluster } from '../helpers/test-cluster.js';

describe('a client talking straight to a manager', () => {
  const t = useTestCluster({ gates: 0, datacenters: [{ name: 'solo', managers: 1, workers: 2 }] });

  it('runs the job on the datacenter, evaluates thresholds and counts exactly', async () => {
    t.target.reset();
    const client = new HyperscaleClient(t.cluster.entryAddress(), { target: 'manager' });
    try {
      const spec = parseJobSpec(`
name: solo
thresholds:
  errors: ["rate < 1%"]
  http_reqs: ["count < 1"]
workflows:
  - name: w
    vus: 2
    duration: 1s
    steps:
      - name: hit
        url: ${t.target.url}/solo
`);
      const { result } = await runJob(client, spec);
      expect(result.status).toBe(JobStatus.COMPLETED);
      expect(result.datacenters.map((d) => d.datacenter)).toEqual(['solo']);
      expect(requestsOf(result.merged)).toBe(t.target.count());
      // The manager judged the thresholds: no errors passes; "fewer than one request" cannot.
      const verdicts = Object.fromEntries(result.thresholds.map((v) => [v.metric, v.passed]));
      expect(verdicts).toEqual({ errors: true, http_reqs: false });
    } finally {
      client.close();
    }
  }, 60_000);
});
