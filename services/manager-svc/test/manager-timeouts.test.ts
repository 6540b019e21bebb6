// The manager's timeout wiring on a virtual clock, without a network: a job nobody can run times
// out with one final status and its reason; a global timeout under a stale fence changes nothing
// and is answered with a correction; a fresh one ends the job TIMEOUT and reports it to the gate.
import { VirtualClock } from '@hyperscale/deterministic';
import { parseJobSpec } from '@hyperscale/loadgen';
import { GlobalTimeoutOutcome, JobStatus } from '@hyperscale/protocol';
import { createLogger } from '@hyperscale/runtime';
import type { JobTimeoutReport } from '@hyperscale/timeout';
import { describe, expect, it } from 'vitest';
import { type GateReporting, type ManagerJob, ManagerJobs } from '../src/manager-jobs.js';

const spec = parseJobSpec(`
name: unit
timeout: 2s
workflows:
  - name: w
    vus: 1
    duration: 1s
    graceful_stop: 0s
    steps:
      - name: s
        url: http://127.0.0.1:1/
`);

function setup() {
  const clock = new VirtualClock();
  const sent = { results: [] as ManagerJob[], timeoutReports: [] as JobTimeoutReport[] };
  const gate: GateReporting = {
    progress: () => {},
    result: (job) => sent.results.push(job),
    timeoutReport: (_job, report) => sent.timeoutReports.push(report),
    leaderTransfer: () => {},
  };
  const jobs = new ManagerJobs({
    identity: { managerId: 'm1', instanceId: 'i1', datacenter: 'dc-a', address: '127.0.0.1:7200' },
    clock,
    logger: createLogger({ service: 'test', nodeId: 'm1', level: 'silent' }),
    workerTimeoutMs: 3_000,
    maxActiveJobs: 10,
    jobRetentionMs: 60_000,
    gateReporting: gate,
    timeoutConfig: { managerTickIntervalMs: 100, reportRetryIntervalMs: 100 },
  });
  return { clock, jobs, sent };
}

function run(clock: VirtualClock, jobs: ManagerJobs, ms: number): void {
  for (let t = 0; t < ms; t += 100) {
    clock.advance(100);
    jobs.tick();
  }
}

describe('ManagerJobs timeouts', () => {
  it('times out a local-authority job nobody can run: TIMEOUT (overall), once', () => {
    const { clock, jobs } = setup();
    const { job } = jobs.submit(spec, {});
    run(clock, jobs, 1_900);
    expect(job.result).toBeUndefined();
    run(clock, jobs, 300);
    expect(job.result?.status).toBe(JobStatus.TIMEOUT);
    expect(job.result?.error).toMatch(/^timeout \(overall\): elapsed/);
    expect(jobs.timeouts.metrics().timeoutsByReason.overall).toBe(1);
    // Ticking on changes nothing: exactly one final status.
    run(clock, jobs, 5_000);
    expect(jobs.timeouts.metrics().timeoutsByReason.overall).toBe(1);
    expect(job.result?.status).toBe(JobStatus.TIMEOUT);
  });

  it('reports a gate-coordinated local timeout to the gate instead of ending the job', () => {
    const { clock, jobs, sent } = setup();
    const gateFence = (1n << 32n) | 7n;
    const { job } = jobs.submit(spec, { jobId: 'job-g', originGate: '127.0.0.1:7100', gateFence });
    run(clock, jobs, 2_300);
    expect(job.result).toBeUndefined();
    expect(sent.timeoutReports.at(-1)).toMatchObject({ jobId: 'job-g', reason: 'overall', fenceToken: gateFence });

    // A decision from an older gate lease is refused with the manager's view.
    const stale = jobs.applyGlobalTimeout({
      jobId: 'job-g',
      reason: 'overall',
      detail: 'stale',
      timedOutAtMs: 0,
      fenceToken: 5n,
    });
    expect(stale).toMatchObject({
      outcome: GlobalTimeoutOutcome.REJECTED,
      reason: 'stale-fence',
      status: JobStatus.RUNNING,
      fenceToken: 1n << 32n,
      timeoutFenceToken: gateFence,
    });
    expect(job.result).toBeUndefined();

    const fresh = jobs.applyGlobalTimeout({
      jobId: 'job-g',
      reason: 'overall',
      detail: 'dc-a timed out',
      timedOutAtMs: 0,
      fenceToken: (1n << 32n) | 1n,
    });
    expect(fresh.outcome).toBe(GlobalTimeoutOutcome.ACCEPTED);
    expect(job.result?.status).toBe(JobStatus.TIMEOUT);
    expect(sent.results.map((j) => j.jobId)).toEqual(['job-g']);
    // The same decision again is a retransmission; a later one gets the final status as correction.
    const again = jobs.applyGlobalTimeout({
      jobId: 'job-g',
      reason: 'overall',
      detail: 'dc-a timed out',
      timedOutAtMs: 0,
      fenceToken: (1n << 32n) | 2n,
    });
    expect(again).toMatchObject({ outcome: GlobalTimeoutOutcome.ALREADY_FINAL, status: JobStatus.TIMEOUT });
  });

  it('a cancelled job stays CANCELLED when its deadline passes later', () => {
    const { clock, jobs } = setup();
    const { job } = jobs.submit(spec, {});
    jobs.cancel(job.jobId, 'user');
    expect(job.result?.status).toBe(JobStatus.CANCELLED);
    run(clock, jobs, 5_000);
    expect(job.result?.status).toBe(JobStatus.CANCELLED);
    expect(jobs.timeouts.metrics().timeoutsByReason.overall).toBe(0);
  });
});
