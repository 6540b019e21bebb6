import { VirtualClock } from '@hyperscale/deterministic';
import { describe, expect, it } from 'vitest';
import { FenceTokenIssuer, type JobCommand, JobCoordinator, type ShareDispatch, WorkerPool } from '../src/index.js';

type Stats = { requests: number };
const merge = (a: Stats, b: Stats): Stats => ({ requests: a.requests + b.requests });

function setup(
  workers: [string, number][],
  workflows = [{ name: 'load', dependsOn: [] as string[], vus: 10, durationMs: 10_000 }],
) {
  const clock = new VirtualClock(1_000);
  const pool = new WorkerPool(clock, { livenessTimeoutMs: 3_000, maxWorkers: 100 });
  for (const [id, cores] of workers) pool.register(id, `127.0.0.1:${id}`, cores);
  const job = new JobCoordinator<Stats>({
    jobId: 'job-1',
    datacenter: 'dc1',
    managerId: 'm1',
    workflows,
    pool,
    fences: new FenceTokenIssuer(1),
    clock,
    mergeStats: merge,
  });
  return { clock, pool, job };
}

const dispatches = (commands: JobCommand[]): ShareDispatch[] =>
  commands.flatMap((c) => (c.kind === 'dispatch' ? [c.dispatch] : []));
const finished = (commands: JobCommand[]) => commands.filter((c) => c.kind === 'finished');

describe('JobCoordinator', () => {
  it('splits a workflow across workers by cores, VUs summing exactly, and completes once', () => {
    const { job, pool } = setup([
      ['w1', 2],
      ['w2', 1],
    ]);
    const sent = dispatches(job.step());
    expect(sent.map((d) => [d.workerId, d.cores, d.vus])).toEqual([
      ['w1', 2, 7],
      ['w2', 1, 3],
    ]);
    expect(pool.totalFreeCores()).toBe(0);
    for (const d of sent) job.onDispatchOutcome(d.subId, true);
    expect(job.onProgress(sent[0]!.subId, { requests: 5 })).toBe(true);
    expect(finished(job.onResult(sent[0]!.subId, 'completed', { requests: 70 }))).toEqual([]);
    const done = job.onResult(sent[1]!.subId, 'completed', { requests: 30 });
    expect(finished(done)).toEqual([{ kind: 'finished', outcome: 'completed' }]);
    expect(job.workflows()[0]!.stats).toEqual({ requests: 100 });
    expect(pool.totalFreeCores()).toBe(3);
    expect(job.onResult(sent[1]!.subId, 'completed', { requests: 30 })).toEqual([]);
    expect(job.step()).toEqual([]);
  });

  it('runs dependents only after their dependencies complete, each with all free cores', () => {
    const { job } = setup(
      [['w1', 2]],
      [
        { name: 'warmup', dependsOn: [], vus: 4, durationMs: 1_000 },
        { name: 'load', dependsOn: ['warmup'], vus: 4, durationMs: 1_000 },
      ],
    );
    const first = dispatches(job.step());
    expect(first.map((d) => d.workflowName)).toEqual(['warmup']);
    job.onDispatchOutcome(first[0]!.subId, true);
    expect(job.step()).toEqual([]);
    const second = dispatches(job.onResult(first[0]!.subId, 'completed', { requests: 1 }));
    expect(second.map((d) => [d.workflowName, d.cores, d.vus])).toEqual([['load', 2, 4]]);
    expect(second[0]!.fence > first[0]!.fence).toBe(true);
  });

  it('re-dispatches a lost worker share for the remaining time, keeping the lost attempt statistics', () => {
    const { job, pool, clock } = setup([
      ['w1', 1],
      ['w2', 1],
    ]);
    const sent = dispatches(job.step());
    for (const d of sent) job.onDispatchOutcome(d.subId, true);
    job.onProgress(sent[0]!.subId, { requests: 40 });
    // A real monotonic clock reads fractions of a millisecond; durations stay whole milliseconds.
    clock.advance(4_000.4);
    pool.register('w3', '127.0.0.1:w3', 1);
    pool.markLost('w1');
    const again = dispatches(job.onWorkerLost('w1'));
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ workerId: 'w3', vus: 5, durationMs: 6_000, attempt: 2 });
    expect(again[0]!.subId).toMatch(/:w3:2$/);
    job.onDispatchOutcome(again[0]!.subId, true);
    job.onResult(sent[1]!.subId, 'completed', { requests: 100 });
    const done = job.onResult(again[0]!.subId, 'completed', { requests: 60 });
    expect(finished(done)).toEqual([{ kind: 'finished', outcome: 'completed' }]);
    expect(job.workflows()[0]!.stats).toEqual({ requests: 200 });
    expect(job.remainingRetryBudget()).toBe(9);
  });

  it('waits for capacity when a lost share has nowhere to go, then places it', () => {
    const { job, pool } = setup([['w1', 1]]);
    const [d] = dispatches(job.step());
    job.onDispatchOutcome(d!.subId, true);
    pool.markLost('w1');
    expect(dispatches(job.onWorkerLost('w1'))).toEqual([]);
    expect(job.finished).toBe(false);
    pool.register('w9', '127.0.0.1:w9', 2);
    const placed = dispatches(job.tick());
    expect(placed.map((x) => [x.workerId, x.cores, x.vus])).toEqual([['w9', 2, 10]]);
  });

  it('retries a rejected dispatch after backoff and fails the workflow when attempts run out', () => {
    const { job, clock } = setup([['w1', 1]], [{ name: 'load', dependsOn: [], vus: 1, durationMs: 1_000 }]);
    let [d] = dispatches(job.step());
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      const out = job.onDispatchOutcome(d!.subId, false, 'no free cores');
      if (attempt === 5) {
        expect(finished(out)).toEqual([
          { kind: 'finished', outcome: 'failed', error: expect.stringContaining('dispatch attempts exhausted') },
        ]);
        break;
      }
      expect(dispatches(out)).toEqual([]);
      const start = clock.now();
      let next: ShareDispatch[] = [];
      while (next.length === 0) {
        clock.advance(100);
        next = dispatches(job.tick());
      }
      delays.push(clock.now() - start);
      d = next[0];
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it('cancels running shares, waits for their results within the grace period, and finishes CANCELLED once', () => {
    const { job, clock } = setup([
      ['w1', 1],
      ['w2', 1],
    ]);
    const sent = dispatches(job.step());
    job.onDispatchOutcome(sent[0]!.subId, true);
    const cancels = job.cancel('user asked');
    expect(cancels.map((c) => c.kind)).toEqual(['cancel']);
    // The second dispatch is acknowledged after the cancel: it must be cancelled too.
    expect(job.onDispatchOutcome(sent[1]!.subId, true).map((c) => c.kind)).toEqual(['cancel']);
    expect(finished(job.onResult(sent[0]!.subId, 'cancelled', { requests: 3 }))).toEqual([]);
    clock.advance(5_000);
    expect(finished(job.tick())).toEqual([{ kind: 'finished', outcome: 'cancelled', error: 'user asked' }]);
    expect(job.tick()).toEqual([]);
    expect(job.cancel('again')).toEqual([]);
  });

  it('fails the job when a dependency fails, cancelling its dependents', () => {
    const { job } = setup(
      [['w1', 1]],
      [
        { name: 'a', dependsOn: [], vus: 1, durationMs: 1_000 },
        { name: 'b', dependsOn: ['a'], vus: 1, durationMs: 1_000 },
      ],
    );
    let [d] = dispatches(job.step());
    let out: JobCommand[] = [];
    for (let i = 0; i < 5; i++) {
      job.onDispatchOutcome(d!.subId, true);
      out = job.onResult(d!.subId, 'failed', undefined, 'target refused');
      d = dispatches(out)[0];
    }
    expect(finished(out)).toEqual([{ kind: 'finished', outcome: 'failed', error: 'target refused' }]);
    expect(job.workflows().map((w) => w.state)).toEqual(['failed', 'cancelled']);
  });
});
