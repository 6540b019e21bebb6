// The TypeScript SDK: submit, watch, get, cancel and list datacenters, against a gate or (single-
// datacenter mode) straight against a manager — both speak the same job API. Submissions carry an
// idempotency key, so retrying after UNAVAILABLE / RESOURCE_EXHAUSTED (honouring the server's
// retry-after) can never start the job twice.
//
// Two retry rules, by status:
//   RESOURCE_EXHAUSTED (shedding, rate limits; AD-24)  RateLimitRetryPolicy: never sooner than the
//       server's retry-after, backing off ×1.5 from 1 s, at most 3 retries, and give up at once when
//       the server asks for more than 60 s;
//   UNAVAILABLE (not leader, starting, unreachable)    exponential backoff with full jitter from
//       250 ms, up to `attempts` attempts in all.
import { randomUUID } from 'node:crypto';
import { status as grpcStatus } from '@grpc/grpc-js';
import { RateLimitRetryPolicy, type RetryAfterConfig } from '@hyperscale/backpressure';
import { systemRandom } from '@hyperscale/deterministic';
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
import { backoffDelayMs, sleep as realSleep } from '@hyperscale/runtime';
import { jobSpecToProto } from '@hyperscale/wire';

export interface HyperscaleClientOptions {
  /** 'gate' (default) or 'manager' for single-datacenter mode. */
  target?: 'gate' | 'manager';
  /** Deadline of unary calls. */
  deadlineMs?: number;
  /** Attempts for submit/cancel when the server is unavailable. */
  attempts?: number;
  clientId?: string;
  /** Retries on RESOURCE_EXHAUSTED (default: 3, ×1.5 from 1 s, never past 60 s). */
  rateLimitRetry?: Partial<RetryAfterConfig>;
  /** How to wait between retries (tests). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface SubmitOptions {
  idempotencyKey?: string;
  signal?: AbortSignal;
}

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
  private readonly rateLimitRetry: RateLimitRetryPolicy;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(
    readonly address: string,
    options: HyperscaleClientOptions = {},
  ) {
    const clientOptions = { defaultDeadlineMs: options.deadlineMs ?? 10_000 };
    if (options.target === 'manager') this.manager = createClient(ManagerService, address, clientOptions);
    else this.gate = createClient(GateService, address, clientOptions);
    this.attempts = options.attempts ?? 5;
    this.clientId = options.clientId ?? `sdk-${randomUUID().slice(0, 8)}`;
    this.rateLimitRetry = new RateLimitRetryPolicy(options.rateLimitRetry);
    this.sleep = options.sleep ?? realSleep;
  }

  /** Runs `call`, retrying per the rules in the header. The request (and its idempotency key) is the same each time. */
  private async withRetries<T>(
    call: () => Promise<T>,
    base: { baseMs: number; capMs: number },
    signal?: AbortSignal,
  ): Promise<T> {
    let unavailable = 0;
    let exhausted = 0;
    let previousMs = base.baseMs;
    for (;;) {
      signal?.throwIfAborted();
      try {
        return await call();
      } catch (error) {
        const code = grpcCodeOf(error);
        let delayMs: number | undefined;
        if (code === grpcStatus.RESOURCE_EXHAUSTED) {
          delayMs = this.rateLimitRetry.delayBeforeRetryMs(exhausted++, retryAfterMs(error));
        } else if (code === grpcStatus.UNAVAILABLE && ++unavailable < this.attempts) {
          delayMs = backoffDelayMs({
            jitter: 'full',
            attempt: unavailable - 1,
            previousMs,
            random: systemRandom,
            ...base,
          });
          const hint = retryAfterMs(error);
          if (hint !== undefined && hint > delayMs) delayMs = Math.min(base.capMs, hint);
          previousMs = delayMs;
        }
        if (delayMs === undefined || signal?.aborted) throw error;
        await this.sleep(delayMs, signal);
      }
    }
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
    const accepted = await this.withRetries(
      async () =>
        this.gate
          ? (await this.gate.submitJob({ submission })).accepted
          : (await this.manager!.submitJob({ submission })).accepted,
      { baseMs: 250, capMs: 10_000 },
      options.signal,
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

  /** The job's current state; a read, so it retries like the others when the server sheds load. */
  async get(jobId: string): Promise<JobInfo> {
    const job = await this.withRetries(
      async () => (this.gate ? await this.gate.getJob({ jobId }) : await this.manager!.getJob({ jobId })).job,
      { baseMs: 250, capMs: 5_000 },
    );
    if (!job) throw new Error(`no job information returned for ${jobId}`);
    return job;
  }

  async cancel(jobId: string, reason = 'cancelled by user'): Promise<{ status: JobStatus; alreadyTerminal: boolean }> {
    return this.withRetries(
      async () => {
        const r = this.gate
          ? await this.gate.cancelJob({ jobId, reason })
          : await this.manager!.cancelJob({ jobId, reason });
        return { status: r.status, alreadyTerminal: r.alreadyTerminal };
      },
      { baseMs: 250, capMs: 5_000 },
    );
  }

  async datacenters(): Promise<DatacenterInfo[]> {
    const gate = this.gate;
    if (!gate) throw new Error('datacenters are listed by a gate; this client talks to a manager');
    return this.withRetries(async () => (await gate.listDatacenters({})).datacenters, { baseMs: 250, capMs: 5_000 });
  }

  close(): void {
    this.gate?.close();
    this.manager?.close();
  }
}

export { JobStatus };
