// The TypeScript SDK: submit, watch, get, cancel and list datacenters, against a gate or (single-
// datacenter mode) straight against a manager — both speak the same job API. Submissions carry an
// idempotency key, so retrying after UNAVAILABLE / RESOURCE_EXHAUSTED (honouring the server's
// retry-after) can never start the job twice.
import { randomUUID } from 'node:crypto';
import { status as grpcStatus } from '@grpc/grpc-js';
import type { JobSpec } from '@hyperscale/loadgen';
import {
  type ClientOf,
  createClient,
  type DatacenterInfo,
  GateService,
  grpcCodeOf,
  grpcMetadataOf,
  type JobInfo,
  JobStatus,
  type JobUpdate,
  ManagerService,
  PROTOCOL_MAJOR,
  PROTOCOL_MINOR,
} from '@hyperscale/protocol';
import { retry } from '@hyperscale/runtime';
import { jobSpecToProto } from '@hyperscale/wire';

export interface HyperscaleClientOptions {
  /** 'gate' (default) or 'manager' for single-datacenter mode. */
  target?: 'gate' | 'manager';
  /** Deadline of unary calls. */
  deadlineMs?: number;
  /** Attempts for submit/cancel when the server is unavailable or shedding load. */
  attempts?: number;
  clientId?: string;
}

export interface SubmitOptions {
  idempotencyKey?: string;
  signal?: AbortSignal;
}

const RETRYABLE: ReadonlySet<number> = new Set([grpcStatus.UNAVAILABLE, grpcStatus.RESOURCE_EXHAUSTED]);
const isRetryable = (error: unknown): boolean => RETRYABLE.has(grpcCodeOf(error) ?? -1);

function retryAfterMs(error: unknown): number | undefined {
  const value = grpcMetadataOf(error, 'retry-after-ms');
  const ms = value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

export class HyperscaleClient {
  private readonly gate: ClientOf<typeof GateService> | undefined;
  private readonly manager: ClientOf<typeof ManagerService> | undefined;
  private readonly attempts: number;
  private readonly clientId: string;

  constructor(
    readonly address: string,
    options: HyperscaleClientOptions = {},
  ) {
    const clientOptions = { defaultDeadlineMs: options.deadlineMs ?? 10_000 };
    if (options.target === 'manager') this.manager = createClient(ManagerService, address, clientOptions);
    else this.gate = createClient(GateService, address, clientOptions);
    this.attempts = options.attempts ?? 5;
    this.clientId = options.clientId ?? `sdk-${randomUUID().slice(0, 8)}`;
  }

  /** Submits a validated spec; returns the job id (and whether the key matched an earlier job). */
  async submit(
    spec: JobSpec,
    options: SubmitOptions = {},
  ): Promise<{ jobId: string; duplicate: boolean; datacenters: string[] }> {
    const submission = {
      spec: jobSpecToProto(spec),
      idempotencyKey: options.idempotencyKey ?? `${this.clientId}:${randomUUID()}`,
      version: { major: PROTOCOL_MAJOR, minor: PROTOCOL_MINOR },
      clientId: this.clientId,
    };
    const accepted = await retry(
      async () =>
        this.gate
          ? (await this.gate.submitJob({ submission })).accepted
          : (await this.manager!.submitJob({ submission })).accepted,
      {
        attempts: this.attempts,
        baseMs: 250,
        capMs: 10_000,
        isRetryable,
        retryAfterMs,
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    if (!accepted) throw new Error('server accepted the job but returned no job id');
    return { jobId: accepted.jobId, duplicate: accepted.duplicate, datacenters: [...accepted.datacenters] };
  }

  /** Updates of a job until its final result (the stream then ends). */
  watch(jobId: string, signal?: AbortSignal): AsyncIterable<JobUpdate> {
    const options = signal ? { signal } : {};
    const source = this.gate ? this.gate.watchJob({ jobId }, options) : this.manager!.watchJob({ jobId }, options);
    return (async function* () {
      for await (const message of source) if (message.update) yield message.update;
    })();
  }

  async get(jobId: string): Promise<JobInfo> {
    const response = this.gate ? await this.gate.getJob({ jobId }) : await this.manager!.getJob({ jobId });
    if (!response.job) throw new Error(`no job information returned for ${jobId}`);
    return response.job;
  }

  async cancel(jobId: string, reason = 'cancelled by user'): Promise<{ status: JobStatus; alreadyTerminal: boolean }> {
    return retry(
      async () => {
        const r = this.gate
          ? await this.gate.cancelJob({ jobId, reason })
          : await this.manager!.cancelJob({ jobId, reason });
        return { status: r.status, alreadyTerminal: r.alreadyTerminal };
      },
      { attempts: this.attempts, baseMs: 250, capMs: 5_000, isRetryable, retryAfterMs },
    );
  }

  async datacenters(): Promise<DatacenterInfo[]> {
    if (!this.gate) throw new Error('datacenters are listed by a gate; this client talks to a manager');
    return (await this.gate.listDatacenters({})).datacenters;
  }

  close(): void {
    this.gate?.close();
    this.manager?.close();
  }
}

export { JobStatus };
