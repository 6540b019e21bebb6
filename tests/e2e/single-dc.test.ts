// Single-datacenter mode with real processes: no gate; the client talks to a manager directly,
// which then uses the local-authority timeout strategy and judges thresholds itself.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HyperscaleClient, runJob } from '@hyperscale/client';
import { parseJobSpec } from '@hyperscale/loadgen';
import { JobStatus } from '@hyperscale/protocol';
import { describe, expect, it } from 'vitest';
import { requestsOf } from '../helpers/jobs.js';
import { useTestCluster } from '../helpers/test-cluster.js';

const CLI = fileURLToPath(new URL('../../packages/client/dist/cli/main.js', import.meta.url));

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

  // The CLI runs as a child process; the target lives in this process, so the child is awaited
  // asynchronously (a synchronous spawn would stop the target from answering).
  const runCli = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.on('close', (status) => resolve({ status, stdout }));
    });

  it('hyperscale run exits 99 when a threshold fails and prints the result as JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hyperscale-cli-'));
    const file = join(dir, 'job.yaml');
    writeFileSync(
      file,
      `name: cli\nthresholds:\n  http_reqs: ["count < 1"]\nworkflows:\n  - name: w\n    vus: 1\n    duration: 500ms\n    steps:\n      - url: ${t.target.url}/cli\n`,
    );
    const run = await runCli(['run', file, '--manager', t.cluster.entryAddress(), '--json']);
    expect(run.status).toBe(99);
    const out = JSON.parse(run.stdout) as {
      jobId: string;
      result: { status: number; thresholds: { passed: boolean }[] };
    };
    expect(out.result.status).toBe(JobStatus.COMPLETED);
    expect(out.result.thresholds.map((v) => v.passed)).toEqual([false]);
    const bad = await runCli(['run', join(dir, 'missing.yaml')]);
    expect(bad.status).not.toBe(0);
  }, 90_000);
});
