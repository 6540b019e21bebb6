// The manager's jobs: intake, the per-job coordinators, and carrying out their commands over gRPC
// (dispatch and cancel to workers). Progress and final results go to the job's watchers and, for
// jobs a gate submitted, to that gate through the GateLink.
import { randomBytes } from 'node:crypto';
import type { Clock } from '@hyperscale/deterministic';
import {
  type CoordinatedWorkflow,
  FenceTokenIssuer,
  type JobCommand,
  JobCoordinator,
  type ShareDispatch,
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
  JobStatus,
  notFound,
  resourceExhausted,
  WorkerService,
} from '@hyperscale/protocol';
import type { Logger } from '@hyperscale/runtime';
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
  datacenter: string;
  /** host:port workers report to. */
  address: string;
}

export interface GateReporting {
  progress(job: ManagerJob): void;
  result(job: ManagerJob): void;
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
}

export interface ManagerJobsOptions {
  identity: ManagerIdentity;
  clock: Clock;
  logger: Logger;
  workerTimeoutMs: number;
  maxActiveJobs: number;
  jobRetentionMs: number;
  gateReporting: GateReporting;
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

export class ManagerJobs {
  readonly pool: WorkerPool;
  private readonly fences = new FenceTokenIssuer(1);
  private readonly jobs = new Map<string, ManagerJob>();
  private readonly byIdempotencyKey = new Map<string, string>();
  private readonly workerClients = new Map<string, WorkerClient>();

  constructor(private readonly options: ManagerJobsOptions) {
    this.pool = new WorkerPool(options.clock, { livenessTimeoutMs: options.workerTimeoutMs, maxWorkers: 10_000 });
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
    };
    this.jobs.set(jobId, job);
    if (job.idempotencyKey) this.byIdempotencyKey.set(job.idempotencyKey, jobId);
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
    return true;
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
    this.execute(job, job.coordinator.onResult(workflowId, status, stats, error || undefined));
    return true;
  }

  /** Periodic: worker liveness, retries after backoff, cancel grace periods, retention. */
  tick(): void {
    for (const workerId of this.pool.expire()) {
      this.options.logger.warn({ workerId }, 'worker lost; re-dispatching its shares');
      for (const job of this.activeJobs()) this.execute(job, job.coordinator.onWorkerLost(workerId));
    }
    for (const job of this.activeJobs()) this.execute(job, job.coordinator.tick());
    const now = this.options.clock.now();
    for (const [id, job] of this.jobs) {
      if (job.finishedAtMs !== undefined && now - job.finishedAtMs > this.options.jobRetentionMs) {
        this.jobs.delete(id);
        if (job.idempotencyKey) this.byIdempotencyKey.delete(job.idempotencyKey);
      }
    }
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
      if (job.originGate) this.options.gateReporting.progress(job);
    }
  }

  debugState(): unknown {
    return {
      workers: this.pool.list(),
      jobs: [...this.jobs.values()].map((j) => ({
        jobId: j.jobId,
        status: JobStatus[j.broadcast.status],
        originGate: j.originGate,
        coordinator: j.coordinator.debugState(),
      })),
    };
  }

  close(): void {
    for (const client of this.workerClients.values()) client.close();
    this.workerClients.clear();
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
    let client = this.workerClients.get(address);
    if (!client) {
      client = createClient(WorkerService, address, { defaultDeadlineMs: 5_000 });
      this.workerClients.set(address, client);
    }
    return client;
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

  private finish(job: ManagerJob, outcome: 'completed' | 'failed' | 'cancelled', error: string | undefined): void {
    const workflows = this.workflowStats(job);
    const status = jobStatusOf(outcome);
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
    this.options.logger.info({ jobId: job.jobId, outcome, error }, 'job finished');
    if (job.originGate) this.options.gateReporting.result(job);
  }
}
