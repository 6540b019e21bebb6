// The worker's table of dispatched shares: which it accepts (not draining, below the pending
// limit, a fence token strictly greater than the last for that id, cores free — facts §1.4), how
// each runs, and how its progress and final result leave. The final result goes to the outbox,
// which retries it until the manager acknowledges it: a result is never dropped.
//
// Progress leaves through the worker's flush policy (AD-37, WorkerFlushPolicy): every changed share
// is offered to it on each flush tick, and the policy says what to send now — everything (NONE),
// everything but less often (THROTTLE), every 4th cycle per job (BATCH; the wire has one report per
// workflow, so a batch is that job's reports sent together), or nothing, discarding it (REJECT).
// The level is the highest among the managers' signals (progress acks, heartbeat acks). Released
// reports leave one at a time per manager (ReportWindow: the next when the last is answered). Final
// results bypass it (the policy answers `send-now` and the outbox takes them); cancellation
// acknowledgements are the CancelWorkflow responses themselves and never pass through here.
//
// A share ends early in three ways, all through the run's cancel and `finish`, so its final result
// always reaches the outbox: a manager's CancelWorkflow, a drain on SIGTERM, and the loss of the
// manager that dispatched it (`stopSharesOf`, orphan-watch.ts: the gate moves the rest elsewhere,
// and a share left running would double the load). The last two are handed back (reported failed,
// so a live manager re-dispatches the rest).

import { ReportWindow, WorkerFlushPolicy } from '@hyperscale/backpressure';
import { CoreAllocator, FenceGuard } from '@hyperscale/jobs';
import type { StatsSnapshot, WorkflowSpec } from '@hyperscale/loadgen';
import { CancelOutcome } from '@hyperscale/protocol';
import type { Logger } from '@hyperscale/runtime';
import type { CorePool } from './core-pool.js';
import type { FinalResult, ProgressReport } from './manager-reporter.js';
import { type ShareOutcome, ShareRun } from './share-run.js';

export interface DispatchRequest {
  jobId: string;
  workflowId: string;
  workflowName: string;
  workflow: WorkflowSpec;
  cores: number;
  fenceToken: bigint;
  /** The dispatching manager's node id: its SWIM member id, how its loss is recognised. */
  managerId: string;
  managerAddress: string;
}

/** A share stopped because the manager that dispatched it was lost. */
export interface StoppedShare {
  jobId: string;
  workflowId: string;
  managerAddress: string;
}

export type DispatchDecision = { accepted: true; coresAssigned: number } | { accepted: false; error: string };

interface RunHandle {
  done: Promise<ShareOutcome>;
  cancel(): void;
}

interface ActiveShare {
  request: DispatchRequest;
  run: RunHandle;
  startedAt: number;
  latest: StatsSnapshot | undefined;
  sequence: bigint;
  progressInFlight: boolean;
  dirty: boolean;
  /**
   * Set when this worker ends the share itself (a drain, a lost manager), with why: it is reported
   * failed, so a manager that is alive re-dispatches the rest instead of taking it for a cancel.
   */
  handedBack: string | undefined;
}

export interface ShareRunner {
  start(workflow: WorkflowSpec, cores: number, onProgress: (stats: StatsSnapshot) => void): RunHandle;
}

/** Runs shares on the worker's core threads. */
export function threadShareRunner(pool: CorePool, progressIntervalMs: number): ShareRunner {
  return {
    start: (workflow, cores, onProgress) => new ShareRun({ pool, workflow, cores, progressIntervalMs, onProgress }),
  };
}

export interface WorkflowExecutorOptions {
  workerId: string;
  totalCores: number;
  maxPending: number;
  logger: Logger;
  runner: ShareRunner;
  /** Sends one progress report; resolves when acknowledged. */
  sendProgress: (report: ProgressReport) => Promise<void>;
  /** Hands a final result to the outbox (retried until acknowledged). */
  deliverResult: (result: FinalResult) => void;
  now: () => number;
  /** The flush policy (its clock must read `now`); default: one with a base interval of 250 ms. */
  flushPolicy?: WorkerFlushPolicy<string>;
}

export class WorkflowExecutor {
  readonly cores: CoreAllocator;
  private readonly fences = new FenceGuard(10_000);
  private readonly active = new Map<string, ActiveShare>();
  private draining = false;
  private readonly reportWindow = new ReportWindow();
  /** Payloads are workflow ids: a report is built from the share's latest stats when it leaves. */
  readonly flushPolicy: WorkerFlushPolicy<string>;

  constructor(private readonly options: WorkflowExecutorOptions) {
    this.cores = new CoreAllocator(options.totalCores);
    this.flushPolicy =
      options.flushPolicy ?? new WorkerFlushPolicy<string>({ now: options.now }, { baseIntervalMs: 250 });
  }

  dispatch(request: DispatchRequest): DispatchDecision {
    if (this.draining) return { accepted: false, error: 'worker is draining' };
    if (this.active.size >= this.options.maxPending) {
      return {
        accepted: false,
        error: `worker holds ${this.active.size} workflows (limit ${this.options.maxPending})`,
      };
    }
    const last = this.fences.lastToken(request.workflowId);
    if (last !== undefined && request.fenceToken <= last) {
      return { accepted: false, error: `stale fence token ${request.fenceToken} (last ${last})` };
    }
    const allocation = this.cores.allocate(request.workflowId, request.cores);
    if (!allocation.ok) return { accepted: false, error: allocation.reason };
    this.fences.accept(request.workflowId, request.fenceToken);
    let share: ActiveShare | undefined;
    let handle: RunHandle;
    try {
      handle = this.options.runner.start(request.workflow, request.cores, (stats) => {
        if (share === undefined) return;
        share.latest = stats;
        share.dirty = true;
      });
    } catch (error) {
      this.cores.free(request.workflowId);
      return { accepted: false, error: `could not start: ${error instanceof Error ? error.message : String(error)}` };
    }
    share = {
      request,
      run: handle,
      startedAt: this.options.now(),
      latest: undefined,
      sequence: 0n,
      progressInFlight: false,
      dirty: false,
      handedBack: undefined,
    };
    this.active.set(request.workflowId, share);
    this.options.logger.info(
      { jobId: request.jobId, workflowId: request.workflowId, cores: request.cores, vus: request.workflow.vus },
      'share started',
    );
    handle.done.then(
      (outcome) => this.finish(request.workflowId, outcome),
      (error: unknown) => this.finish(request.workflowId, { status: 'failed', stats: undefined, error: String(error) }),
    );
    return { accepted: true, coresAssigned: request.cores };
  }

  cancel(workflowId: string, fenceToken: bigint): CancelOutcome {
    const share = this.active.get(workflowId);
    if (!share) {
      return this.fences.lastToken(workflowId) === undefined
        ? CancelOutcome.NOT_FOUND
        : CancelOutcome.ALREADY_COMPLETED;
    }
    if (fenceToken !== 0n && fenceToken < share.request.fenceToken) return CancelOutcome.STALE_FENCE;
    share.run.cancel();
    return CancelOutcome.CANCELLED;
  }

  /**
   * Stops every running share `managerId` dispatched (the manager is lost). Their final results go
   * through the outbox handed back (failed, statistics kept), as after a drain: the gate moves the
   * rest elsewhere, and should the manager be alive after all, it re-dispatches the rest itself.
   */
  stopSharesOf(managerId: string): StoppedShare[] {
    const stopped: StoppedShare[] = [];
    for (const share of this.active.values()) {
      if (share.request.managerId !== managerId) continue;
      this.handBack(share, `manager ${managerId} was lost; the share was stopped`);
      const { jobId, workflowId, managerAddress } = share.request;
      stopped.push({ jobId, workflowId, managerAddress });
    }
    return stopped;
  }

  /** Ends a share this worker gives up on itself; `finish` reports it failed with `why`. */
  private handBack(share: ActiveShare, why: string): void {
    share.handedBack = why;
    share.run.cancel();
  }

  activeWorkflowIds(): string[] {
    return [...this.active.keys()];
  }

  get availableCores(): number {
    return this.cores.availableCores;
  }

  /**
   * The flush tick: offers every changed share to the flush policy, then sends what the policy
   * releases — never two reports at once for the same share.
   */
  flushProgress(): void {
    for (const share of this.active.values()) {
      if (!share.dirty || share.progressInFlight || share.latest === undefined) continue;
      share.dirty = false;
      const { jobId, workflowId } = share.request;
      this.flushPolicy.offer({ kind: 'progress', jobId, workflowId, payload: workflowId });
    }
    const decision = this.flushPolicy.poll();
    for (const message of decision.messages) for (const workflowId of message.updates) this.sendProgress(workflowId);
  }

  private sendProgress(workflowId: string): void {
    const share = this.active.get(workflowId);
    if (!share || share.latest === undefined) return;
    if (share.progressInFlight) {
      share.dirty = true;
      return;
    }
    share.progressInFlight = true; // on the wire, or waiting for the report in flight to its manager
    const manager = share.request.managerAddress;
    if (this.reportWindow.claim(manager, workflowId)) this.transmitProgress(manager, workflowId);
  }

  /** Sends the share's latest progress; when answered, the next report waiting for `manager` goes. */
  private transmitProgress(manager: string, workflowId: string): void {
    const share = this.active.get(workflowId);
    if (!share || share.latest === undefined) {
      // finished while waiting: its final result went through the outbox
      if (share) share.progressInFlight = false;
      const next = this.reportWindow.release(manager);
      if (next !== undefined) this.transmitProgress(manager, next);
      return;
    }
    share.sequence += 1n;
    this.options
      .sendProgress({
        managerAddress: manager,
        jobId: share.request.jobId,
        workflowId,
        workflowName: share.request.workflowName,
        stats: share.latest,
        elapsedMs: this.options.now() - share.startedAt,
        availableCores: this.cores.availableCores,
        sequence: share.sequence,
      })
      .catch((error: unknown) => {
        share.dirty = true;
        this.options.logger.debug({ err: error, workflowId }, 'progress report failed');
      })
      .finally(() => {
        share.progressInFlight = false;
        const next = this.reportWindow.release(manager);
        if (next !== undefined) this.transmitProgress(manager, next);
      });
  }

  /**
   * Stops accepting dispatches; lets running shares finish for up to `timeoutMs`, then cancels
   * the rest, whose results go back marked failed so the manager hands the remaining work to
   * another worker.
   */
  async drain(timeoutMs: number, wait: (ms: number) => Promise<void>): Promise<void> {
    this.draining = true;
    const deadline = this.options.now() + timeoutMs;
    while (this.active.size > 0 && this.options.now() < deadline) await wait(100);
    for (const share of this.active.values()) {
      this.handBack(share, 'worker shut down before the share finished');
    }
    while (this.active.size > 0) await wait(50);
  }

  debugState(): unknown {
    return {
      draining: this.draining,
      backpressure: {
        level: this.flushPolicy.level(),
        flushIntervalMs: this.flushPolicy.flushIntervalMs(),
        buffered: this.flushPolicy.bufferedCount,
        counters: this.flushPolicy.counters,
      },
      availableCores: this.cores.availableCores,
      active: [...this.active.values()].map((s) => ({
        workflowId: s.request.workflowId,
        cores: s.request.cores,
        fence: s.request.fenceToken.toString(),
        requests: s.latest?.steps.reduce((n, st) => n + st.requests, 0) ?? 0,
      })),
    };
  }

  private finish(workflowId: string, outcome: ShareOutcome): void {
    const share = this.active.get(workflowId);
    if (!share) return;
    this.active.delete(workflowId);
    this.cores.free(workflowId);
    const status = share.handedBack === undefined ? outcome.status : 'failed';
    const error = share.handedBack ?? outcome.error;
    this.options.logger.info({ jobId: share.request.jobId, workflowId, status, error }, 'share finished');
    // The final result supersedes any buffered progress of the share; it goes out now, at any level.
    this.flushPolicy.offer({ kind: 'final-result', jobId: share.request.jobId, workflowId, payload: workflowId });
    this.options.deliverResult({
      managerAddress: share.request.managerAddress,
      jobId: share.request.jobId,
      workflowId,
      workflowName: share.request.workflowName,
      status,
      stats: outcome.stats ?? share.latest,
      ...(error ? { error } : {}),
      availableCores: this.cores.availableCores,
      fenceToken: share.request.fenceToken,
    });
  }
}
