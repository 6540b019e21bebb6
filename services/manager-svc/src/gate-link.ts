// The manager's side of the gates: registration, the periodic datacenter report (capacity and
// health inputs), job progress to the job's origin gate, and final results through an outbox that
// retries until the gate acknowledges (a final result is never dropped). It also carries the AD-34
// messages of @hyperscale/timeout (progress fields, local timeout reports, leader transfers) and
// hands every answer back to the job table, which turns it into `gateAcknowledged` (or stops
// tracking a job the gate says another manager now leads). The final result is the datacenter's
// final status: it carries the manager timeout fence and the timeout reason.
// Backpressure both ways (AD-37): the datacenter report carries this manager's signal; a gate's
// progress ack carries the gate's, and while a gate asks for THROTTLE or worse, progress of a job to
// it is spaced by the gate's suggested delay (progress is cumulative: a skipped push is folded into
// the next). Final results (outbox), timeout reports and leader transfers are never held.
import type { MessageInitShape } from '@bufbuild/protobuf';
import { type BackpressureSignalFields, BackpressureLevel as Level, signalFromProto } from '@hyperscale/backpressure';
import type { Clock } from '@hyperscale/deterministic';
import {
  BackpressureLevel,
  type ClientOf,
  createClient,
  GateControlService,
  PROTOCOL_MAJOR,
  PROTOCOL_MINOR,
  type ReportDatacenterRequestSchema,
} from '@hyperscale/protocol';
import { AckOutbox, ClientCache, type Logger } from '@hyperscale/runtime';
import type { JobLeaderTransfer, JobTimeoutReport } from '@hyperscale/timeout';
import { statsToProto } from '@hyperscale/wire';
import type { GateReporting, ManagerIdentity, ManagerJob, ManagerJobs, TimeoutProgressFields } from './manager-jobs.js';

type GateClient = ClientOf<typeof GateControlService>;

/** Jobs whose last progress time is remembered (ours: the default maxActiveJobs). */
const MAX_TRACKED_JOBS = 1_000;

export interface GateLinkOptions {
  gates: readonly string[];
  identity: ManagerIdentity;
  clusterId: string;
  environmentId: string;
  logger: Logger;
  clock: Clock;
  /** How long an unacknowledged final result keeps being retried. */
  outboxTtlMs?: number;
  /** The manager's backpressure signal, carried in every datacenter report. */
  backpressure?: () => BackpressureSignalFields;
}

/** The global SWIM pool as the gate link needs it: our address out, the gate's back in. */
export interface GlobalPoolIntroductions {
  readonly globalSwimAddress: string;
  introduceGate(gateId: string, swimAddress: string): void;
}

export class GateLink implements GateReporting {
  private readonly clients = new ClientCache<GateClient>((address) =>
    createClient(GateControlService, address, { defaultDeadlineMs: 5_000 }),
  );
  private readonly registered = new Set<string>();
  /** Final results by job id, until the job's gate acknowledges them. */
  private readonly outbox: AckOutbox<string, ManagerJob, { accepted: boolean }>;
  private jobs: ManagerJobs | undefined;
  private membership: GlobalPoolIntroductions | undefined;
  /** The last signal each gate sent in a progress ack. Bounded by the configured gates. */
  private readonly gateSignals = new Map<string, ReturnType<typeof signalFromProto>>();
  /** When progress of a job was last sent, least recent first; bounded. */
  private readonly lastProgressAt = new Map<string, number>();
  /** Progress pushes held back by a gate's signal. */
  progressHeld = 0;

  constructor(private readonly options: GateLinkOptions) {
    this.outbox = new AckOutbox({
      clock: options.clock,
      ttlMs: options.outboxTtlMs ?? 600_000,
      ready: (job) => Boolean(job.originGate) && job.result !== undefined,
      send: (jobId, job) => this.sendResult(jobId, job),
      onAcknowledged: (jobId, _job, response) => this.jobs?.gateAnswered(jobId, 'final-status', response.accepted, ''),
      onSendFailed: (jobId, _job, error) =>
        options.logger.warn({ err: error, jobId }, 'final result not delivered to gate yet'),
      onExpired: (jobId) => options.logger.error({ jobId }, 'final result never acknowledged by the gate; giving up'),
    });
  }

  attach(jobs: ManagerJobs): void {
    this.jobs = jobs;
  }

  /** Registrations carry our global-pool SWIM address and introduce the gate to the pool. */
  useMembership(membership: GlobalPoolIntroductions): void {
    this.membership = membership;
  }

  get registeredGates(): string[] {
    return [...this.registered];
  }

  private client(address: string): GateClient {
    return this.clients.get(address);
  }

  /** Registers with a gate if needed, then sends the datacenter report. Throws when unreachable. */
  async report(gate: string): Promise<void> {
    const client = this.client(gate);
    if (!this.registered.has(gate)) {
      const response = await client.registerManager({
        version: { major: PROTOCOL_MAJOR, minor: PROTOCOL_MINOR },
        managerId: this.options.identity.managerId,
        datacenter: this.options.identity.datacenter,
        address: this.options.identity.address,
        clusterId: this.options.clusterId,
        environmentId: this.options.environmentId,
        swimAddress: this.membership?.globalSwimAddress ?? '',
        instanceId: this.options.identity.instanceId,
      });
      if (!response.accepted) throw new Error(`gate ${gate} refused registration: ${response.error}`);
      this.membership?.introduceGate(response.gateId, response.swimAddress);
      this.registered.add(gate);
      this.options.logger.info({ gate, gateId: response.gateId }, 'registered with gate');
    }
    const ack = await client.reportDatacenter(this.datacenterReport());
    if (!ack.known) this.registered.delete(gate);
  }

  datacenterReport(): MessageInitShape<typeof ReportDatacenterRequestSchema> {
    const pool = this.jobs?.pool;
    const workers = pool?.list() ?? [];
    return {
      managerId: this.options.identity.managerId,
      datacenter: this.options.identity.datacenter,
      address: this.options.identity.address,
      isLeader: true,
      workerCount: workers.length,
      healthyWorkerCount: workers.length,
      totalCores: pool?.totalCores() ?? 0,
      availableCores: pool?.totalFreeCores() ?? 0,
      activeJobs: this.jobs?.activeJobs().length ?? 0,
      backpressure: this.options.backpressure?.() ?? { level: BackpressureLevel.NONE },
    };
  }

  progress(job: ManagerJob, timeout: TimeoutProgressFields | undefined): void {
    const jobs = this.jobs;
    if (!job.originGate || !jobs) return;
    const gate = job.originGate;
    const now = this.options.clock.now();
    const signal = this.gateSignals.get(gate);
    const last = this.lastProgressAt.get(job.jobId);
    if (signal && signal.level >= Level.THROTTLE && last !== undefined && now - last < signal.suggestedDelayMs) {
      this.progressHeld++;
      return;
    }
    this.lastProgressAt.delete(job.jobId);
    this.lastProgressAt.set(job.jobId, now);
    while (this.lastProgressAt.size > MAX_TRACKED_JOBS)
      this.lastProgressAt.delete(this.lastProgressAt.keys().next().value!);
    this.client(gate)
      .reportJobProgress({
        jobId: job.jobId,
        datacenter: this.options.identity.datacenter,
        managerId: this.options.identity.managerId,
        sequence: job.progressSequence,
        status: job.broadcast.status,
        workflows: jobs.workflowStats(job).map(statsToProto),
        fenceToken: job.gateFence,
        managerAddress: this.options.identity.address,
        ...(timeout
          ? {
              workflowsTotal: timeout.workflowsTotal,
              workflowsCompleted: timeout.workflowsCompleted,
              workflowsFailed: timeout.workflowsFailed,
              hasRecentProgress: timeout.hasRecentProgress,
              totalExtensionsGrantedMs: BigInt(Math.round(timeout.totalExtensionsGrantedMs)),
              maxWorkerExtensionMs: BigInt(Math.round(timeout.maxWorkerExtensionMs)),
              workersWithExtensions: timeout.workersWithExtensions,
              timeoutFenceToken: timeout.fenceToken,
            }
          : { timeoutFenceToken: jobs.timeoutFence(job) }),
      })
      .then(
        (response) => {
          this.gateSignals.set(gate, signalFromProto(response.backpressure));
          jobs.gateAnswered(job.jobId, 'progress', response.accepted, response.rejection);
        },
        (error: unknown) => this.options.logger.debug({ err: error, jobId: job.jobId }, 'progress to gate failed'),
      );
  }

  timeoutReport(job: ManagerJob, report: JobTimeoutReport): void {
    const jobs = this.jobs;
    if (!job.originGate || !jobs) return;
    this.client(job.originGate)
      .reportJobTimeout({
        jobId: report.jobId,
        datacenter: report.datacenter,
        managerId: report.managerId,
        managerAddress: this.options.identity.address,
        reason: report.reason,
        detail: report.detail,
        elapsedMs: BigInt(Math.max(0, Math.round(report.elapsedMs))),
        timeoutFenceToken: report.fenceToken,
      })
      .then(
        (response) => jobs.gateAnswered(job.jobId, 'timeout-report', response.accepted, response.rejection),
        (error: unknown) =>
          this.options.logger.warn({ err: error, jobId: job.jobId }, 'timeout report not delivered yet'),
      );
  }

  leaderTransfer(job: ManagerJob, transfer: JobLeaderTransfer): void {
    const jobs = this.jobs;
    if (!job.originGate || !jobs) return;
    this.client(job.originGate)
      .reportJobLeaderTransfer({
        jobId: transfer.jobId,
        datacenter: transfer.datacenter,
        newLeaderId: transfer.newLeaderId,
        newLeaderAddress: this.options.identity.address,
        timeoutFenceToken: transfer.fenceToken,
      })
      .then(
        (response) => jobs.gateAnswered(job.jobId, 'leader-transfer', response.accepted, response.rejection),
        (error: unknown) =>
          this.options.logger.warn({ err: error, jobId: job.jobId }, 'leader transfer not delivered yet'),
      );
  }

  result(job: ManagerJob): void {
    this.lastProgressAt.delete(job.jobId);
    if (!job.originGate || !this.outbox.add(job.jobId, job)) return;
    this.flushOutbox();
  }

  /** Sends every pending final result not already in flight; called on delivery and periodically. */
  flushOutbox(): void {
    this.outbox.flush();
  }

  /** One send of a final result; the outbox calls it only when the job has a gate and a result. */
  private sendResult(jobId: string, job: ManagerJob) {
    const result = job.result!;
    return this.client(job.originGate!).reportJobResult({
      jobId,
      datacenter: this.options.identity.datacenter,
      managerId: this.options.identity.managerId,
      status: result.status,
      workflows: result.merged,
      error: result.error ?? '',
      elapsedMs: result.elapsedMs,
      fenceToken: job.gateFence,
      timeoutFenceToken: this.jobs?.timeoutFence(job) ?? job.gateFence,
      timeoutReason: job.timedOut?.reason ?? '',
    });
  }

  pendingResults(): number {
    return this.outbox.size;
  }

  close(): void {
    this.clients.close();
  }
}
