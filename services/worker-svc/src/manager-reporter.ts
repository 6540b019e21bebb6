// Everything the worker says to managers: registration and heartbeats to each configured
// manager, progress to the job's manager, and final results through an outbox that retries until
// the manager acknowledges (a final result is never dropped; it expires only after `outboxTtlMs`).

import type { StatsSnapshot } from '@hyperscale/loadgen';
import {
  type ClientOf,
  createClient,
  ManagerService,
  PROTOCOL_MAJOR,
  PROTOCOL_MINOR,
  WorkflowStatus,
} from '@hyperscale/protocol';
import type { Logger } from '@hyperscale/runtime';
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
}

const RESULT_STATUS = {
  completed: WorkflowStatus.COMPLETED,
  cancelled: WorkflowStatus.CANCELLED,
  failed: WorkflowStatus.FAILED,
} as const;

type ManagerClient = ClientOf<typeof ManagerService>;

export class ManagerReporter {
  private readonly clients = new Map<string, ManagerClient>();
  private readonly registered = new Set<string>();
  private readonly outbox = new Map<string, { result: FinalResult; since: number; sending: boolean }>();

  constructor(private readonly options: ManagerReporterOptions) {}

  private client(address: string): ManagerClient {
    let client = this.clients.get(address);
    if (!client) {
      client = createClient(ManagerService, address, { defaultDeadlineMs: 5_000 });
      this.clients.set(address, client);
    }
    return client;
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
      });
      if (!response.accepted) throw new Error(`manager ${address} refused registration: ${response.error}`);
      this.registered.add(address);
      this.options.logger.info({ manager: address, managerId: response.managerId }, 'registered with manager');
    }
    const ack = await client.workerHeartbeat({
      workerId: this.options.workerId,
      availableCores: this.options.availableCores(),
      activeWorkflowIds: this.options.activeWorkflowIds(),
    });
    if (!ack.known) this.registered.delete(address);
  }

  async sendProgress(report: ProgressReport): Promise<void> {
    await this.client(report.managerAddress).reportProgress({
      jobId: report.jobId,
      workflowId: report.workflowId,
      workflowName: report.workflowName,
      workerId: this.options.workerId,
      status: WorkflowStatus.RUNNING,
      stats: statsToProto(report.stats),
      elapsedMs: BigInt(Math.round(report.elapsedMs)),
      availableCores: report.availableCores,
      sequence: report.sequence,
    });
  }

  deliverResult(result: FinalResult): void {
    this.outbox.set(result.workflowId, { result, since: this.options.now(), sending: false });
    this.flushOutbox();
  }

  /** Sends every pending final result not already in flight. Called on delivery and periodically. */
  flushOutbox(): void {
    const ttl = this.options.outboxTtlMs ?? 600_000;
    for (const [id, entry] of this.outbox) {
      if (this.options.now() - entry.since > ttl) {
        this.options.logger.error({ workflowId: id }, 'final result never acknowledged; giving up');
        this.outbox.delete(id);
        continue;
      }
      if (entry.sending) continue;
      entry.sending = true;
      const r = entry.result;
      this.client(r.managerAddress)
        .reportResult({
          jobId: r.jobId,
          workflowId: r.workflowId,
          workflowName: r.workflowName,
          workerId: this.options.workerId,
          status: RESULT_STATUS[r.status],
          ...(r.stats ? { stats: statsToProto(r.stats) } : {}),
          error: r.error ?? '',
          availableCores: r.availableCores,
          fenceToken: r.fenceToken,
        })
        .then(
          () => this.outbox.delete(id),
          (error: unknown) =>
            this.options.logger.warn({ err: error, workflowId: id }, 'final result not delivered yet'),
        )
        .finally(() => {
          entry.sending = false;
        });
    }
  }

  pendingResults(): number {
    return this.outbox.size;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
