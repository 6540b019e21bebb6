// Everything the worker says to managers: registration and heartbeats to each configured
// manager, progress to the job's manager, and final results through an outbox that retries until
// the manager acknowledges (a final result is never dropped; it expires only after `outboxTtlMs`).
//
// AD-26 extensions — when a worker asks for more time. A share runs for its duration plus its
// graceful stop, and the job's `timeout` defaults to the critical path plus a margin, so a share
// normally ends well inside the deadline. It nears the deadline only when its in-flight iterations
// drain slowly through a long graceful stop, or when the user set a `timeout` shorter than the
// planned work. Either way the share is still generating load, and AD-26 lets such work buy a
// bounded amount of time (grants halve: 15, 7.5, 3.75, 1.875, 1 s by default, ≈ 29 s at most)
// while a hung share cannot. So a share's progress report carries an ExtensionRequest only when
//   1. the manager's last progress ack said the job's deadline (timeout + grants so far) is less
//      than `extensionAskWindowMs` away — asking earlier would spend grants that push every
//      datacenter's deadline for nothing; the window spans many progress reports (250 ms), so a
//      progressing share always gets to ask before the manager's timeout loop looks again;
//   2. the share's work (completed iterations + requests) strictly grew since its last request —
//      the manager would refuse anything else (no-progress), and a stuck share must not ask;
//   3. the manager has not said its grants are exhausted: asking after that only starts the
//      eviction grace period, so a well-behaved worker stops and lets the job time out.

// Backpressure (AD-37): every progress ack and heartbeat ack carries the manager's signal, handed to
// `onSignal` (the flush policy). A progress report or heartbeat refused with RESOURCE_EXHAUSTED is
// that manager saying REJECT, for at least its retry-after; a refused heartbeat is not a failure
// of the manager (it answered), so it does not throw.

import { type BackpressureSignal, signalFromProto } from '@hyperscale/backpressure';
import { signalOfRefusal } from '@hyperscale/backpressure/shell';
import type { StatsSnapshot } from '@hyperscale/loadgen';
import {
  type ClientOf,
  createClient,
  ManagerService,
  PROTOCOL_MAJOR,
  PROTOCOL_MINOR,
  WorkflowStatus,
} from '@hyperscale/protocol';
import { AckOutbox, ClientCache, type Logger } from '@hyperscale/runtime';
import { statsToProto } from '@hyperscale/wire';

export interface ProgressReport {
  managerAddress: string;
  jobId: string;
  workflowId: string;
  workflowName: string;
  stats: StatsSnapshot;
  elapsedMs: number;
  availableCores: number;
  sequence: bigint;
}

export interface FinalResult {
  managerAddress: string;
  jobId: string;
  workflowId: string;
  workflowName: string;
  status: 'completed' | 'cancelled' | 'failed';
  stats: StatsSnapshot | undefined;
  error?: string;
  availableCores: number;
  fenceToken: bigint;
}

export interface ManagerReporterOptions {
  workerId: string;
  advertiseAddress: string;
  totalCores: number;
  clusterId: string;
  environmentId: string;
  logger: Logger;
  now: () => number;
  availableCores: () => number;
  activeWorkflowIds: () => string[];
  /** How long an unacknowledged final result keeps being retried. */
  outboxTtlMs?: number;
  /** The datacenter SWIM pool: our address travels with registration, the manager's comes back. */
  membership?: { readonly address: string; introduceManager(managerId: string, swimAddress: string): void };
  /** Ask for an extension when the job's deadline is closer than this (see the header). */
  extensionAskWindowMs?: number;
  /** Told of every backpressure signal a manager sends (keyed by the manager's address). */
  onSignal?: (manager: string, signal: BackpressureSignal) => void;
  /**
   * A manager registered us again as another instance (it restarted in place, same id): the shares
   * its old process dispatched are nobody's now.
   */
  onManagerRestarted?: (managerId: string) => void;
}

/** Default ask window: 12 progress reports at the default 250 ms, well under the first 15 s grant. */
export const EXTENSION_ASK_WINDOW_MS = 3_000;

/** Per running share: what the manager last said about the deadline, and what we last asked with. */
interface ShareTime {
  deadlineRemainingMs: number | undefined;
  ackAtMs: number;
  lastAskWork: number;
  exhausted: boolean;
}

const MAX_TRACKED_SHARES = 10_000;

function workDone(stats: StatsSnapshot): number {
  return stats.steps.reduce((n, step) => n + step.requests, stats.iterations);
}

const RESULT_STATUS = {
  completed: WorkflowStatus.COMPLETED,
  cancelled: WorkflowStatus.CANCELLED,
  failed: WorkflowStatus.FAILED,
} as const;

type ManagerClient = ClientOf<typeof ManagerService>;

export class ManagerReporter {
  private readonly clients = new ClientCache<ManagerClient>((address) =>
    createClient(ManagerService, address, { defaultDeadlineMs: 5_000 }),
  );
  private readonly registered = new Set<string>();
  /** Each manager's instance id at our last registration with it (bounded by the managers we know). */
  private readonly managerInstances = new Map<string, string>();
  /** Final results by workflow id, until their manager acknowledges them. */
  private readonly outbox: AckOutbox<string, FinalResult>;
  private readonly shareTimes = new Map<string, ShareTime>();

  constructor(private readonly options: ManagerReporterOptions) {
    this.outbox = new AckOutbox({
      clock: { now: options.now },
      ttlMs: options.outboxTtlMs ?? 600_000,
      send: (_id, result) => this.sendResult(result),
      onSendFailed: (id, _result, error) =>
        options.logger.warn({ err: error, workflowId: id }, 'final result not delivered yet'),
      onExpired: (id) => options.logger.error({ workflowId: id }, 'final result never acknowledged; giving up'),
    });
  }

  private client(address: string): ManagerClient {
    return this.clients.get(address);
  }

  /** Registers with `address` if not yet registered, then heartbeats; re-registers when forgotten. */
  async heartbeat(address: string): Promise<void> {
    const client = this.client(address);
    if (!this.registered.has(address)) {
      const response = await client.registerWorker({
        version: { major: PROTOCOL_MAJOR, minor: PROTOCOL_MINOR },
        workerId: this.options.workerId,
        address: this.options.advertiseAddress,
        totalCores: this.options.totalCores,
        availableCores: this.options.availableCores(),
        clusterId: this.options.clusterId,
        environmentId: this.options.environmentId,
        swimAddress: this.options.membership?.address ?? '',
      });
      if (!response.accepted) throw new Error(`manager ${address} refused registration: ${response.error}`);
      this.options.membership?.introduceManager(response.managerId, response.swimAddress);
      this.registered.add(address);
      this.options.logger.info({ manager: address, managerId: response.managerId }, 'registered with manager');
      this.noteInstance(response.managerId, response.managerInstanceId);
    }
    let ack: Awaited<ReturnType<ManagerClient['workerHeartbeat']>>;
    try {
      ack = await client.workerHeartbeat({
        workerId: this.options.workerId,
        availableCores: this.options.availableCores(),
        activeWorkflowIds: this.options.activeWorkflowIds(),
      });
    } catch (error) {
      const refusal = signalOfRefusal(error);
      if (!refusal) throw error;
      this.options.onSignal?.(address, refusal);
      return;
    }
    this.options.onSignal?.(address, signalFromProto(ack.backpressure));
    if (!ack.known) this.registered.delete(address);
  }

  private noteInstance(managerId: string, instanceId: string): void {
    if (instanceId === '') return;
    const previous = this.managerInstances.get(managerId);
    this.managerInstances.set(managerId, instanceId);
    if (previous !== undefined && previous !== instanceId) this.options.onManagerRestarted?.(managerId);
  }

  async sendProgress(report: ProgressReport): Promise<void> {
    const extension = this.extensionRequest(report);
    const response = await this.client(report.managerAddress)
      .reportProgress({
        jobId: report.jobId,
        workflowId: report.workflowId,
        workflowName: report.workflowName,
        workerId: this.options.workerId,
        status: WorkflowStatus.RUNNING,
        stats: statsToProto(report.stats),
        elapsedMs: BigInt(Math.round(report.elapsedMs)),
        availableCores: report.availableCores,
        sequence: report.sequence,
        ...(extension ? { extension } : {}),
      })
      .catch((error: unknown) => {
        const refusal = signalOfRefusal(error);
        if (refusal) this.options.onSignal?.(report.managerAddress, refusal);
        throw error;
      });
    this.options.onSignal?.(report.managerAddress, signalFromProto(response.backpressure));
    const time = this.shareTimes.get(report.workflowId);
    if (!time) return;
    time.deadlineRemainingMs =
      response.deadlineRemainingMs === undefined ? undefined : Number(response.deadlineRemainingMs);
    time.ackAtMs = this.options.now();
    const grant = response.extension;
    if (!extension || !grant) return;
    if (grant.granted) {
      this.options.logger.info(
        { workflowId: report.workflowId, extensionMs: Number(grant.extensionMs), left: grant.remainingExtensions },
        'extension granted',
      );
    } else if (grant.denialReason === 'exhausted' || grant.denialReason === 'job-finished') {
      time.exhausted = true;
    }
    if (grant.granted && grant.remainingExtensions === 0) time.exhausted = true;
  }

  /** The extension request to attach to this report, if asking is due (see the header). */
  private extensionRequest(report: ProgressReport) {
    let time = this.shareTimes.get(report.workflowId);
    if (!time) {
      if (this.shareTimes.size >= MAX_TRACKED_SHARES) {
        const oldest = this.shareTimes.keys().next().value;
        if (oldest !== undefined) this.shareTimes.delete(oldest);
      }
      time = { deadlineRemainingMs: undefined, ackAtMs: this.options.now(), lastAskWork: 0, exhausted: false };
      this.shareTimes.set(report.workflowId, time);
      return undefined;
    }
    if (time.exhausted || time.deadlineRemainingMs === undefined) return undefined;
    const left = time.deadlineRemainingMs - (this.options.now() - time.ackAtMs);
    if (left > (this.options.extensionAskWindowMs ?? EXTENSION_ASK_WINDOW_MS)) return undefined;
    const work = workDone(report.stats);
    if (work <= time.lastAskWork) return undefined;
    time.lastAskWork = work;
    return {
      reason: `share still progressing with ${Math.max(0, Math.round(left))} ms left before the job deadline`,
      currentProgress: 0,
      completedItems: BigInt(work),
    };
  }

  deliverResult(result: FinalResult): void {
    this.shareTimes.delete(result.workflowId);
    this.outbox.replace(result.workflowId, result);
    this.flushOutbox();
  }

  /** Sends every pending final result not already in flight. Called on delivery and periodically. */
  flushOutbox(): void {
    this.outbox.flush();
  }

  private sendResult(r: FinalResult) {
    return this.client(r.managerAddress).reportResult({
      jobId: r.jobId,
      workflowId: r.workflowId,
      workflowName: r.workflowName,
      workerId: this.options.workerId,
      status: RESULT_STATUS[r.status],
      ...(r.stats ? { stats: statsToProto(r.stats) } : {}),
      error: r.error ?? '',
      availableCores: r.availableCores,
      fenceToken: r.fenceToken,
    });
  }

  pendingResults(): number {
    return this.outbox.size;
  }

  close(): void {
    this.clients.close();
  }
}
