// The gate's jobs: routing each job to datacenters, splitting its load across them, dispatching to
// a manager of each (falling back to the next datacenter of the chain when one cannot take it),
// collecting per-datacenter progress and results, merging them exactly, judging thresholds and
// finishing each job once with the global status rule (facts §1.5).
//
// Running jobs are reviewed every `routingReviewIntervalMs` (AD-36): a share whose manager is lost
// moves for the time each workflow had not run, with a new fence — to another manager of the same
// datacenter while the gate can reach one, otherwise to the next datacenter of the router's chain;
// what the lost attempt measured is carried into the share's progress and result
// (carried-stats.ts). The workers stop the lost manager's shares themselves (orphan grace).
//
// Timeouts (AD-34): a GateJobTimeoutTracker (@hyperscale/timeout) starts tracking a job once all its
// dispatches settled, for the datacenters that accepted it, under the gate's lease epoch (the term
// of its dispatch fences; managers learn it from the dispatch fence). Managers' AD-34 progress,
// local timeout reports, leader transfers and final results feed it, fenced by the manager timeout
// fence; its `check()` runs from `tick()` at its own cadence (`gateCheckIntervalMs`). A global
// timeout is sent to each target datacenter's job leader as ApplyGlobalTimeout; the datacenters
// then end TIMEOUT and report their final results with the statistics they have. When the tracker
// ends the job, datacenters it had to assume TIMEOUT (silent after the decision) are recorded with
// the progress they last reported; the others get `resultGrace` for their real result.
import { randomBytes } from 'node:crypto';
import type { Clock } from '@hyperscale/deterministic';
import {
  DEFAULT_JOB_CONFIG,
  FenceTokenIssuer,
  finishedJobsToForget,
  globalOutcome,
  type JobOutcome,
  lostShareDestinations,
  SHARE_LOSS_REASONS,
  type ShareLossReason,
  shareLoss,
  termOf,
} from '@hyperscale/jobs';
import {
  evaluateJobThresholds,
  type JobSpec,
  mergeAll,
  remainingShare,
  type StatsSnapshot,
  workflowShare,
} from '@hyperscale/loadgen';
import {
  type ClientOf,
  createClient,
  GlobalTimeoutOutcome,
  JobStatus,
  ManagerService,
  notFound,
  PROTOCOL_MAJOR,
  PROTOCOL_MINOR,
  resourceExhausted,
  type WorkflowStats,
} from '@hyperscale/protocol';
import { type GateJobRouter, routingDecisionLogFields } from '@hyperscale/routing';
import { ClientCache, type Logger, splitHostPort } from '@hyperscale/runtime';
import {
  GateJobTimeoutTracker,
  type GateTimeoutEffect,
  isTimeoutReason,
  type JobFinalStatus,
  type JobTerminalStatus,
  type ReportVerdict,
  type TimeoutConfig,
  type TimeoutReason,
} from '@hyperscale/timeout';
import {
  JobBroadcast,
  type JobResultInit,
  jobSpecToProto,
  jobStatusOf,
  outcomeOf,
  statsFromProto,
  statsToProto,
} from '@hyperscale/wire';
import { mergeWorkflowStats, ranMsByWorkflow } from './carried-stats.js';
import type { DatacenterRegistry } from './datacenter-registry.js';

type ManagerClient = ClientOf<typeof ManagerService>;

interface DatacenterResult {
  outcome: JobOutcome;
  workflows: WorkflowStats[];
  error: string;
}

export interface DatacenterTarget {
  datacenter: string;
  /** The part of the job this datacenter runs. */
  spec: JobSpec;
  managerId: string | undefined;
  /** The instance of that manager which accepted the share: a restarted manager no longer runs it. */
  managerInstanceId: string | undefined;
  managerAddress: string | undefined;
  fence: bigint;
  lastSequence: bigint;
  status: JobStatus;
  /** The current attempt's last reported statistics. */
  progress: WorkflowStats[];
  result: DatacenterResult | undefined;
  /** Statistics of earlier attempts in datacenters that were lost (merged into progress and result). */
  carried: WorkflowStats[];
  /** Datacenters the share ran in before, oldest first. */
  movedFrom: string[];
}

export interface GateJob {
  jobId: string;
  spec: JobSpec;
  broadcast: JobBroadcast;
  targets: DatacenterTarget[];
  startedAtMs: number;
  finishedAtMs: number | undefined;
  cancelDeadlineMs: number | undefined;
  cancelReason: string;
  progressDirty: boolean;
  /** Whether the timeout tracker follows the job (false until every dispatch settled). */
  timeoutTracked: boolean;
  dispatchSettled: boolean;
  /** The global timeout, once declared. */
  timeout: { reason: TimeoutReason; detail: string } | undefined;
  /** The tracker ended the job: datacenters still without a result get `resultGrace` from here. */
  trackerFinished: { atMs: number; statuses: Record<string, JobTerminalStatus> } | undefined;
}

/** What ReportJobProgress / ReportJobTimeout / ReportJobLeaderTransfer answer. */
export interface ReportAnswer {
  accepted: boolean;
  rejection: string;
}

const FENCE_REJECTIONS: ReadonlySet<string> = new Set(['stale-fence', 'conflicting-leader', 'unknown-datacenter']);

function answerOf(verdict: ReportVerdict): ReportAnswer {
  return verdict.accepted ? { accepted: true, rejection: '' } : { accepted: false, rejection: verdict.reason };
}

export interface GateJobsOptions {
  gateId: string;
  /** host:port managers report to. */
  address: () => string;
  clock: Clock;
  logger: Logger;
  registry: DatacenterRegistry;
  router: GateJobRouter;
  resultGraceMs: number;
  cancelGraceMs: number;
  idempotencyTtlMs: number;
  jobRetentionMs: number;
  maxActiveJobs: number;
  /** @hyperscale/timeout overrides from the validated settings; absent: the package's defaults. */
  timeoutConfig?: Partial<TimeoutConfig>;
  /** Backpressure on progress to watchers (final results never pass through it); default: forward. */
  forwardProgress?: (jobId: string, datacenters: readonly string[]) => 'forward' | 'hold' | 'drop';
  /** How often running jobs' routing is reviewed (AD-36: the heartbeat cadence); default 5 s. */
  routingReviewIntervalMs?: number;
  /** The workers' orphan grace: they stop a lost manager's shares this long (plus one check) after the loss. */
  orphanGraceMs: number;
}

/** How many datacenters can share the job: never more than the smallest workflow has VUs. */
function maxShares(spec: JobSpec): number {
  return Math.min(
    ...spec.workflows.map((w) => (w.executor.type === 'constant-vus' ? w.vus : w.executor.preAllocatedVus)),
  );
}

/** Share `index` of `count` of a job: every workflow split the same way (k6 load zones). */
export function jobShare(spec: JobSpec, index: number, count: number): JobSpec {
  return { ...spec, workflows: spec.workflows.map((w) => workflowShare(w, index, count)) };
}

export class GateJobs {
  private readonly jobs = new Map<string, GateJob>();
  private readonly idempotency = new Map<string, { jobId: string; atMs: number }>();
  private readonly managerClients = new ClientCache<ManagerClient>((address) =>
    createClient(ManagerService, address, { defaultDeadlineMs: 5_000 }),
  );
  private readonly fences = new FenceTokenIssuer(1);
  /** Running shares found lost by the review, by why (`hyperscale_gate_shares_lost_total{reason}`). */
  private readonly sharesLost = Object.fromEntries(SHARE_LOSS_REASONS.map((r) => [r, 0])) as Record<
    ShareLossReason,
    number
  >;
  readonly timeouts: GateJobTimeoutTracker;
  private lastTimeoutCheckAt: number | undefined;
  private lastRoutingReviewAt: number | undefined;

  constructor(private readonly options: GateJobsOptions) {
    this.timeouts = new GateJobTimeoutTracker({
      clock: options.clock,
      config: options.timeoutConfig ?? {},
    });
  }

  /** Finished jobs stay queryable for the retention, and at most ten times the active-job limit of them. */
  private get retention(): { retentionMs: number; maxRetained: number } {
    return { retentionMs: this.options.jobRetentionMs, maxRetained: 10 * this.options.maxActiveJobs };
  }

  require(jobId: string): GateJob {
    const job = this.jobs.get(jobId);
    if (!job) throw notFound(`job ${jobId} is not known to gate ${this.options.gateId}`);
    return job;
  }

  get(jobId: string): GateJob | undefined {
    return this.jobs.get(jobId);
  }

  activeJobs(): GateJob[] {
    return [...this.jobs.values()].filter((j) => j.finishedAtMs === undefined);
  }

  submit(spec: JobSpec, idempotencyKey: string): { job: GateJob; duplicate: boolean } {
    const remembered = idempotencyKey ? this.idempotency.get(idempotencyKey) : undefined;
    const previous = remembered ? this.jobs.get(remembered.jobId) : undefined;
    if (previous) return { job: previous, duplicate: true };
    if (this.activeJobs().length >= this.options.maxActiveJobs) {
      throw resourceExhausted(`gate runs ${this.options.maxActiveJobs} jobs already`, 5_000);
    }
    const jobId = `job-${randomBytes(8).toString('hex')}`;
    const wanted = Math.max(1, spec.datacenterCount);
    const decision = this.options.router.routeJob(jobId, { preferred: spec.datacenters, datacenterCount: wanted });
    this.options.logger.info(routingDecisionLogFields(decision), 'routing decision');
    const chain = [...decision.primaryDatacenters, ...decision.fallbackDatacenters];
    const count = Math.min(wanted, chain.length, maxShares(spec));
    const primaries = chain.slice(0, count);
    const job: GateJob = {
      jobId,
      spec,
      broadcast: new JobBroadcast(jobId, spec.name, Date.now(), primaries),
      targets: [],
      startedAtMs: this.options.clock.now(),
      finishedAtMs: undefined,
      cancelDeadlineMs: undefined,
      cancelReason: '',
      progressDirty: false,
      timeoutTracked: false,
      dispatchSettled: false,
      timeout: undefined,
      trackerFinished: undefined,
    };
    this.jobs.set(jobId, job);
    if (idempotencyKey) this.idempotency.set(idempotencyKey, { jobId, atMs: this.options.clock.now() });
    if (decision.failure !== null || count === 0) {
      this.finishJob(job, 'failed', decision.failure ?? 'no datacenter can run the job');
      return { job, duplicate: false };
    }
    const spare = chain.slice(count);
    job.targets = primaries.map((datacenter, i) => ({
      datacenter,
      spec: jobShare(spec, i, count),
      managerId: undefined,
      managerInstanceId: undefined,
      managerAddress: undefined,
      fence: 0n,
      lastSequence: 0n,
      status: JobStatus.DISPATCHING,
      progress: [],
      result: undefined,
      carried: [],
      movedFrom: [],
    }));
    job.broadcast.setStatus(JobStatus.DISPATCHING, `routing to ${primaries.join(', ')}`);
    Promise.all(job.targets.map((target) => this.dispatch(job, target, spare)))
      .then(() => this.startTimeoutTracking(job))
      .catch((error: unknown) => this.options.logger.error({ err: error, jobId }, 'dispatch failed unexpectedly'));
    return { job, duplicate: false };
  }

  cancel(jobId: string, reason: string): { job: GateJob; alreadyTerminal: boolean } {
    const job = this.require(jobId);
    if (job.finishedAtMs !== undefined) return { job, alreadyTerminal: true };
    if (job.cancelDeadlineMs === undefined) {
      job.cancelReason = reason || 'cancelled by user';
      job.cancelDeadlineMs = this.options.clock.now() + this.options.cancelGraceMs;
      job.broadcast.setStatus(JobStatus.COMPLETING, `cancelling: ${job.cancelReason}`);
      for (const target of job.targets) this.cancelTarget(job, target);
    }
    return { job, alreadyTerminal: false };
  }

  /** Progress from a datacenter's manager; false when stale, reordered or unknown. */
  onProgress(
    jobId: string,
    datacenter: string,
    sequence: bigint,
    fence: bigint,
    status: JobStatus,
    workflows: WorkflowStats[],
  ): boolean {
    const target = this.target(jobId, datacenter, fence);
    if (!target || target.result || sequence <= target.lastSequence) return false;
    target.lastSequence = sequence;
    target.progress = workflows;
    if (status !== target.status) {
      target.status = status;
      this.jobs.get(jobId)?.broadcast.setStatus(status, '', datacenter);
      if (status === JobStatus.RUNNING) this.jobs.get(jobId)?.broadcast.setStatus(JobStatus.RUNNING);
    }
    this.jobs.get(jobId)!.progressDirty = true;
    return true;
  }

  /** A datacenter's final result; idempotent (a repeated report is acknowledged and ignored). */
  onResult(
    jobId: string,
    datacenter: string,
    fence: bigint,
    status: JobStatus,
    workflows: WorkflowStats[],
    error: string,
    timeout: { managerId: string; fenceToken: bigint; reason: string } = { managerId: '', fenceToken: 0n, reason: '' },
  ): boolean {
    const job = this.jobs.get(jobId);
    const target = this.target(jobId, datacenter, fence);
    if (!job || !target) return false;
    if (target.result) return true;
    const outcome = outcomeOf(status) ?? 'failed';
    let effects: GateTimeoutEffect[] = [];
    if (job.timeoutTracked) {
      const final: JobFinalStatus = {
        jobId,
        datacenter,
        managerId: timeout.managerId,
        status: outcome,
        timestampMs: this.options.clock.now(),
        fenceToken: timeout.fenceToken,
        ...(isTimeoutReason(timeout.reason) ? { reason: timeout.reason } : {}),
      };
      const answer = this.timeouts.receiveFinalStatus(final);
      if (!answer.verdict.accepted && FENCE_REJECTIONS.has(answer.verdict.reason)) {
        this.options.logger.warn({ jobId, datacenter, rejection: answer.verdict.reason }, 'final result refused');
        return false;
      }
      effects = answer.effects;
    }
    this.recordResult(job, target, { outcome, workflows, error });
    this.carryOut(effects);
    return true;
  }

  /** AD-34 fields of a ReportJobProgress: fenced by the manager timeout fence before any stats count. */
  admitProgress(report: {
    jobId: string;
    datacenter: string;
    managerId: string;
    managerAddress: string;
    workflowsTotal: number;
    workflowsCompleted: number;
    workflowsFailed: number;
    hasRecentProgress: boolean;
    totalExtensionsGrantedMs: bigint;
    maxWorkerExtensionMs: bigint;
    workersWithExtensions: number;
    timeoutFenceToken: bigint;
  }): ReportAnswer {
    const verdict = this.timeouts.receiveProgressReport({
      jobId: report.jobId,
      datacenter: report.datacenter,
      managerId: report.managerId,
      ...managerEndpoint(report.managerAddress),
      workflowsTotal: report.workflowsTotal,
      workflowsCompleted: report.workflowsCompleted,
      workflowsFailed: report.workflowsFailed,
      hasRecentProgress: report.hasRecentProgress,
      timestampMs: this.options.clock.now(),
      fenceToken: report.timeoutFenceToken,
      totalExtensionsGrantedMs: Number(report.totalExtensionsGrantedMs),
      maxWorkerExtensionMs: Number(report.maxWorkerExtensionMs),
      workersWithExtensions: report.workersWithExtensions,
    });
    // A job not (or no longer) tracked still takes statistics; only fence problems refuse them.
    if (!verdict.accepted && !FENCE_REJECTIONS.has(verdict.reason)) return { accepted: true, rejection: '' };
    if (!verdict.accepted) {
      this.options.logger.warn(
        { jobId: report.jobId, datacenter: report.datacenter, managerId: report.managerId, rejection: verdict.reason },
        'progress report refused',
      );
    }
    return answerOf(verdict);
  }

  /** A datacenter's local timeout (ReportJobTimeout). */
  onTimeoutReport(report: {
    jobId: string;
    datacenter: string;
    managerId: string;
    managerAddress: string;
    reason: TimeoutReason;
    detail: string;
    elapsedMs: bigint;
    timeoutFenceToken: bigint;
  }): ReportAnswer {
    const verdict = this.timeouts.receiveTimeoutReport({
      jobId: report.jobId,
      datacenter: report.datacenter,
      managerId: report.managerId,
      ...managerEndpoint(report.managerAddress),
      reason: report.reason,
      detail: report.detail,
      elapsedMs: Number(report.elapsedMs),
      fenceToken: report.timeoutFenceToken,
    });
    if (verdict.accepted && !verdict.duplicate) {
      this.options.logger.warn(
        { jobId: report.jobId, datacenter: report.datacenter, reason: report.reason, detail: report.detail },
        'datacenter reports a local timeout',
      );
    }
    return answerOf(verdict);
  }

  /** A new job leader in a datacenter (ReportJobLeaderTransfer): fence strictly greater. */
  onLeaderTransfer(transfer: {
    jobId: string;
    datacenter: string;
    newLeaderId: string;
    newLeaderAddress: string;
    timeoutFenceToken: bigint;
  }): ReportAnswer {
    const { host, port } = splitHostPort(transfer.newLeaderAddress);
    const verdict = this.timeouts.receiveLeaderTransfer({
      jobId: transfer.jobId,
      datacenter: transfer.datacenter,
      newLeaderId: transfer.newLeaderId,
      newLeaderHost: host,
      newLeaderPort: port,
      fenceToken: transfer.timeoutFenceToken,
    });
    if (verdict.accepted && !verdict.duplicate) {
      const target = this.jobs.get(transfer.jobId)?.targets.find((t) => t.datacenter === transfer.datacenter);
      if (target) {
        target.managerId = transfer.newLeaderId;
        if (transfer.newLeaderAddress !== '') target.managerAddress = transfer.newLeaderAddress;
      }
      this.options.logger.info(
        { jobId: transfer.jobId, datacenter: transfer.datacenter, leader: transfer.newLeaderId },
        'job leader transferred',
      );
    }
    return answerOf(verdict);
  }

  pushProgress(): void {
    for (const job of this.activeJobs()) {
      if (!job.progressDirty) continue;
      // Backpressure hook: 'hold' keeps the update for a later push, 'drop' discards it.
      const verdict =
        this.options.forwardProgress?.(
          job.jobId,
          job.targets.map((t) => t.datacenter),
        ) ?? 'forward';
      if (verdict === 'hold') continue;
      job.progressDirty = false;
      if (verdict === 'drop') continue;
      job.broadcast.setProgress({
        elapsedMs: BigInt(Math.round(this.options.clock.now() - job.startedAtMs)),
        datacenters: job.targets.map((t) => ({
          datacenter: t.datacenter,
          status: t.status,
          workflows: t.result ? t.progress : mergeWorkflowStats(t.carried, t.progress),
        })),
      });
    }
  }

  /** Periodic: cancel grace, the timeout tracker's check, retention and idempotency expiry. */
  tick(): void {
    const now = this.options.clock.now();
    if (
      this.lastTimeoutCheckAt === undefined ||
      now - this.lastTimeoutCheckAt >= this.timeouts.config.gateCheckIntervalMs
    ) {
      this.lastTimeoutCheckAt = now;
      this.carryOut(this.timeouts.check());
    }
    const reviewEveryMs = this.options.routingReviewIntervalMs ?? 5_000;
    if (this.lastRoutingReviewAt === undefined || now - this.lastRoutingReviewAt >= reviewEveryMs) {
      this.lastRoutingReviewAt = now;
      this.reviewRunningJobs();
    }
    for (const job of this.activeJobs()) {
      if (job.cancelDeadlineMs !== undefined && now >= job.cancelDeadlineMs) {
        for (const t of job.targets) {
          if (!t.result)
            this.recordResult(job, t, { outcome: 'cancelled', workflows: t.progress, error: job.cancelReason });
        }
        continue;
      }
      if (job.trackerFinished !== undefined && now - job.trackerFinished.atMs > this.options.resultGraceMs) {
        // The tracker ended the job on a status correction; the real result never came.
        for (const t of job.targets) {
          if (t.result) continue;
          const status = job.trackerFinished.statuses[t.datacenter] ?? 'timeout';
          this.recordResult(job, t, {
            outcome: status,
            workflows: t.progress,
            error: `final result from ${t.datacenter} never arrived (status ${status} from its manager)`,
          });
        }
        continue;
      }
      // Backstop for a job the tracker could not take (at capacity): the ad-hoc missing-datacenter rule.
      if (
        !job.timeoutTracked &&
        job.dispatchSettled &&
        now - job.startedAtMs > job.spec.timeoutMs + this.options.resultGraceMs
      ) {
        for (const t of job.targets) {
          if (t.result) continue;
          this.cancelTarget(job, t);
          this.recordResult(job, t, {
            outcome: 'timeout',
            workflows: t.progress,
            error: `no result from ${t.datacenter} within the job timeout`,
          });
        }
      }
    }
    const finished = [...this.jobs].map(([id, job]) => [id, job.finishedAtMs] as const);
    for (const id of finishedJobsToForget(finished, now, this.retention)) this.jobs.delete(id);
    for (const [key, entry] of this.idempotency) {
      if (now - entry.atMs > this.options.idempotencyTtlMs) this.idempotency.delete(key);
    }
    this.options.router.expireJobs();
  }

  /**
   * The review of running jobs (AD-36, at the heartbeat cadence). The router keeps a running job
   * where it is unless it can no longer run there. A share is lost when the manager running it is
   * — SWIM has held it dead or gone, or it registered again as another instance (it restarted and
   * forgot the job), for the workers' orphan grace, by when they have stopped its shares — or when
   * its datacenter has no manager left that the gate can reach (their reports stopped, or every
   * circuit is open). A lost share moves for the time it had not run: to a live manager of its
   * datacenter while that datacenter is reachable (it is still where the router placed the job;
   * facts §3: a datacenter's job leader dying hands the job to another manager there; a restarted
   * manager may take it back), else to the next datacenter of the router's chain. A datacenter
   * that is only unhealthy keeps its share: a live manager there still decides about its job, and
   * a slow manager's reports alone do not override the failure detector.
   */
  private reviewRunningJobs(): void {
    for (const job of this.activeJobs()) {
      if (!job.dispatchSettled || job.cancelDeadlineMs !== undefined || job.timeout !== undefined) continue;
      const running = job.targets.filter((t) => !t.result && t.managerId !== undefined);
      if (running.length === 0) continue;
      const decision = this.options.router.routeJob(job.jobId, {
        running: true,
        preferred: job.spec.datacenters,
        datacenterCount: job.targets.length,
      });
      const reachable = (dc: string) => decision.candidates.find((c) => c.datacenterId === dc)?.reachable === true;
      const lost = running.flatMap((target) => {
        const reason = shareLoss({
          managerLoss: this.options.registry.managerLoss(target.managerId as string, target.managerInstanceId),
          datacenterReachable: reachable(target.datacenter),
          orphanGraceMs: this.options.orphanGraceMs,
        });
        return reason === undefined ? [] : [{ target, reason }];
      });
      if (lost.length === 0) continue;
      this.options.logger.warn(
        {
          ...routingDecisionLogFields(decision),
          lost: lost.map(({ target, reason }) => [target.datacenter, target.managerId, reason]),
        },
        'routing review: a manager or datacenter running the job is lost',
      );
      const chain = [...decision.primaryDatacenters, ...decision.fallbackDatacenters];
      for (const { target, reason } of lost) {
        this.sharesLost[reason]++;
        const usedByJob = (dc: string) => job.targets.some((t) => t.datacenter === dc); // moved shares included
        this.moveShare(
          job,
          target,
          lostShareDestinations(target.datacenter, reachable(target.datacenter), chain, usedByJob),
        );
      }
    }
  }

  /**
   * Moves a lost share to the first datacenter of `chain` that takes it (its own datacenter first
   * when only its manager was lost: dispatch then skips the dead manager).
   */
  private moveShare(job: GateJob, target: DatacenterTarget, chain: string[]): void {
    const from = target.datacenter;
    const lostManager = target.managerId;
    this.cancelTarget(job, target); // best effort: the datacenter may come back still running it
    const remaining = remainingShare(
      target.spec,
      ranMsByWorkflow(target.progress),
      // a workflow with time left runs at least as long as a manager's re-dispatch of a lost share
      DEFAULT_JOB_CONFIG.minRedispatchMs,
    );
    if (remaining === undefined) {
      this.recordResult(job, target, {
        outcome: 'completed',
        workflows: target.progress,
        error: `${from} was lost after its workflows had run their whole duration; statistics as last reported`,
      });
      return;
    }
    const [next, ...spare] = chain;
    if (next === undefined) {
      this.recordResult(job, target, {
        outcome: 'failed',
        workflows: target.progress,
        error: `${from} was lost and no other datacenter can take its share`,
      });
      return;
    }
    target.carried = mergeWorkflowStats(target.carried, target.progress);
    target.movedFrom.push(from);
    target.progress = [];
    target.lastSequence = 0n;
    target.managerId = undefined;
    target.managerInstanceId = undefined;
    target.managerAddress = undefined;
    target.spec = remaining;
    target.datacenter = next;
    target.status = JobStatus.DISPATCHING;
    // The tracker follows the datacenters that run the job: it restarts with the new one once the
    // move is settled, with the job's original deadline (startedAgoMs).
    this.timeouts.stopTracking(job.jobId);
    job.timeoutTracked = false;
    job.dispatchSettled = false;
    if (next !== from) this.options.router.recordFallbackUsed(from, next);
    this.options.logger.warn(
      {
        jobId: job.jobId,
        from,
        lostManager,
        to: next,
        workflows: remaining.workflows.map((w) => [w.name, w.durationMs]),
      },
      next === from
        ? 'moving a job share to a live manager of its datacenter'
        : 'moving a job share off a lost datacenter',
    );
    job.broadcast.setStatus(
      JobStatus.DISPATCHING,
      next === from
        ? `manager ${lostManager} of ${from} lost: moving its share to a live manager there`
        : `${from} lost: moving its share to ${next}`,
      next,
    );
    this.dispatch(job, target, spare)
      .then(() => this.startTimeoutTracking(job))
      .catch((error: unknown) =>
        this.options.logger.error({ err: error, jobId: job.jobId }, 'share move failed unexpectedly'),
      );
  }

  /** Counters for the metrics registry (registerCounterSnapshot). */
  counters(): { sharesLostByReason: Readonly<Record<string, number>> } {
    return { sharesLostByReason: this.sharesLost };
  }

  debugState(): unknown {
    return [...this.jobs.values()].map((j) => ({
      jobId: j.jobId,
      status: JobStatus[j.broadcast.status],
      watchers: j.broadcast.watcherCount,
      timeout: j.timeout,
      timeoutTracking: this.timeouts.view(j.jobId) ?? null,
      targets: j.targets.map((t) => ({
        datacenter: t.datacenter,
        movedFrom: t.movedFrom,
        manager: t.managerId,
        status: JobStatus[t.status],
        fence: t.fence.toString(),
        result: t.result?.outcome,
      })),
    }));
  }

  close(): void {
    this.managerClients.close();
  }

  // ---- internals -------------------------------------------------------------------------

  /** Starts AD-34 tracking once every dispatch of the job settled. */
  private startTimeoutTracking(job: GateJob): void {
    job.dispatchSettled = true;
    if (job.finishedAtMs !== undefined) return;
    const running = job.targets.filter((t) => t.managerId !== undefined && !t.result);
    if (running.length === 0) return;
    // bigint: Math.max does not apply.
    let maxFence = 0n;
    for (const t of running) if (t.fence > maxFence) maxFence = t.fence;
    const started = this.timeouts.startTracking({
      jobId: job.jobId,
      timeoutMs: job.spec.timeoutMs,
      datacenters: running.map((t) => t.datacenter),
      leaseToken: termOf(maxFence),
      startedAgoMs: Math.max(0, this.options.clock.now() - job.startedAtMs),
    });
    if (started.ok) job.timeoutTracked = true;
    else
      this.options.logger.error(
        { jobId: job.jobId, error: started.error, detail: started.detail },
        'job runs without timeout tracking',
      );
  }

  /** Carries out what the timeout tracker decided. */
  private carryOut(effects: GateTimeoutEffect[]): void {
    for (const effect of effects) {
      const job = this.jobs.get(effect.jobId);
      if (!job || job.finishedAtMs !== undefined) continue;
      if (effect.kind === 'declare-global-timeout') {
        if (!effect.resend || job.timeout === undefined) {
          job.timeout = { reason: effect.message.reason, detail: effect.message.detail };
          this.options.logger.warn(
            { jobId: job.jobId, reason: effect.message.reason, detail: effect.message.detail },
            'global timeout declared',
          );
          job.broadcast.setStatus(
            JobStatus.COMPLETING,
            `timing out (${effect.message.reason}): ${effect.message.detail}`,
          );
        }
        for (const target of effect.targets)
          this.sendGlobalTimeout(job, effect.message, target.datacenter, target.managerId);
        continue;
      }
      // job-finished: every target datacenter has (or is assumed to have) its final status.
      for (const t of job.targets) {
        if (t.result || !effect.syntheticDatacenters.includes(t.datacenter)) continue;
        this.recordResult(job, t, {
          outcome: 'timeout',
          workflows: t.progress,
          error: `no final status from ${t.datacenter} within ${this.timeouts.config.finalStatusWaitMs} ms of the global timeout`,
        });
      }
      if (job.finishedAtMs === undefined)
        job.trackerFinished = { atMs: this.options.clock.now(), statuses: effect.datacenters };
    }
  }

  private sendGlobalTimeout(
    job: GateJob,
    message: { jobId: string; reason: TimeoutReason; detail: string; fenceToken: bigint },
    datacenter: string,
    managerId: string | null,
  ): void {
    const target = job.targets.find((t) => t.datacenter === datacenter);
    const address =
      (managerId !== null ? this.options.registry.get(managerId)?.address : undefined) ?? target?.managerAddress;
    if (!target || !address) return;
    this.managerClient(address)
      .applyGlobalTimeout(
        {
          jobId: job.jobId,
          reason: message.reason,
          detail: message.detail,
          timedOutAtUnixMs: BigInt(Date.now()),
          fenceToken: message.fenceToken,
        },
        { deadlineMs: this.timeouts.config.globalTimeoutSendTimeoutMs },
      )
      .then(
        (response) => {
          if (response.outcome === GlobalTimeoutOutcome.ACCEPTED) {
            this.timeouts.globalTimeoutAcknowledged(job.jobId, datacenter);
            return;
          }
          if (response.outcome === GlobalTimeoutOutcome.ALREADY_FINAL) {
            this.timeouts.globalTimeoutAcknowledged(job.jobId, datacenter);
            const status = outcomeOf(response.status);
            if (status === undefined) return;
            const { effects } = this.timeouts.receiveFinalStatus({
              jobId: job.jobId,
              datacenter: response.datacenter || datacenter,
              managerId: response.managerId,
              status,
              fenceToken: response.timeoutFenceToken,
              gateFenceToken: response.fenceToken,
              ...(isTimeoutReason(response.timeoutReason) ? { reason: response.timeoutReason } : {}),
            });
            this.carryOut(effects);
            return;
          }
          this.options.logger.warn(
            { jobId: job.jobId, datacenter, reason: response.reason, managerFence: response.fenceToken.toString() },
            'global timeout refused by the manager',
          );
        },
        (error: unknown) =>
          this.options.logger.warn({ err: error, jobId: job.jobId, datacenter }, 'global timeout not delivered yet'),
      );
  }

  private target(jobId: string, datacenter: string, fence: bigint): DatacenterTarget | undefined {
    const target = this.jobs.get(jobId)?.targets.find((t) => t.datacenter === datacenter);
    // A report carrying an older fence comes from a superseded dispatch: ignore it.
    if (!target || fence < target.fence) return undefined;
    return target;
  }

  private managerClient(address: string): ManagerClient {
    return this.managerClients.get(address);
  }

  /** Dispatches a target to its datacenter, or the first spare datacenter that takes it. */
  private async dispatch(job: GateJob, target: DatacenterTarget, spare: string[]): Promise<void> {
    const errors: string[] = [];
    for (const datacenter of [target.datacenter, ...spare]) {
      if (datacenter !== target.datacenter && job.targets.some((t) => t.datacenter === datacenter)) continue;
      const ranking = this.options.router.selectManagers(job.jobId, this.options.registry.input(datacenter));
      for (const candidate of ranking.ordered) {
        const manager = this.options.registry.get(candidate.managerId);
        if (!manager) continue;
        const fence = this.fences.next();
        try {
          const response = await manager.breaker.execute(() =>
            this.managerClient(manager.address).submitJob({
              jobId: job.jobId,
              originGateAddress: this.options.address(),
              gateFenceToken: fence,
              submission: {
                spec: jobSpecToProto({ ...target.spec, datacenters: [datacenter], datacenterCount: 1 }),
                version: { major: PROTOCOL_MAJOR, minor: PROTOCOL_MINOR },
                clientId: this.options.gateId,
              },
            }),
          );
          if (datacenter !== target.datacenter) {
            this.options.logger.warn(
              { jobId: job.jobId, from: target.datacenter, to: datacenter },
              'job share moved to a fallback datacenter',
            );
            target.datacenter = datacenter;
          }
          target.managerId = manager.managerId;
          target.managerInstanceId = manager.instanceId;
          target.managerAddress = manager.address;
          target.fence = fence;
          target.status = JobStatus.QUEUED;
          this.options.router.recordManagerAccepted(job.jobId, datacenter, manager.managerId);
          this.options.logger.info(
            { jobId: job.jobId, datacenter, managerId: manager.managerId, duplicate: response.accepted?.duplicate },
            'job share dispatched',
          );
          if (job.cancelDeadlineMs !== undefined) this.cancelTarget(job, target);
          return;
        } catch (error) {
          errors.push(`${datacenter}/${manager.managerId}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      this.options.router.recordDispatchFailure(job.jobId, datacenter);
    }
    this.options.logger.error({ jobId: job.jobId, errors }, 'no datacenter accepted the job share');
    this.recordResult(job, target, {
      outcome: 'failed',
      workflows: [],
      error: `no manager accepted the job: ${errors.join('; ') || 'no manager available'}`,
    });
  }

  private cancelTarget(job: GateJob, target: DatacenterTarget): void {
    if (!target.managerAddress || target.result) return;
    this.managerClient(target.managerAddress)
      .cancelJob({ jobId: job.jobId, reason: job.cancelReason || 'cancelled', fenceToken: target.fence })
      .catch((error: unknown) =>
        this.options.logger.warn(
          { err: error, jobId: job.jobId, datacenter: target.datacenter },
          'cancel not delivered',
        ),
      );
  }

  private recordResult(job: GateJob, target: DatacenterTarget, attempt: DatacenterResult): void {
    if (target.result || job.finishedAtMs !== undefined) return;
    const result = { ...attempt, workflows: mergeWorkflowStats(target.carried, attempt.workflows) };
    target.result = result;
    target.progress = result.workflows;
    target.status = jobStatusOf(result.outcome);
    job.broadcast.setStatus(target.status, result.error, target.datacenter);
    job.progressDirty = true;
    if (job.targets.every((t) => t.result)) {
      const outcomes = job.targets.map((t) => t.result!.outcome);
      const errors = job.targets.flatMap((t) => (t.result!.error ? [`${t.datacenter}: ${t.result!.error}`] : []));
      this.finishJob(job, globalOutcome(outcomes), errors.join('; '));
    }
  }

  private finishJob(job: GateJob, outcome: JobOutcome, error: string): void {
    const perWorkflow = new Map<string, StatsSnapshot[]>();
    for (const target of job.targets) {
      for (const w of target.result?.workflows ?? []) {
        const stats = statsFromProto(w);
        if (stats) perWorkflow.set(stats.workflow, [...(perWorkflow.get(stats.workflow) ?? []), stats]);
      }
    }
    const merged = job.spec.workflows.flatMap((w) => {
      const parts = perWorkflow.get(w.name);
      return parts && parts.length > 0 ? [mergeAll(parts)] : [];
    });
    const thresholds = outcome === 'completed' ? evaluateJobThresholds(job.spec, merged) : [];
    this.timeouts.stopTracking(job.jobId);
    if (outcome === 'timeout' && job.timeout !== undefined) {
      const why = `timeout (${job.timeout.reason}): ${job.timeout.detail}`;
      error = error ? `${why}; ${error}` : why;
    }
    const result: JobResultInit = {
      status: jobStatusOf(outcome),
      datacenters: job.targets.map((t) => ({
        datacenter: t.datacenter,
        status: t.status,
        workflows: t.result?.workflows ?? [],
        error: t.result?.error ?? '',
      })),
      merged: merged.map(statsToProto),
      thresholds: thresholds.map((t) => ({ ...t })),
      elapsedMs: BigInt(Math.round(this.options.clock.now() - job.startedAtMs)),
      error,
    };
    job.finishedAtMs = this.options.clock.now();
    job.broadcast.finish(result);
    this.options.router.jobCompleted(job.jobId);
    this.options.logger.info(
      { jobId: job.jobId, outcome, error, thresholdsFailed: thresholds.filter((t) => !t.passed).length },
      'job finished',
    );
  }
}

/** A manager's address as the timeout tracker's host and port fields. */
function managerEndpoint(address: string): { managerHost: string; managerPort: number } {
  const { host, port } = splitHostPort(address);
  return { managerHost: host, managerPort: port };
}
