// The executor's shared test setup: a virtual clock, a fake share runner (no threads, no network)
// whose shares finish when a test says so or when cancelled, and recorded progress and results.
import { WorkerFlushPolicy } from '@hyperscale/backpressure';
import { VirtualClock } from '@hyperscale/deterministic';
import { emptyStats, parseJobSpec, type StatsSnapshot } from '@hyperscale/loadgen';
import { createLogger } from '@hyperscale/runtime';
import type { FinalResult, ProgressReport } from '../src/manager-reporter.js';
import type { ShareOutcome } from '../src/share-run.js';
import { type ShareRunner, WorkflowExecutor } from '../src/workflow-executor.js';

const workflow = parseJobSpec(`
name: unit
workflows:
  - name: w
    vus: 1
    duration: 1s
    steps:
      - name: s
        url: http://127.0.0.1:1/
`).workflows[0]!;

/** The manager that dispatched a share: its node id and the gRPC address it is reported to. */
export interface Manager {
  id: string;
  address: string;
}

export const MANAGER: Manager = { id: 'm1', address: '127.0.0.1:7200' };

export interface FakeShare {
  progress(stats: StatsSnapshot): void;
  finish(outcome: ShareOutcome): void;
}

/** `send`: how progress calls are answered (default: at once, recorded in `sent`). */
export function setup(send?: (report: ProgressReport) => Promise<void>) {
  const clock = new VirtualClock();
  const shares: FakeShare[] = [];
  const runner: ShareRunner = {
    start: (_workflow, _cores, onProgress) => {
      let finish!: (outcome: ShareOutcome) => void;
      const done = new Promise<ShareOutcome>((resolve) => {
        finish = resolve;
      });
      shares.push({ progress: onProgress, finish });
      return { done, cancel: () => finish({ status: 'cancelled', stats: undefined }) };
    },
  };
  const sent: ProgressReport[] = [];
  const results: FinalResult[] = [];
  // The middle draw: every jitter factor is 1, so the cadence is the formula's (jitter is the policy's test).
  const policy = new WorkerFlushPolicy<string>(clock, { baseIntervalMs: 50 }, { next: () => 0.5 });
  const executor = new WorkflowExecutor({
    workerId: 'w1',
    totalCores: 4,
    maxPending: 10,
    logger: createLogger({ service: 'test', nodeId: 'w1', level: 'silent' }),
    runner,
    sendProgress:
      send ??
      (async (report) => {
        sent.push(report);
      }),
    deliverResult: (result) => results.push(result),
    now: () => clock.now(),
    flushPolicy: policy,
  });
  let fence = 1n;
  const dispatch = (workflowId: string, jobId = 'job-1', manager: Manager = MANAGER) =>
    executor.dispatch({
      jobId,
      workflowId,
      workflowName: 'w',
      workflow,
      cores: 1,
      fenceToken: fence++,
      managerId: manager.id,
      managerAddress: manager.address,
    });
  let requests = 0;
  const stats = (): StatsSnapshot => {
    const s = emptyStats('w', ['s'], 0);
    s.steps[0]!.requests = ++requests;
    return s;
  };
  /** Advances virtual time tick by tick, producing progress on every share and flushing. */
  const run = async (ms: number, tickMs = 25) => {
    for (let t = 0; t < ms; t += tickMs) {
      for (const share of shares) share.progress(stats());
      clock.advance(tickMs);
      executor.flushProgress();
      await Promise.resolve(); // let the fake sends settle (progressInFlight clears)
      await Promise.resolve();
    }
  };
  return { clock, executor, policy, sent, results, shares, dispatch, run, stats };
}
