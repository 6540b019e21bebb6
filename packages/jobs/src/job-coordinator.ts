// One job on a manager, as a state machine. It decides which workflows run, on which workers,
// with how many cores and VUs; it re-dispatches the share of a lost or rejected worker within
// the job's retry budget; it cancels; and it finishes with exactly one final outcome. It sends
// nothing itself: every decision is a command the manager's shell carries out, and every reply
// comes back as an event, so failure scenarios are plain function calls in tests.
import type { Clock } from '@hyperscale/deterministic';
import { DEFAULT_JOB_CONFIG, type JobConfig } from './config.js';
import { DependencyPlan, type WorkflowState } from './dependency-plan.js';
import type { FenceTokenIssuer } from './fence-token.js';
import { splitCoresAcrossWorkflows, splitProportionally, splitRate } from './shares.js';
import { subWorkflowId } from './sub-workflow-id.js';
import type { WorkerPool } from './worker-pool.js';

export interface CoordinatedWorkflow {
  name: string;
  dependsOn: readonly string[];
  /** VUs this datacenter runs for the workflow. */
  vus: number;
  /** Arrival-rate executors: iterations per second this datacenter runs. */
  ratePerSecond?: number;
  durationMs: number;
}

export interface ShareDispatch {
  subId: string;
  jobId: string;
  workflowIndex: number;
  workflowName: string;
  workerId: string;
  workerAddress: string;
  cores: number;
  vus: number;
  ratePerSecond?: number;
  durationMs: number;
  fence: bigint;
  attempt: number;
}

export type JobOutcomeLocal = 'completed' | 'failed' | 'cancelled';

export type JobCommand =
  | { kind: 'dispatch'; dispatch: ShareDispatch }
  | { kind: 'cancel'; subId: string; workerId: string; workerAddress: string; fence: bigint; reason: string }
  | { kind: 'finished'; outcome: JobOutcomeLocal; error?: string };

export type SubState = 'dispatching' | 'running' | 'completed' | 'failed' | 'cancelled' | 'lost' | 'rejected';

interface Sub<S> {
  dispatch: ShareDispatch;
  state: SubState;
  stats?: S;
  startedAtMs: number;
  error?: string;
}

interface PendingShare {
  workflowIndex: number;
  vus: number;
  ratePerSecond?: number;
  durationMs: number;
  attempt: number;
  notBeforeMs: number;
}

export interface JobCoordinatorOptions<S> {
  jobId: string;
  datacenter: string;
  managerId: string;
  workflows: readonly CoordinatedWorkflow[];
  pool: WorkerPool;
  fences: FenceTokenIssuer;
  clock: Clock;
  /** Merges two cumulative statistics (exact and associative). */
  mergeStats: (a: S, b: S) => S;
  config?: Partial<JobConfig>;
}

export interface WorkflowProgressView<S> {
  index: number;
  name: string;
  state: WorkflowState;
  stats: S | undefined;
  activeShares: number;
}

const ACTIVE: ReadonlySet<SubState> = new Set(['dispatching', 'running']);

export class JobCoordinator<S> {
  readonly jobId: string;
  private readonly plan: DependencyPlan;
  private readonly config: JobConfig;
  private readonly subs = new Map<string, Sub<S>>();
  private pending: PendingShare[] = [];
  private readonly failedWorkflows = new Set<number>();
  private retryBudget: number;
  private phase: 'running' | 'cancelling' | 'finished' = 'running';
  private outcome: JobOutcomeLocal | undefined;
  private cancelDeadlineMs = 0;
  private cancelReason = '';
  private firstError: string | undefined;

  constructor(private readonly options: JobCoordinatorOptions<S>) {
    this.jobId = options.jobId;
    this.plan = new DependencyPlan(options.workflows);
    this.config = { ...DEFAULT_JOB_CONFIG, ...options.config };
    this.retryBudget = this.config.jobRetryBudget;
  }

  get finished(): boolean {
    return this.phase === 'finished';
  }

  get finalOutcome(): JobOutcomeLocal | undefined {
    return this.outcome;
  }

  get cancelling(): boolean {
    return this.phase === 'cancelling';
  }

  /** Dispatches whatever can run now. Call after every event and on the manager's tick. */
  step(): JobCommand[] {
    if (this.phase !== 'running') return this.phase === 'cancelling' ? this.checkCancelDone() : [];
    const commands: JobCommand[] = [];
    this.placePendingShares(commands);
    this.startReadyWorkflows(commands);
    commands.push(...this.checkFinished());
    return commands;
  }

  /** Periodic: retries after backoff, and the end of a cancel's grace period. */
  tick(): JobCommand[] {
    if (this.phase === 'cancelling' && this.options.clock.now() >= this.cancelDeadlineMs) {
      for (const sub of this.subs.values()) {
        if (ACTIVE.has(sub.state)) {
          sub.state = 'cancelled';
          this.options.pool.release(sub.dispatch.subId);
        }
      }
      return this.finish('cancelled');
    }
    return this.step();
  }

  onDispatchOutcome(subId: string, accepted: boolean, error?: string): JobCommand[] {
    const sub = this.subs.get(subId);
    if (sub?.state !== 'dispatching') return [];
    if (accepted) {
      sub.state = 'running';
      // A cancel that raced the dispatch still has to reach the worker.
      if (this.phase === 'cancelling') return [this.cancelCommand(sub)];
      return [];
    }
    sub.state = 'rejected';
    sub.error = error ?? 'dispatch rejected';
    this.options.pool.release(subId);
    if (this.phase !== 'running') return this.step();
    const attempt = sub.dispatch.attempt + 1;
    const backoff = Math.min(
      this.config.retryCapMs,
      this.config.retryBaseMs * this.config.retryFactor ** (sub.dispatch.attempt - 1),
    );
    this.requeue(sub, sub.dispatch.durationMs, attempt, this.options.clock.now() + backoff);
    return this.step();
  }

  /** Cumulative statistics of a running share; false when the share is unknown or over. */
  onProgress(subId: string, stats: S): boolean {
    const sub = this.subs.get(subId);
    if (!sub || !ACTIVE.has(sub.state)) return false;
    if (sub.state === 'dispatching') sub.state = 'running';
    sub.stats = stats;
    return true;
  }

  onResult(
    subId: string,
    status: 'completed' | 'failed' | 'cancelled',
    stats: S | undefined,
    error?: string,
  ): JobCommand[] {
    const sub = this.subs.get(subId);
    if (!sub || !ACTIVE.has(sub.state)) return [];
    if (stats !== undefined) sub.stats = stats;
    sub.state = status;
    if (error) sub.error = error;
    this.options.pool.release(subId);
    if (status === 'failed' && this.phase === 'running') {
      this.firstError ??= error;
      this.requeue(sub, sub.dispatch.durationMs, sub.dispatch.attempt + 1, this.options.clock.now());
    }
    this.settleWorkflow(sub.dispatch.workflowIndex);
    return this.step();
  }

  /** A worker died: its running shares go back to the queue for the workflow's remaining time. */
  onWorkerLost(workerId: string): JobCommand[] {
    const now = this.options.clock.now();
    const touched = new Set<number>();
    for (const sub of this.subs.values()) {
      if (sub.dispatch.workerId !== workerId || !ACTIVE.has(sub.state)) continue;
      sub.state = 'lost';
      this.options.pool.release(sub.dispatch.subId);
      touched.add(sub.dispatch.workflowIndex);
      if (this.phase !== 'running') continue;
      const remaining = sub.dispatch.durationMs - (now - sub.startedAtMs);
      // A share whose time is up ran to its end; its last statistics stand.
      if (remaining > 0) {
        this.requeue(sub, Math.ceil(Math.max(this.config.minRedispatchMs, remaining)), sub.dispatch.attempt + 1, now);
      }
    }
    for (const i of touched) this.settleWorkflow(i);
    return this.step();
  }

  cancel(reason: string): JobCommand[] {
    if (this.phase !== 'running') return [];
    this.phase = 'cancelling';
    this.cancelReason = reason;
    this.cancelDeadlineMs = this.options.clock.now() + this.config.cancelGraceMs;
    this.pending = [];
    this.plan.cancelAll();
    const commands: JobCommand[] = [];
    for (const sub of this.subs.values()) if (sub.state === 'running') commands.push(this.cancelCommand(sub));
    commands.push(...this.checkCancelDone());
    return commands;
  }

  /** Per-workflow view: plan state and statistics merged over every share (lost ones included). */
  workflows(): WorkflowProgressView<S>[] {
    return this.options.workflows.map((w, index) => {
      let stats: S | undefined;
      let activeShares = 0;
      for (const sub of this.subs.values()) {
        if (sub.dispatch.workflowIndex !== index) continue;
        if (ACTIVE.has(sub.state)) activeShares++;
        if (sub.stats !== undefined)
          stats = stats === undefined ? sub.stats : this.options.mergeStats(stats, sub.stats);
      }
      return { index, name: w.name, state: this.plan.state(index), stats, activeShares };
    });
  }

  /** Shares currently dispatched or running, for cancellation and debugging. */
  activeShares(): ShareDispatch[] {
    return [...this.subs.values()].filter((s) => ACTIVE.has(s.state)).map((s) => s.dispatch);
  }

  remainingRetryBudget(): number {
    return this.retryBudget;
  }

  debugState(): unknown {
    return {
      jobId: this.jobId,
      phase: this.phase,
      outcome: this.outcome,
      retryBudget: this.retryBudget,
      workflows: this.options.workflows.map((w, i) => ({ name: w.name, state: this.plan.state(i) })),
      pending: this.pending.length,
      subs: [...this.subs.values()].map((s) => ({
        id: s.dispatch.subId,
        worker: s.dispatch.workerId,
        state: s.state,
        cores: s.dispatch.cores,
        vus: s.dispatch.vus,
        fence: s.dispatch.fence.toString(),
      })),
    };
  }

  // ---- internals -------------------------------------------------------------------------

  private requeue(sub: Sub<S>, durationMs: number, attempt: number, notBeforeMs: number): void {
    const index = sub.dispatch.workflowIndex;
    if (attempt > this.config.maxDispatchAttempts || this.retryBudget <= 0) {
      const why = this.retryBudget <= 0 ? 'retry budget exhausted' : `dispatch attempts exhausted (${attempt - 1})`;
      this.failWorkflow(
        index,
        `${this.options.workflows[index]!.name}: ${why}; last error: ${sub.error ?? 'worker lost'}`,
      );
      return;
    }
    this.retryBudget--;
    this.pending.push({
      workflowIndex: index,
      vus: sub.dispatch.vus,
      ...(sub.dispatch.ratePerSecond !== undefined ? { ratePerSecond: sub.dispatch.ratePerSecond } : {}),
      durationMs,
      attempt,
      notBeforeMs,
    });
  }

  private failWorkflow(index: number, error: string): void {
    this.firstError ??= error;
    this.failedWorkflows.add(index);
    this.pending = this.pending.filter((p) => p.workflowIndex !== index);
    this.plan.markEnded(index, 'failed');
    // Dependents cancelled by the plan never started, so they hold no shares.
  }

  private settleWorkflow(index: number): void {
    if (this.plan.isTerminal(index) || this.phase !== 'running') return;
    const shares = [...this.subs.values()].filter((s) => s.dispatch.workflowIndex === index);
    if (shares.some((s) => ACTIVE.has(s.state))) return;
    if (this.pending.some((p) => p.workflowIndex === index)) return;
    if (this.failedWorkflows.has(index)) return;
    this.plan.markCompleted(index);
  }

  private placePendingShares(commands: JobCommand[]): void {
    const now = this.options.clock.now();
    const stillPending: PendingShare[] = [];
    for (const share of this.pending) {
      if (share.notBeforeMs > now || this.plan.isTerminal(share.workflowIndex)) {
        if (!this.plan.isTerminal(share.workflowIndex)) stillPending.push(share);
        continue;
      }
      const worker = this.options.pool.withFreeCores()[0];
      if (!worker) {
        stillPending.push(share);
        continue;
      }
      const cores = Math.max(1, Math.min(worker.totalCores - worker.assignedCores, share.vus));
      commands.push(this.dispatchShare(share.workflowIndex, worker.id, worker.address, cores, share, share.attempt));
    }
    this.pending = stillPending;
  }

  private startReadyWorkflows(commands: JobCommand[]): void {
    const ready = this.plan.ready();
    if (ready.length === 0) return;
    const coresPerWorkflow = splitCoresAcrossWorkflows(ready.length, this.options.pool.totalFreeCores());
    ready.forEach((index, k) => {
      const workflow = this.options.workflows[index]!;
      // Never more cores than VUs: every core runs at least one VU.
      let wanted = Math.min(coresPerWorkflow[k]!, workflow.vus);
      if (wanted <= 0) return;
      const picks: { id: string; address: string; cores: number }[] = [];
      for (const worker of this.options.pool.withFreeCores()) {
        if (wanted <= 0) break;
        const cores = Math.min(worker.totalCores - worker.assignedCores, wanted);
        picks.push({ id: worker.id, address: worker.address, cores });
        wanted -= cores;
      }
      if (picks.length === 0) return;
      const weights = picks.map((p) => p.cores);
      const vus = splitProportionally(workflow.vus, weights);
      const rates = workflow.ratePerSecond !== undefined ? splitRate(workflow.ratePerSecond, weights) : undefined;
      this.plan.markRunning(index);
      picks.forEach((p, j) => {
        const share: PendingShare = {
          workflowIndex: index,
          vus: vus[j]!,
          ...(rates ? { ratePerSecond: rates[j]! } : {}),
          durationMs: workflow.durationMs,
          attempt: 1,
          notBeforeMs: 0,
        };
        commands.push(this.dispatchShare(index, p.id, p.address, p.cores, share, 1));
      });
    });
  }

  private dispatchShare(
    index: number,
    workerId: string,
    workerAddress: string,
    cores: number,
    share: PendingShare,
    attempt: number,
  ): JobCommand {
    const subId = subWorkflowId({
      datacenter: this.options.datacenter,
      managerId: this.options.managerId,
      jobId: this.jobId,
      workflowIndex: index,
      workerId,
      attempt,
    });
    const dispatch: ShareDispatch = {
      subId,
      jobId: this.jobId,
      workflowIndex: index,
      workflowName: this.options.workflows[index]!.name,
      workerId,
      workerAddress,
      cores,
      vus: share.vus,
      ...(share.ratePerSecond !== undefined ? { ratePerSecond: share.ratePerSecond } : {}),
      durationMs: share.durationMs,
      fence: this.options.fences.next(),
      attempt,
    };
    this.options.pool.assign(subId, workerId, cores);
    this.subs.set(subId, { dispatch, state: 'dispatching', startedAtMs: this.options.clock.now() });
    return { kind: 'dispatch', dispatch };
  }

  private cancelCommand(sub: Sub<S>): JobCommand {
    return {
      kind: 'cancel',
      subId: sub.dispatch.subId,
      workerId: sub.dispatch.workerId,
      workerAddress: sub.dispatch.workerAddress,
      fence: sub.dispatch.fence,
      reason: this.cancelReason,
    };
  }

  private checkCancelDone(): JobCommand[] {
    if (this.phase !== 'cancelling') return [];
    for (const sub of this.subs.values()) if (ACTIVE.has(sub.state)) return [];
    return this.finish('cancelled');
  }

  private checkFinished(): JobCommand[] {
    if (this.phase !== 'running' || !this.plan.isFinished()) return [];
    const counts = this.plan.counts();
    return this.finish(counts.failed > 0 || counts.cancelled > 0 ? 'failed' : 'completed');
  }

  private finish(outcome: JobOutcomeLocal): JobCommand[] {
    if (this.phase === 'finished') return [];
    this.phase = 'finished';
    this.outcome = outcome;
    const error = outcome === 'cancelled' ? this.cancelReason : outcome === 'failed' ? this.firstError : undefined;
    return [{ kind: 'finished', outcome, ...(error ? { error } : {}) }];
  }
}
