// The manager's jobs: intake, the per-job coordinators, and carrying out their commands over gRPC
// (dispatch and cancel to workers). Progress and final results go to the job's watchers and, for
// jobs a gate submitted, to that gate through the GateLink.
//
// Timeouts (AD-34, @hyperscale/timeout): one ManagerJobTimeouts for every job this manager leads,
// ticked from `tick()` at its own cadence (`managerTickIntervalMs`). A job a gate submitted is
// gate-coordinated (the gate decides, this manager reports), any other is local-authority. Progress
// for the timeout rules is a completed iteration or request (a load generator that still completes
// requests is not stuck, whatever the responses say), or a workflow ending. A `time-out-job`
// effect cancels the job's shares and the job ends TIMEOUT with the reason once they are back (or
// after the coordinator's cancel grace). Exactly one final status: the timeout package's latch
// (`finishJob`) is consulted whenever the coordinator finishes, and a job the latch timed out
// always ends TIMEOUT, whatever its coordinator's outcome.
//
// AD-26 extensions: a worker asks with its progress report; a grant extends the job's deadline
// (timeout + every grant), and each progress ack tells the worker how much time is left so it
// knows when asking is due (see worker-svc manager-reporter.ts for when a worker asks). A worker
// that keeps asking after its grants are exhausted is, after the grace period, evicted from the
// job: its shares are cancelled and re-dispatched like a lost worker's.
import { randomBytes } from 'node:crypto';
import type { Clock } from '@hyperscale/deterministic';
import {
  type CoordinatedWorkflow,
  FenceTokenIssuer,
  finishedJobsToForget,
  type JobCommand,
  JobCoordinator,
  type ShareDispatch,
  termOf,
  WorkerPool,
} from '@hyperscale/jobs';
import {
  evaluateJobThresholds,
  type JobSpec,
  mergeStats,
  type StatsSnapshot,
  type WorkflowSpec,
} from '@hyperscale/loadgen';
import {
  type ClientOf,
  createClient,
  type ExtensionRequest as ExtensionRequestMessage,
  GlobalTimeoutOutcome,
  JobStatus,
  notFound,
  resourceExhausted,
  WorkerService,
} from '@hyperscale/protocol';
import { ClientCache, type Logger, splitHostPort } from '@hyperscale/runtime';
import {
  effectiveTimeoutMs,
  type GateAckKind,
  type JobGlobalTimeout,
  type JobLeaderTransfer,
  type JobProgressReport,
  type JobReportedStatus,
  type JobTimeoutReport,
  ManagerJobTimeouts,
  type ManagerTimeoutEffect,
  type TimeoutConfig,
  type TimeoutReason,
} from '@hyperscale/timeout';
import {
  JobBroadcast,
  type JobProgressInit,
  type JobResultInit,
  jobStatusOf,
  statsToProto,
  workflowSpecToProto,
} from '@hyperscale/wire';

export interface ManagerIdentity {
  managerId: string;
  /**
   * Random per process: a restarted manager (same id) has a new one, which tells gates and workers
   * that the jobs and shares of the old process are lost.
   */
  instanceId: string;
  datacenter: string;
  /** host:port workers report to. */
  address: string;
}

/** The AD-34 fields of a progress report to the gate. */
export type TimeoutProgressFields = Omit<
  JobProgressReport,
  'jobId' | 'datacenter' | 'managerId' | 'managerHost' | 'managerPort' | 'timestampMs'
>;

export interface GateReporting {
  progress(job: ManagerJob, timeout: TimeoutProgressFields | undefined): void;
  result(job: ManagerJob): void;
  timeoutReport(job: ManagerJob, report: JobTimeoutReport): void;
  leaderTransfer(job: ManagerJob, transfer: JobLeaderTransfer): void;
}

/** What ApplyGlobalTimeout answers (ApplyGlobalTimeoutResponse). */
export interface GlobalTimeoutAnswer {
  outcome: GlobalTimeoutOutcome;
  reason: string;
  status: JobStatus;
  fenceToken: bigint;
  datacenter: string;
  managerId: string;
  timeoutFenceToken: bigint;
  timeoutReason: string;
}

/** What a worker's progress ack says about time (ReportProgressResponse). */
export interface ExtensionAnswer {
  extension?: {
    granted: boolean;
    extensionMs: bigint;
    remainingExtensions: number;
    denialReason: string;
    isExhaustionWarning: boolean;
    inGracePeriod: boolean;
    gracePeriodRemainingMs: bigint;
  };
  deadlineRemainingMs?: bigint;
}

const REPORTED_STATUS: Record<JobReportedStatus, JobStatus> = {
  running: JobStatus.RUNNING,
  completed: JobStatus.COMPLETED,
  failed: JobStatus.FAILED,
  cancelled: JobStatus.CANCELLED,
  timeout: JobStatus.TIMEOUT,
};

/** Work a share has done: completed iterations plus requests (multi-step iterations progress too). */
function workDone(stats: StatsSnapshot): number {
  return stats.steps.reduce((n, step) => n + step.requests, stats.iterations);
}

export interface ManagerJob {
  jobId: string;
  spec: JobSpec;
  coordinator: JobCoordinator<StatsSnapshot>;
  broadcast: JobBroadcast;
  originGate: string | undefined;
  gateFence: bigint;
  idempotencyKey: string;
  startedAtMs: number;
  finishedAtMs: number | undefined;
  progressDirty: boolean;
  progressSequence: bigint;
  result: JobResultInit | undefined;
  /** Set once the timeout latch decided TIMEOUT: the job ends TIMEOUT with this reason. */
  timedOut: { reason: TimeoutReason; detail: string } | undefined;
  /** Work done per share (see `workDone`), to tell progress from a repeated snapshot. */
  workBySub: Map<string, number>;
}

export interface ManagerJobsOptions {
  identity: ManagerIdentity;
  clock: Clock;
  logger: Logger;
  workerTimeoutMs: number;
  maxActiveJobs: number;
  jobRetentionMs: number;
  gateReporting: GateReporting;
  /** @hyperscale/timeout overrides from the validated settings; absent: the package's defaults. */
  timeoutConfig?: Partial<TimeoutConfig>;
}

type WorkerClient = ClientOf<typeof WorkerService>;

/** A workflow's share for one worker: the spec scaled to the share's VUs, rate and duration. */
export function shareWorkflow(workflow: WorkflowSpec, dispatch: ShareDispatch): WorkflowSpec {
  if (workflow.executor.type === 'constant-vus') {
    return { ...workflow, vus: dispatch.vus, durationMs: dispatch.durationMs };
  }
  const fraction = dispatch.vus / Math.max(1, workflow.vus);
  const maxVus = Math.max(1, dispatch.vus);
  const preAllocatedVus = Math.min(maxVus, Math.max(1, Math.round(workflow.executor.preAllocatedVus * fraction)));
  return {
    ...workflow,
    vus: maxVus,
    durationMs: dispatch.durationMs,
    executor: {
      ...workflow.executor,
      rate: dispatch.ratePerSecond ?? workflow.executor.rate * fraction,
      preAllocatedVus,
      maxVus,
    },
  };
}

function stuckThresholdOf(spec: JobSpec): { stuckThresholdMs?: number } {
  const given = spec.workflows.flatMap((w) => (w.stuckAfterMs === undefined ? [] : [w.stuckAfterMs]));
  return given.length === 0 ? {} : { stuckThresholdMs: Math.min(...given) };
}

export class ManagerJobs {
  readonly pool: WorkerPool;
  private readonly fences = new FenceTokenIssuer(1);
  private readonly jobs = new Map<string, ManagerJob>();
  private readonly byIdempotencyKey = new Map<string, string>();
  private readonly workerClients = new ClientCache<WorkerClient>((address) =>
    createClient(WorkerService, address, { defaultDeadlineMs: 5_000 }),
  );
  readonly timeouts: ManagerJobTimeouts;
  private lastTimeoutTickAt: number | undefined;

  constructor(private readonly options: ManagerJobsOptions) {
    this.pool = new WorkerPool(options.clock, { livenessTimeoutMs: options.workerTimeoutMs, maxWorkers: 10_000 });
    const { identity } = options;
    this.timeouts = new ManagerJobTimeouts({
      clock: options.clock,
      // The address is known only once the gRPC port is bound: read it when a report is built.
      identity: {
        datacenter: identity.datacenter,
        managerId: identity.managerId,
        get host() {
          return splitHostPort(identity.address).host;
        },
        get port() {
          return splitHostPort(identity.address).port;
        },
      },
      config: options.timeoutConfig ?? {},
    });
  }

  /** Finished jobs stay queryable for the retention, and at most ten times the active-job limit of them. */
  private get retention(): { retentionMs: number; maxRetained: number } {
    return { retentionMs: this.options.jobRetentionMs, maxRetained: 10 * this.options.maxActiveJobs };
  }

  get(jobId: string): ManagerJob | undefined {
    return this.jobs.get(jobId);
  }

  require(jobId: string): ManagerJob {
    const job = this.jobs.get(jobId);
    if (!job) throw notFound(`job ${jobId} is not known to manager ${this.options.identity.managerId}`);
    return job;
  }

  activeJobs(): ManagerJob[] {
    return [...this.jobs.values()].filter((j) => j.result === undefined);
  }

  /** Accepts a validated job; returns the existing one for a repeated id or idempotency key. */
  submit(
    spec: JobSpec,
    options: { jobId?: string; originGate?: string; gateFence?: bigint; idempotencyKey?: string },
  ): { job: ManagerJob; duplicate: boolean } {
    const existingId =
      options.jobId ?? (options.idempotencyKey ? this.byIdempotencyKey.get(options.idempotencyKey) : undefined);
    const existing = existingId ? this.jobs.get(existingId) : undefined;
    if (existing) return { job: existing, duplicate: true };
    if (this.activeJobs().length >= this.options.maxActiveJobs) {
      throw resourceExhausted(`manager runs ${this.options.maxActiveJobs} jobs already`, 5_000);
    }
    const jobId = options.jobId ?? `job-${randomBytes(8).toString('hex')}`;
    const workflows: CoordinatedWorkflow[] = spec.workflows.map((w) => ({
      name: w.name,
      dependsOn: w.dependsOn,
      vus: w.vus,
      ...(w.executor.type === 'constant-arrival-rate' ? { ratePerSecond: w.executor.rate } : {}),
      durationMs: w.durationMs,
    }));
    const coordinator = new JobCoordinator<StatsSnapshot>({
      jobId,
      datacenter: this.options.identity.datacenter,
      managerId: this.options.identity.managerId,
      workflows,
      pool: this.pool,
      fences: this.fences,
      clock: this.options.clock,
      mergeStats,
    });
    const job: ManagerJob = {
      jobId,
      spec,
      coordinator,
      broadcast: new JobBroadcast(jobId, spec.name, Date.now(), [this.options.identity.datacenter]),
      originGate: options.originGate || undefined,
      gateFence: options.gateFence ?? 0n,
      idempotencyKey: options.idempotencyKey ?? '',
      startedAtMs: this.options.clock.now(),
      finishedAtMs: undefined,
      progressDirty: false,
      progressSequence: 0n,
      result: undefined,
      timedOut: undefined,
      workBySub: new Map(),
    };
    this.jobs.set(jobId, job);
    if (job.idempotencyKey) this.byIdempotencyKey.set(job.idempotencyKey, jobId);
    // The gate's lease epoch is the term of its dispatch fence (the counter part numbers its
    // dispatches); the manager timeout fence starts at the dispatch fence, so a re-dispatch of the
    // job to another manager of this datacenter supersedes this one's reports.
    const tracking = this.timeouts.startTracking({
      jobId,
      timeoutMs: spec.timeoutMs,
      ...(job.originGate ? { gate: { addr: job.originGate, leaseToken: termOf(job.gateFence) } } : {}),
      initialFenceToken: job.gateFence,
      workflowsTotal: spec.workflows.length,
      // The job is stuck when a workflow stays without progress past its own stuck_after; with
      // several, the shortest one decides (the manager's default applies when none sets it).
      ...stuckThresholdOf(spec),
    });
    if (!tracking.ok) {
      this.options.logger.error(
        { jobId, error: tracking.error, detail: tracking.detail },
        'job runs without timeout tracking',
      );
    }
    this.options.logger.info(
      { jobId, workflows: spec.workflows.map((w) => w.name), originGate: job.originGate },
      'job accepted',
    );
    job.broadcast.setStatus(JobStatus.QUEUED, 'waiting for worker cores');
    this.execute(job, coordinator.step());
    return { job, duplicate: false };
  }

  cancel(jobId: string, reason: string): { job: ManagerJob; cancelledShares: number; alreadyTerminal: boolean } {
    const job = this.require(jobId);
    if (job.result !== undefined) return { job, cancelledShares: 0, alreadyTerminal: true };
    const commands = job.coordinator.cancel(reason || 'cancelled');
    job.broadcast.setStatus(JobStatus.COMPLETING, `cancelling: ${reason || 'cancelled'}`);
    this.execute(job, commands);
    return { job, cancelledShares: commands.filter((c) => c.kind === 'cancel').length, alreadyTerminal: false };
  }

  onProgress(jobId: string, workflowId: string, stats: StatsSnapshot): boolean {
    const job = this.jobs.get(jobId);
    if (!job?.coordinator.onProgress(workflowId, stats)) return false;
    job.progressDirty = true;
    this.noteWork(job, workflowId, stats);
    return true;
  }

  /** AD-26: a worker asks for more time with its progress; returns the grant and the time left. */
  requestExtension(jobId: string, workerId: string, request: ExtensionRequestMessage | undefined): ExtensionAnswer {
    const answer: ExtensionAnswer = {};
    if (request !== undefined && this.jobs.has(jobId)) {
      const reply = this.timeouts.requestExtension(jobId, {
        workerId,
        reason: request.reason,
        currentProgress: request.currentProgress,
        ...(request.completedItems > 0n ? { completedItems: Number(request.completedItems) } : {}),
        ...(request.totalItems > 0n ? { totalItems: Number(request.totalItems) } : {}),
        ...(request.estimatedCompletionMs > 0n ? { estimatedCompletionMs: Number(request.estimatedCompletionMs) } : {}),
      });
      if (reply.granted) {
        this.options.logger.info(
          { jobId, workerId, extensionMs: reply.extensionMs, remaining: reply.remainingExtensions },
          'extension granted',
        );
      }
      answer.extension = {
        granted: reply.granted,
        extensionMs: BigInt(Math.round(reply.extensionMs)),
        remainingExtensions: reply.remainingExtensions,
        denialReason: reply.denialReason ?? '',
        isExhaustionWarning: reply.isExhaustionWarning,
        inGracePeriod: reply.inGracePeriod,
        gracePeriodRemainingMs: BigInt(Math.round(reply.gracePeriodRemainingMs)),
      };
    }
    const remaining = this.deadlineRemainingMs(jobId);
    if (remaining !== undefined) answer.deadlineRemainingMs = BigInt(remaining);
    return answer;
  }

  /** Time left before the job's deadline (timeout + extensions); undefined once it is final. */
  deadlineRemainingMs(jobId: string): number | undefined {
    const state = this.timeouts.stateOf(jobId);
    if (state === undefined || state.finalStatus !== null) return undefined;
    return Math.max(0, Math.round(state.startedAt + effectiveTimeoutMs(state) - this.options.clock.now()));
  }

  /** A gate's JobGlobalTimeout (ApplyGlobalTimeout): fenced, answered with a correction when refused. */
  applyGlobalTimeout(message: JobGlobalTimeout): GlobalTimeoutAnswer {
    const job = this.jobs.get(message.jobId);
    const result = this.timeouts.receiveGlobalTimeout(message);
    const answer: GlobalTimeoutAnswer = {
      outcome: GlobalTimeoutOutcome.REJECTED,
      reason: '',
      status: job?.broadcast.status ?? JobStatus.UNSPECIFIED,
      fenceToken: this.timeouts.stateOf(message.jobId)?.gateFenceToken ?? 0n,
      datacenter: this.options.identity.datacenter,
      managerId: this.options.identity.managerId,
      timeoutFenceToken: this.timeouts.stateOf(message.jobId)?.fenceToken ?? job?.gateFence ?? 0n,
      timeoutReason: '',
    };
    if (result.outcome === 'accepted') {
      if (!result.duplicate) {
        this.options.logger.warn({ jobId: message.jobId, reason: message.reason }, 'global timeout from the gate');
      }
      this.carryOut(result.effects);
      answer.outcome = GlobalTimeoutOutcome.ACCEPTED;
      answer.status = JobStatus.TIMEOUT;
      answer.timeoutReason = job?.timedOut?.reason ?? message.reason;
      answer.fenceToken = this.timeouts.stateOf(message.jobId)?.gateFenceToken ?? message.fenceToken;
      return answer;
    }
    const correction = result.correction;
    if (correction !== null) {
      answer.status = REPORTED_STATUS[correction.status];
      answer.fenceToken = correction.gateFenceToken;
      answer.timeoutFenceToken = correction.fenceToken;
      answer.timeoutReason = correction.reason ?? '';
    }
    if (result.outcome === 'already-final') {
      answer.outcome = GlobalTimeoutOutcome.ALREADY_FINAL;
      return answer;
    }
    answer.reason = result.reason;
    this.options.logger.warn(
      { jobId: message.jobId, reason: result.reason, fence: message.fenceToken.toString() },
      'global timeout refused',
    );
    return answer;
  }

  /** The gate answered a report: `rejection` is empty when it accepted it. */
  gateAnswered(jobId: string, kind: GateAckKind, accepted: boolean, rejection: string): void {
    if (rejection === 'stale-fence' || rejection === 'conflicting-leader') {
      // The gate knows a newer leader of this job in our datacenter: we no longer lead it.
      this.options.logger.warn({ jobId, kind, rejection }, 'gate refused our report; no longer tracking the job');
      this.timeouts.stopTracking(jobId);
      return;
    }
    // An unknown job is no contact: the gate-unreachable fallback must still be able to fire.
    // (Any answer to a final result settles it: the gate has it, or will never take it.)
    if (rejection === 'unknown-job' || (!accepted && kind !== 'progress' && kind !== 'final-status')) return;
    this.timeouts.gateAcknowledged(jobId, kind);
  }

  /** The manager timeout fence reports about `job` carry. */
  timeoutFence(job: ManagerJob): bigint {
    return this.timeouts.stateOf(job.jobId)?.fenceToken ?? job.gateFence;
  }

  onResult(
    jobId: string,
    workflowId: string,
    status: 'completed' | 'failed' | 'cancelled',
    stats: StatsSnapshot | undefined,
    error: string,
  ): boolean {
    const job = this.jobs.get(jobId);
    if (!job) return false;
    job.progressDirty = true;
    if (stats !== undefined) this.noteWork(job, workflowId, stats);
    this.execute(job, job.coordinator.onResult(workflowId, status, stats, error || undefined));
    // A workflow ending is AD-33 progress too.
    this.timeouts.recordProgress(jobId, this.workflowCounts(job));
    return true;
  }

  /** Periodic: worker liveness, retries after backoff, cancel grace periods, timeouts, retention. */
  tick(): void {
    for (const workerId of this.pool.expire())
      this.releaseWorkerEverywhere(workerId, 'no heartbeat within the worker timeout');
    for (const job of this.activeJobs()) this.execute(job, job.coordinator.tick());
    const now = this.options.clock.now();
    // The timeout loop keeps its own cadence inside the faster jobs tick.
    if (
      this.lastTimeoutTickAt === undefined ||
      now - this.lastTimeoutTickAt >= this.timeouts.config.managerTickIntervalMs
    ) {
      this.lastTimeoutTickAt = now;
      this.carryOut(this.timeouts.tick());
    }
    const finished = [...this.jobs].map(([id, job]) => [id, job.finishedAtMs] as const);
    for (const id of finishedJobsToForget(finished, now, this.retention)) {
      const job = this.jobs.get(id);
      this.jobs.delete(id);
      this.timeouts.stopTracking(id);
      if (job?.idempotencyKey) this.byIdempotencyKey.delete(job.idempotencyKey);
    }
  }

  /** Carries out what the timeout package decided. */
  private carryOut(effects: ManagerTimeoutEffect[]): void {
    for (const effect of effects) {
      const job = this.jobs.get(effect.kind === 'send-final-status' ? effect.status.jobId : jobIdOf(effect));
      if (!job) continue;
      switch (effect.kind) {
        case 'send-progress-report':
          this.sendProgressToGate(job, effect.report);
          break;
        case 'send-timeout-report':
          this.options.gateReporting.timeoutReport(job, effect.report);
          break;
        case 'send-leader-transfer':
          this.options.gateReporting.leaderTransfer(job, effect.transfer);
          break;
        case 'send-final-status':
          // Nothing to send: the final result (ReportJobResult, with the timeout fence and reason)
          // is this datacenter's final status, handed to the gate link by finish(), whose outbox
          // repeats it until the gate acknowledges (then `gateAcknowledged('final-status')`).
          break;
        case 'time-out-job':
          this.timeOut(job, effect.reason, effect.detail);
          break;
        case 'evict-worker':
          this.evictWorker(job, effect.workerId);
          break;
      }
    }
  }

  private timeOut(job: ManagerJob, reason: TimeoutReason, detail: string): void {
    if (job.result !== undefined || job.timedOut !== undefined) return;
    job.timedOut = { reason, detail };
    this.options.logger.warn({ jobId: job.jobId, reason, detail }, 'job timed out; cancelling its shares');
    job.broadcast.setStatus(JobStatus.COMPLETING, `timing out (${reason}): ${detail}`);
    const commands = job.coordinator.cancel(`timeout (${reason})`);
    this.execute(job, commands);
    // A coordinator already cancelling (a user cancel lost the race to the timeout) finishes on
    // its own; its outcome is overridden by `timedOut` in finish().
  }

  /**
   * Membership declared a worker dead (SWIM) or it left: forget it and re-dispatch its shares.
   * Returns false when the worker was not registered.
   */
  workerLost(workerId: string, reason: string): boolean {
    if (!this.pool.markLost(workerId)) return false;
    this.releaseWorkerEverywhere(workerId, reason);
    return true;
  }

  private releaseWorkerEverywhere(workerId: string, reason: string): void {
    this.options.logger.warn({ workerId, reason }, 'worker lost; re-dispatching its shares');
    for (const job of this.activeJobs()) this.releaseWorker(job, workerId, reason);
  }

  /** AD-26: extensions exhausted and grace over: the worker leaves the job like a lost one. */
  private evictWorker(job: ManagerJob, workerId: string): void {
    if (job.result !== undefined) return;
    this.options.logger.warn({ jobId: job.jobId, workerId }, 'worker evicted from the job: extensions exhausted');
    this.releaseWorker(job, workerId, 'evicted: extensions exhausted');
  }

  /**
   * Takes a worker's shares of a job away: a best-effort cancel (a worker declared dead may be
   * alive behind a partition, and its load must not run twice), then re-dispatch elsewhere.
   */
  private releaseWorker(job: ManagerJob, workerId: string, reason: string): void {
    for (const share of job.coordinator.activeShares()) {
      if (share.workerId !== workerId) continue;
      this.sendCancel(job, {
        kind: 'cancel',
        subId: share.subId,
        workerId,
        workerAddress: share.workerAddress,
        fence: share.fence,
        reason,
      });
    }
    this.timeouts.workerRemoved(job.jobId, workerId);
    this.execute(job, job.coordinator.onWorkerLost(workerId));
  }

  private noteWork(job: ManagerJob, subId: string, stats: StatsSnapshot): void {
    const done = workDone(stats);
    if (done <= (job.workBySub.get(subId) ?? 0)) return;
    job.workBySub.set(subId, done);
    this.timeouts.recordProgress(job.jobId);
  }

  private workflowCounts(job: ManagerJob): {
    workflowsTotal: number;
    workflowsCompleted: number;
    workflowsFailed: number;
  } {
    let completed = 0;
    let failed = 0;
    for (const w of job.coordinator.workflows()) {
      if (w.state === 'completed') completed++;
      else if (w.state === 'failed' || w.state === 'cancelled') failed++;
    }
    return { workflowsTotal: job.spec.workflows.length, workflowsCompleted: completed, workflowsFailed: failed };
  }

  /** The AD-34 fields of a progress report from the job's tracking state. */
  private timeoutFields(job: ManagerJob): TimeoutProgressFields | undefined {
    const state = this.timeouts.stateOf(job.jobId);
    if (state === undefined) return undefined;
    return {
      workflowsTotal: state.workflowsTotal,
      workflowsCompleted: state.workflowsCompleted,
      workflowsFailed: state.workflowsFailed,
      hasRecentProgress: this.options.clock.now() - state.lastProgressAt < this.timeouts.config.recentProgressWindowMs,
      fenceToken: state.fenceToken,
      totalExtensionsGrantedMs: state.totalExtensionsGrantedMs,
      maxWorkerExtensionMs: state.maxWorkerExtensionMs,
      workersWithExtensions: state.workersWithExtensions.size,
    };
  }

  private sendProgressToGate(job: ManagerJob, report: JobProgressReport | undefined): void {
    if (!job.originGate) return;
    job.progressSequence += 1n;
    this.options.gateReporting.progress(job, report ?? this.timeoutFields(job));
  }

  /** Cumulative per-workflow statistics of a job, for progress and results. */
  workflowStats(job: ManagerJob): StatsSnapshot[] {
    return job.coordinator.workflows().flatMap((w) => (w.stats ? [w.stats] : []));
  }

  progressMessage(job: ManagerJob): JobProgressInit {
    return {
      elapsedMs: BigInt(Math.round(this.options.clock.now() - job.startedAtMs)),
      datacenters: [
        {
          datacenter: this.options.identity.datacenter,
          status: job.broadcast.status,
          workflows: this.workflowStats(job).map(statsToProto),
        },
      ],
    };
  }

  /** Pushes progress of jobs that changed to watchers and gates. */
  pushProgress(): void {
    for (const job of this.activeJobs()) {
      if (!job.progressDirty) continue;
      job.progressDirty = false;
      job.progressSequence += 1n;
      job.broadcast.setProgress(this.progressMessage(job));
      if (job.originGate) this.options.gateReporting.progress(job, this.timeoutFields(job));
    }
  }

  debugState(): unknown {
    return {
      workers: this.pool.list(),
      jobs: [...this.jobs.values()].map((j) => ({
        jobId: j.jobId,
        status: JobStatus[j.broadcast.status],
        originGate: j.originGate,
        timedOut: j.timedOut,
        deadlineRemainingMs: this.deadlineRemainingMs(j.jobId),
        coordinator: j.coordinator.debugState(),
      })),
    };
  }

  close(): void {
    this.workerClients.close();
  }

  // ---- carrying out coordinator commands -------------------------------------------------

  private execute(job: ManagerJob, commands: JobCommand[]): void {
    for (const command of commands) {
      if (command.kind === 'dispatch') this.dispatch(job, command.dispatch);
      else if (command.kind === 'cancel') this.sendCancel(job, command);
      else this.finish(job, command.outcome, command.error);
    }
  }

  private workerClient(address: string): WorkerClient {
    return this.workerClients.get(address);
  }

  private dispatch(job: ManagerJob, dispatch: ShareDispatch): void {
    let request: Parameters<WorkerClient['dispatchWorkflow']>[0];
    try {
      const share = shareWorkflow(job.spec.workflows[dispatch.workflowIndex]!, dispatch);
      request = {
        jobId: job.jobId,
        workflowId: dispatch.subId,
        workflowName: dispatch.workflowName,
        workflow: workflowSpecToProto(share),
        vus: share.vus,
        cores: dispatch.cores,
        timeoutMs: BigInt(Math.ceil(share.durationMs + share.gracefulStopMs)),
        fenceToken: dispatch.fence,
        managerId: this.options.identity.managerId,
        managerAddress: this.options.identity.address,
      };
    } catch (error) {
      // A share that cannot even be expressed must not stay "dispatching" forever.
      this.options.logger.error(
        { err: error, jobId: job.jobId, subId: dispatch.subId },
        'could not build the dispatch',
      );
      this.execute(job, job.coordinator.onDispatchOutcome(dispatch.subId, false, String(error)));
      return;
    }
    this.workerClient(dispatch.workerAddress)
      .dispatchWorkflow(request)
      .then(
        (response) => {
          if (response.accepted) job.broadcast.setStatus(JobStatus.RUNNING);
          else
            this.options.logger.warn(
              { jobId: job.jobId, subId: dispatch.subId, error: response.error },
              'dispatch rejected',
            );
          this.execute(job, job.coordinator.onDispatchOutcome(dispatch.subId, response.accepted, response.error));
        },
        (error: unknown) => {
          this.options.logger.warn({ err: error, jobId: job.jobId, subId: dispatch.subId }, 'dispatch failed');
          this.execute(job, job.coordinator.onDispatchOutcome(dispatch.subId, false, String(error)));
        },
      );
  }

  private sendCancel(job: ManagerJob, command: Extract<JobCommand, { kind: 'cancel' }>): void {
    this.workerClient(command.workerAddress)
      .cancelWorkflow({
        jobId: job.jobId,
        workflowId: command.subId,
        fenceToken: command.fence,
        reason: command.reason,
      })
      .catch((error: unknown) =>
        this.options.logger.warn({ err: error, jobId: job.jobId, subId: command.subId }, 'cancel not delivered'),
      );
  }

  private finish(
    job: ManagerJob,
    outcome: 'completed' | 'failed' | 'cancelled',
    coordinatorError: string | undefined,
  ): void {
    if (job.result !== undefined) return;
    let error = coordinatorError;
    let latchEffects: ManagerTimeoutEffect[] = [];
    if (job.timedOut === undefined) {
      const latch = this.timeouts.finishJob(job.jobId, outcome);
      if (latch.accepted) latchEffects = latch.effects;
      else if (latch.reason === 'already-final' && latch.finalStatus === 'timeout') {
        const state = this.timeouts.stateOf(job.jobId);
        job.timedOut = { reason: state?.finalReason ?? 'overall', detail: 'timed out before the job ended' };
      }
    }
    if (job.timedOut !== undefined) error = `timeout (${job.timedOut.reason}): ${job.timedOut.detail}`;
    const workflows = this.workflowStats(job);
    const status = job.timedOut !== undefined ? JobStatus.TIMEOUT : jobStatusOf(outcome);
    const thresholds = job.originGate ? [] : evaluateJobThresholds(job.spec, workflows);
    const thresholdsFailed = thresholds.some((t) => !t.passed);
    job.result = {
      status,
      datacenters: [
        {
          datacenter: this.options.identity.datacenter,
          status,
          workflows: workflows.map(statsToProto),
          error: error ?? '',
        },
      ],
      merged: workflows.map(statsToProto),
      thresholds: thresholds.map((t) => ({ ...t })),
      elapsedMs: BigInt(Math.round(this.options.clock.now() - job.startedAtMs)),
      error: error ?? (thresholdsFailed ? 'thresholds failed' : ''),
    };
    job.finishedAtMs = this.options.clock.now();
    job.broadcast.finish(job.result);
    this.options.logger.info({ jobId: job.jobId, status: JobStatus[status], error }, 'job finished');
    if (job.originGate) this.options.gateReporting.result(job);
    this.carryOut(latchEffects);
  }
}

function jobIdOf(effect: Exclude<ManagerTimeoutEffect, { kind: 'send-final-status' }>): string {
  switch (effect.kind) {
    case 'send-progress-report':
    case 'send-timeout-report':
      return effect.report.jobId;
    case 'send-leader-transfer':
      return effect.transfer.jobId;
    default:
      return effect.jobId;
  }
}
