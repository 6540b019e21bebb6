// AD-26 healthcheck extensions (facts §6 row 26). A busy worker asks for more time together with
// its progress; each grant halves (15, 7.5, 3.75, 1.875, 1 s by default), at most five, and only
// when progress strictly increased since the last grant, so a stuck worker cannot buy time. Once
// exhausted, a worker that still asks gets a grace period, then is evicted. One ledger per job, so
// the accounting dies with the job.
import type { TimeoutConfig } from './config.js';

export interface ExtensionRequest {
  workerId: string;
  reason?: string;
  /** Progress measure that must strictly increase between grants (fraction or any monotone number). */
  currentProgress: number;
  /** Absolute completed items; preferred over `currentProgress` when both requests carry it. */
  completedItems?: number;
  totalItems?: number;
  estimatedCompletionMs?: number;
  activeWorkflowCount?: number;
}

export type ExtensionDenialReason =
  | 'no-progress'
  | 'exhausted'
  | 'invalid-request'
  | 'unknown-job'
  | 'job-finished'
  | 'too-many-workers';

export interface ExtensionReply {
  granted: boolean;
  extensionMs: number;
  /** The worker's deadline after this reply (manager's monotonic ms), null when none was ever granted. */
  newDeadline: number | null;
  remainingExtensions: number;
  denialReason: ExtensionDenialReason | null;
  /** True when at most `extensionWarningThreshold` grants remain. */
  isExhaustionWarning: boolean;
  inGracePeriod: boolean;
  gracePeriodRemainingMs: number;
}

interface WorkerExtensionState {
  grantsUsed: number;
  lastProgress: number;
  lastCompletedItems: number | null;
  deadline: number | null;
  /** When the worker first asked after exhausting its grants; starts the grace period. */
  exhaustedRequestAt: number | null;
  evictionReported: boolean;
}

/** The n-th grant (0-based): max(min, base / (divisor · 2^n)). */
export function extensionGrantMs(config: TimeoutConfig, grantIndex: number): number {
  const raw = config.extensionBaseMs / (config.extensionFirstGrantDivisor * 2 ** grantIndex);
  return Math.max(config.extensionMinGrantMs, raw);
}

function isNonNegativeFinite(value: number | undefined): boolean {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value) && value >= 0);
}

export class ExtensionLedger {
  private readonly workers = new Map<string, WorkerExtensionState>();

  constructor(private readonly config: TimeoutConfig) {}

  get trackedWorkers(): number {
    return this.workers.size;
  }

  request(request: ExtensionRequest, now: number): ExtensionReply {
    const valid =
      typeof request.workerId === 'string' &&
      request.workerId.length > 0 &&
      typeof request.currentProgress === 'number' &&
      isNonNegativeFinite(request.currentProgress) &&
      isNonNegativeFinite(request.completedItems) &&
      isNonNegativeFinite(request.totalItems);
    if (!valid) return denial('invalid-request', null, this.config.maxExtensions);

    let worker = this.workers.get(request.workerId);
    if (worker === undefined) {
      if (this.workers.size >= this.config.maxWorkersPerJob) return denial('too-many-workers', null, 0);
      worker = {
        grantsUsed: 0,
        lastProgress: 0,
        lastCompletedItems: null,
        deadline: null,
        exhaustedRequestAt: null,
        evictionReported: false,
      };
      this.workers.set(request.workerId, worker);
    }
    const remaining = this.config.maxExtensions - worker.grantsUsed;

    if (remaining <= 0) {
      worker.exhaustedRequestAt ??= now;
      const graceEnds = this.graceEndsAt(worker);
      const reply = denial('exhausted', worker.deadline, 0);
      reply.inGracePeriod = now < graceEnds;
      reply.gracePeriodRemainingMs = Math.max(0, graceEnds - now);
      reply.isExhaustionWarning = true;
      return reply;
    }

    if (!this.progressed(worker, request)) {
      const reply = denial('no-progress', worker.deadline, remaining);
      reply.isExhaustionWarning = remaining <= this.config.extensionWarningThreshold;
      return reply;
    }

    const grant = extensionGrantMs(this.config, worker.grantsUsed);
    worker.grantsUsed += 1;
    worker.lastProgress = request.currentProgress;
    if (request.completedItems !== undefined) worker.lastCompletedItems = request.completedItems;
    worker.deadline = Math.max(worker.deadline ?? now, now) + grant;
    const left = this.config.maxExtensions - worker.grantsUsed;
    return {
      granted: true,
      extensionMs: grant,
      newDeadline: worker.deadline,
      remainingExtensions: left,
      denialReason: null,
      isExhaustionWarning: left <= this.config.extensionWarningThreshold,
      inGracePeriod: false,
      gracePeriodRemainingMs: 0,
    };
  }

  /** The worker answers health checks normally again: its budget starts over. */
  recovered(workerId: string): void {
    this.workers.delete(workerId);
  }

  forget(workerId: string): void {
    this.workers.delete(workerId);
  }

  /** Workers whose grace period ended; each is returned once and then forgotten. */
  dueEvictions(now: number): string[] {
    const due: string[] = [];
    for (const [workerId, worker] of this.workers) {
      if (worker.exhaustedRequestAt === null || worker.evictionReported) continue;
      if (now >= this.graceEndsAt(worker)) {
        worker.evictionReported = true;
        due.push(workerId);
      }
    }
    for (const workerId of due) this.workers.delete(workerId);
    return due;
  }

  private graceEndsAt(worker: WorkerExtensionState): number {
    const from = Math.max(worker.exhaustedRequestAt ?? 0, worker.deadline ?? 0);
    return from + this.config.extensionGracePeriodMs;
  }

  private progressed(worker: WorkerExtensionState, request: ExtensionRequest): boolean {
    if (request.completedItems !== undefined && worker.lastCompletedItems !== null) {
      return request.completedItems > worker.lastCompletedItems;
    }
    if (request.completedItems !== undefined && worker.grantsUsed === 0 && request.completedItems > 0) return true;
    return request.currentProgress > worker.lastProgress;
  }
}

function denial(reason: ExtensionDenialReason, deadline: number | null, remaining: number): ExtensionReply {
  return {
    granted: false,
    extensionMs: 0,
    newDeadline: deadline,
    remainingExtensions: Math.max(0, remaining),
    denialReason: reason,
    isExhaustionWarning: false,
    inGracePeriod: false,
    gracePeriodRemainingMs: 0,
  };
}
