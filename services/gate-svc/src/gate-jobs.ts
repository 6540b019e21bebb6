// The gate's jobs: routing each job to datacenters, splitting its load across them, dispatching to
// a manager of each (falling back to the next datacenter of the chain when one cannot take it),
// collecting per-datacenter progress and results, merging them exactly, judging thresholds and
// finishing each job once with the global status rule (facts §1.5).
import { randomBytes } from 'node:crypto';
import type { Clock } from '@hyperscale/deterministic';
import { FenceTokenIssuer, globalOutcome, type JobOutcome } from '@hyperscale/jobs';
import { evaluateJobThresholds, type JobSpec, mergeAll, type StatsSnapshot, workflowShare } from '@hyperscale/loadgen';
import {
  type ClientOf,
  createClient,
  JobStatus,
  ManagerService,
  notFound,
  PROTOCOL_MAJOR,
  PROTOCOL_MINOR,
  resourceExhausted,
  type WorkflowStats,
} from '@hyperscale/protocol';
import { type GateJobRouter, routingDecisionLogFields } from '@hyperscale/routing';
import type { Logger } from '@hyperscale/runtime';
import {
  JobBroadcast,
  type JobResultInit,
  jobSpecToProto,
  jobStatusOf,
  outcomeOf,
  statsFromProto,
  statsToProto,
} from '@hyperscale/wire';
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
  managerAddress: string | undefined;
  fence: bigint;
  lastSequence: bigint;
  status: JobStatus;
  progress: WorkflowStats[];
  result: DatacenterResult | undefined;
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
  private readonly managerClients = new Map<string, ManagerClient>();
  private readonly fences = new FenceTokenIssuer(1);

  constructor(private readonly options: GateJobsOptions) {}

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
      managerAddress: undefined,
      fence: 0n,
      lastSequence: 0n,
      status: JobStatus.DISPATCHING,
      progress: [],
      result: undefined,
    }));
    job.broadcast.setStatus(JobStatus.DISPATCHING, `routing to ${primaries.join(', ')}`);
    for (const target of job.targets) void this.dispatch(job, target, spare);
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
  ): boolean {
    const job = this.jobs.get(jobId);
    const target = this.target(jobId, datacenter, fence);
    if (!job || !target) return false;
    if (target.result) return true;
    const outcome = outcomeOf(status) ?? 'failed';
    this.recordResult(job, target, { outcome, workflows, error });
    return true;
  }

  pushProgress(): void {
    for (const job of this.activeJobs()) {
      if (!job.progressDirty) continue;
      job.progressDirty = false;
      job.broadcast.setProgress({
        elapsedMs: BigInt(Math.round(this.options.clock.now() - job.startedAtMs)),
        datacenters: job.targets.map((t) => ({ datacenter: t.datacenter, status: t.status, workflows: t.progress })),
      });
    }
  }

  /** Periodic: cancel grace, missing-datacenter timeouts, retention and idempotency expiry. */
  tick(): void {
    const now = this.options.clock.now();
    for (const job of this.activeJobs()) {
      if (job.cancelDeadlineMs !== undefined && now >= job.cancelDeadlineMs) {
        for (const t of job.targets) {
          if (!t.result)
            this.recordResult(job, t, { outcome: 'cancelled', workflows: t.progress, error: job.cancelReason });
        }
        continue;
      }
      if (now - job.startedAtMs > job.spec.timeoutMs + this.options.resultGraceMs) {
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
    for (const [id, job] of this.jobs) {
      if (job.finishedAtMs !== undefined && now - job.finishedAtMs > this.options.jobRetentionMs) this.jobs.delete(id);
    }
    for (const [key, entry] of this.idempotency) {
      if (now - entry.atMs > this.options.idempotencyTtlMs) this.idempotency.delete(key);
    }
    this.options.router.expireJobs();
  }

  debugState(): unknown {
    return [...this.jobs.values()].map((j) => ({
      jobId: j.jobId,
      status: JobStatus[j.broadcast.status],
      watchers: j.broadcast.watcherCount,
      targets: j.targets.map((t) => ({
        datacenter: t.datacenter,
        manager: t.managerId,
        status: JobStatus[t.status],
        fence: t.fence.toString(),
        result: t.result?.outcome,
      })),
    }));
  }

  close(): void {
    for (const c of this.managerClients.values()) c.close();
    this.managerClients.clear();
  }

  // ---- internals -------------------------------------------------------------------------

  private target(jobId: string, datacenter: string, fence: bigint): DatacenterTarget | undefined {
    const target = this.jobs.get(jobId)?.targets.find((t) => t.datacenter === datacenter);
    // A report carrying an older fence comes from a superseded dispatch: ignore it.
    if (!target || fence < target.fence) return undefined;
    return target;
  }

  private managerClient(address: string): ManagerClient {
    let client = this.managerClients.get(address);
    if (!client) {
      client = createClient(ManagerService, address, { defaultDeadlineMs: 5_000 });
      this.managerClients.set(address, client);
    }
    return client;
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

  private recordResult(job: GateJob, target: DatacenterTarget, result: DatacenterResult): void {
    if (target.result || job.finishedAtMs !== undefined) return;
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
