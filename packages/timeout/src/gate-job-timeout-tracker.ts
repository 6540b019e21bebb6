// The gate's side of AD-34: one record per job it owns, with each target datacenter's leader,
// fence, progress, extensions and local-timeout report. Its periodic `check()` declares the one
// global timeout (overall deadline, DC local timeouts, or every running DC stuck), bumps the gate's
// timeout fence and asks the shell to send `JobGlobalTimeout` to every DC still running, repeating
// until each acknowledges or ends. Reports carrying a fence older than the DC's current leader's
// are rejected (the original stored these tokens but never checked them, facts §9.1).
import type { Clock } from '@hyperscale/deterministic';
import { resolveTimeoutConfig, type TimeoutConfig } from './config.js';
import { composeFenceToken, type FenceToken } from './fence-token.js';
import type {
  JobFinalStatus,
  JobGlobalTimeout,
  JobLeaderTransfer,
  JobProgressReport,
  JobStatusCorrection,
  JobTerminalStatus,
  JobTimeoutReport,
  TimeoutReason,
} from './messages.js';

export interface GateStartTrackingInput {
  jobId: string;
  timeoutMs: number;
  /** Target datacenters the job was dispatched to. */
  datacenters: readonly string[];
  /** This gate's job lease token (epoch of its timeout fence). */
  leaseToken: bigint;
  /** For a gate taking over a job: how long the job has already run. */
  startedAgoMs?: number;
}

export type GateStartTrackingResult =
  | { ok: true }
  | { ok: false; error: 'duplicate' | 'capacity' | 'invalid-input'; detail: string };

export type ReportRejection = 'unknown-job' | 'unknown-datacenter' | 'stale-fence' | 'conflicting-leader';

export type ReportVerdict =
  | { accepted: true; duplicate: boolean }
  | { accepted: false; reason: ReportRejection; currentFenceToken: FenceToken | null };

export interface GlobalTimeoutTarget {
  datacenter: string;
  /** Current job leader in that DC, when the gate has heard from one. */
  managerId: string | null;
}

export type GateTimeoutEffect =
  | {
      kind: 'declare-global-timeout';
      jobId: string;
      message: JobGlobalTimeout;
      targets: GlobalTimeoutTarget[];
      resend: boolean;
    }
  | {
      kind: 'job-finished';
      jobId: string;
      status: JobTerminalStatus;
      reason: TimeoutReason | null;
      datacenters: Record<string, JobTerminalStatus>;
      /** DCs whose final status the gate had to assume (silent after the global timeout). */
      syntheticDatacenters: string[];
    };

export interface GateTimeoutMetrics {
  globalTimeoutsByReason: Record<TimeoutReason, number>;
  staleReportsRejected: number;
  jobsFinished: number;
  syntheticFinalStatuses: number;
  jobsRefusedAtCapacity: number;
}

interface DatacenterTrack {
  leaderId: string | null;
  leaderFence: FenceToken | null;
  lastProgressAt: number;
  workflowsCompleted: number;
  totalExtensionsGrantedMs: number;
  maxWorkerExtensionMs: number;
  localTimeout: { reason: TimeoutReason; detail: string; at: number } | null;
  finalStatus: JobTerminalStatus | null;
  finalReason: TimeoutReason | null;
  synthetic: boolean;
  globalTimeoutAcked: boolean;
}

interface GateJob {
  jobId: string;
  timeoutMs: number;
  startedAt: number;
  leaseToken: bigint;
  decisionCounter: bigint;
  datacenters: Map<string, DatacenterTrack>;
  globalTimeout: { reason: TimeoutReason; detail: string; at: number; fenceToken: FenceToken } | null;
}

/** A read-only view of one job, for tests and admin endpoints. */
export interface GateJobView {
  jobId: string;
  startedAt: number;
  gateFenceToken: FenceToken;
  globalTimeout: { reason: TimeoutReason; at: number; fenceToken: FenceToken } | null;
  datacenters: Record<
    string,
    {
      leaderId: string | null;
      leaderFence: FenceToken | null;
      localTimeout: TimeoutReason | null;
      finalStatus: JobTerminalStatus | null;
    }
  >;
}

export interface GateJobTimeoutTrackerOptions {
  clock: Clock;
  config?: Partial<TimeoutConfig>;
}

/** Facts §1.5: any FAILED ⇒ FAILED, else any CANCELLED ⇒ CANCELLED, else any TIMEOUT ⇒ TIMEOUT, else COMPLETED. */
export function combineDatacenterStatuses(statuses: readonly JobTerminalStatus[]): JobTerminalStatus {
  if (statuses.includes('failed')) return 'failed';
  if (statuses.includes('cancelled')) return 'cancelled';
  if (statuses.includes('timeout')) return 'timeout';
  return statuses.length > 0 && statuses.every((s) => s === 'completed') ? 'completed' : 'failed';
}

export class GateJobTimeoutTracker {
  readonly config: TimeoutConfig;
  private readonly clock: Clock;
  private readonly jobs = new Map<string, GateJob>();
  private readonly counters: GateTimeoutMetrics = {
    globalTimeoutsByReason: { overall: 0, stuck: 0, 'datacenter-timeout': 0, 'gate-unreachable': 0 },
    staleReportsRejected: 0,
    jobsFinished: 0,
    syntheticFinalStatuses: 0,
    jobsRefusedAtCapacity: 0,
  };

  constructor(options: GateJobTimeoutTrackerOptions) {
    this.clock = options.clock;
    this.config = resolveTimeoutConfig(options.config);
  }

  get size(): number {
    return this.jobs.size;
  }

  metrics(): GateTimeoutMetrics {
    return { ...this.counters, globalTimeoutsByReason: { ...this.counters.globalTimeoutsByReason } };
  }

  view(jobId: string): GateJobView | undefined {
    const job = this.jobs.get(jobId);
    if (job === undefined) return undefined;
    const datacenters: GateJobView['datacenters'] = {};
    for (const [dc, track] of job.datacenters) {
      datacenters[dc] = {
        leaderId: track.leaderId,
        leaderFence: track.leaderFence,
        localTimeout: track.localTimeout?.reason ?? null,
        finalStatus: track.finalStatus,
      };
    }
    return {
      jobId,
      startedAt: job.startedAt,
      gateFenceToken: composeFenceToken(job.leaseToken, job.decisionCounter),
      globalTimeout:
        job.globalTimeout === null
          ? null
          : { reason: job.globalTimeout.reason, at: job.globalTimeout.at, fenceToken: job.globalTimeout.fenceToken },
      datacenters,
    };
  }

  startTracking(input: GateStartTrackingInput): GateStartTrackingResult {
    const problem = validateGateStart(input);
    if (problem !== null) return { ok: false, error: 'invalid-input', detail: problem };
    if (this.jobs.has(input.jobId))
      return { ok: false, error: 'duplicate', detail: `job ${input.jobId} is already tracked` };
    if (this.jobs.size >= this.config.maxTrackedJobs) {
      this.counters.jobsRefusedAtCapacity++;
      return {
        ok: false,
        error: 'capacity',
        detail: `tracking ${this.jobs.size} jobs (max ${this.config.maxTrackedJobs})`,
      };
    }
    const now = this.clock.now();
    const startedAt = now - (input.startedAgoMs ?? 0);
    const datacenters = new Map<string, DatacenterTrack>();
    for (const dc of input.datacenters) {
      datacenters.set(dc, {
        leaderId: null,
        leaderFence: null,
        lastProgressAt: startedAt,
        workflowsCompleted: 0,
        totalExtensionsGrantedMs: 0,
        maxWorkerExtensionMs: 0,
        localTimeout: null,
        finalStatus: null,
        finalReason: null,
        synthetic: false,
        globalTimeoutAcked: false,
      });
    }
    this.jobs.set(input.jobId, {
      jobId: input.jobId,
      timeoutMs: input.timeoutMs,
      startedAt,
      leaseToken: input.leaseToken,
      decisionCounter: 0n,
      datacenters,
      globalTimeout: null,
    });
    return { ok: true };
  }

  receiveProgressReport(report: JobProgressReport): ReportVerdict {
    const found = this.admit(report.jobId, report.datacenter, report.managerId, report.fenceToken);
    if (!found.ok) return found.verdict;
    const { track } = found;
    if (track.finalStatus !== null) return { accepted: true, duplicate: true };
    const now = this.clock.now();
    if (report.hasRecentProgress || report.workflowsCompleted > track.workflowsCompleted) track.lastProgressAt = now;
    track.workflowsCompleted = Math.max(track.workflowsCompleted, report.workflowsCompleted);
    track.totalExtensionsGrantedMs = Math.max(
      track.totalExtensionsGrantedMs,
      finiteOrZero(report.totalExtensionsGrantedMs),
    );
    track.maxWorkerExtensionMs = Math.max(track.maxWorkerExtensionMs, finiteOrZero(report.maxWorkerExtensionMs));
    return { accepted: true, duplicate: false };
  }

  receiveTimeoutReport(report: JobTimeoutReport): ReportVerdict {
    const found = this.admit(report.jobId, report.datacenter, report.managerId, report.fenceToken);
    if (!found.ok) return found.verdict;
    const { track } = found;
    if (track.localTimeout !== null || track.finalStatus !== null) return { accepted: true, duplicate: true };
    track.localTimeout = { reason: report.reason, detail: report.detail, at: this.clock.now() };
    return { accepted: true, duplicate: false };
  }

  /** A new job leader in a DC; its fence must be strictly greater than the current one (facts §3.4). */
  receiveLeaderTransfer(transfer: JobLeaderTransfer): ReportVerdict {
    const job = this.jobs.get(transfer.jobId);
    if (job === undefined) return { accepted: false, reason: 'unknown-job', currentFenceToken: null };
    const track = job.datacenters.get(transfer.datacenter);
    if (track === undefined) return { accepted: false, reason: 'unknown-datacenter', currentFenceToken: null };
    if (track.leaderFence !== null && transfer.fenceToken <= track.leaderFence) {
      if (transfer.fenceToken === track.leaderFence && transfer.newLeaderId === track.leaderId)
        return { accepted: true, duplicate: true };
      this.counters.staleReportsRejected++;
      return { accepted: false, reason: 'stale-fence', currentFenceToken: track.leaderFence };
    }
    track.leaderFence = transfer.fenceToken;
    track.leaderId = transfer.newLeaderId;
    // The new leader has not seen our global timeout yet.
    if (job.globalTimeout !== null) track.globalTimeoutAcked = false;
    return { accepted: true, duplicate: false };
  }

  /** A DC's one final status (or a manager's terminal status correction). */
  receiveFinalStatus(status: JobFinalStatus | JobStatusCorrection): {
    verdict: ReportVerdict;
    effects: GateTimeoutEffect[];
  } {
    const found = this.admit(status.jobId, status.datacenter, status.managerId, status.fenceToken);
    if (!found.ok) return { verdict: found.verdict, effects: [] };
    const { job, track } = found;
    if (status.status === 'running') return { verdict: { accepted: true, duplicate: true }, effects: [] };
    if (track.finalStatus !== null) return { verdict: { accepted: true, duplicate: true }, effects: [] };
    track.finalStatus = status.status;
    track.finalReason = status.reason ?? null;
    const effects = this.finishIfDone(job);
    return { verdict: { accepted: true, duplicate: false }, effects };
  }

  globalTimeoutAcknowledged(jobId: string, datacenter: string): void {
    const track = this.jobs.get(jobId)?.datacenters.get(datacenter);
    if (track !== undefined) track.globalTimeoutAcked = true;
  }

  /**
   * This gate (re)acquired the job's lease with a new token. A pending global timeout is re-issued
   * under the new lease, because managers told of the new lease reject decisions of the old one.
   */
  ownerChanged(jobId: string, leaseToken: bigint): { ok: boolean; effects: GateTimeoutEffect[] } {
    const job = this.jobs.get(jobId);
    if (job === undefined || leaseToken <= job.leaseToken) return { ok: false, effects: [] };
    job.leaseToken = leaseToken;
    job.decisionCounter = 0n;
    if (job.globalTimeout === null) return { ok: true, effects: [] };
    const { reason, detail } = job.globalTimeout;
    for (const track of job.datacenters.values()) track.globalTimeoutAcked = false;
    return { ok: true, effects: [this.declare(job, reason, detail, this.clock.now(), false)] };
  }

  stopTracking(jobId: string): boolean {
    return this.jobs.delete(jobId);
  }

  /** The periodic check over every job (every `gateCheckIntervalMs`). */
  check(): GateTimeoutEffect[] {
    const now = this.clock.now();
    const effects: GateTimeoutEffect[] = [];
    for (const job of [...this.jobs.values()]) {
      if (job.globalTimeout !== null) {
        if (now - job.globalTimeout.at >= this.config.finalStatusWaitMs) {
          effects.push(...this.expireSilentDatacenters(job));
          continue;
        }
        const targets = this.pendingTargets(job);
        if (targets.length > 0)
          effects.push({
            kind: 'declare-global-timeout',
            jobId: job.jobId,
            message: this.message(job),
            targets,
            resend: true,
          });
        continue;
      }
      const decision = this.decide(job, now);
      if (decision !== null) {
        this.counters.globalTimeoutsByReason[decision.reason]++;
        effects.push(this.declare(job, decision.reason, decision.detail, now, true));
      }
    }
    return effects;
  }

  private decide(job: GateJob, now: number): { reason: TimeoutReason; detail: string } | null {
    const tracks = [...job.datacenters.entries()];
    const running = tracks.filter(([, t]) => t.finalStatus === null);
    if (running.length === 0) return null;

    let largestExtension = 0;
    for (const [, t] of tracks) largestExtension = Math.max(largestExtension, t.totalExtensionsGrantedMs);
    const elapsed = now - job.startedAt;
    const deadline = job.timeoutMs + largestExtension + this.config.gateOverallSlackMs;
    if (elapsed > deadline) {
      return {
        reason: 'overall',
        detail: `elapsed ${elapsed} ms > ${deadline} ms (timeout ${job.timeoutMs} ms + largest DC extensions ${largestExtension} ms + slack ${this.config.gateOverallSlackMs} ms)`,
      };
    }

    const timedOut = tracks.filter(([, t]) => t.localTimeout !== null || t.finalStatus === 'timeout');
    const needed = this.config.dcTimeoutQuorum === 'any' ? 1 : Math.floor(tracks.length / 2) + 1;
    if (timedOut.length >= needed) {
      const reasons = new Set(timedOut.map(([, t]) => t.localTimeout?.reason ?? t.finalReason ?? 'datacenter-timeout'));
      const [only] = reasons;
      const reason: TimeoutReason = reasons.size === 1 && only !== undefined ? only : 'datacenter-timeout';
      return {
        reason,
        detail: `local timeout reported by ${timedOut.map(([dc]) => dc).join(', ')} (${timedOut.length}/${tracks.length}, quorum ${this.config.dcTimeoutQuorum})`,
      };
    }

    if (running.every(([, t]) => now - t.lastProgressAt > this.config.allDatacentersStuckMs)) {
      return {
        reason: 'stuck',
        detail: `no progress from any running datacenter (${running.map(([dc]) => dc).join(', ')}) for more than ${this.config.allDatacentersStuckMs} ms`,
      };
    }
    return null;
  }

  private declare(job: GateJob, reason: TimeoutReason, detail: string, now: number, first: boolean): GateTimeoutEffect {
    job.decisionCounter += 1n;
    const fenceToken = composeFenceToken(job.leaseToken, job.decisionCounter);
    job.globalTimeout = { reason, detail, at: first ? now : (job.globalTimeout?.at ?? now), fenceToken };
    return {
      kind: 'declare-global-timeout',
      jobId: job.jobId,
      message: this.message(job),
      targets: this.pendingTargets(job),
      resend: !first,
    };
  }

  private message(job: GateJob): JobGlobalTimeout {
    const decision = job.globalTimeout;
    if (decision === null) throw new Error(`job ${job.jobId} has no global timeout`);
    return {
      jobId: job.jobId,
      reason: decision.reason,
      detail: decision.detail,
      timedOutAtMs: decision.at,
      fenceToken: decision.fenceToken,
    };
  }

  private pendingTargets(job: GateJob): GlobalTimeoutTarget[] {
    const targets: GlobalTimeoutTarget[] = [];
    for (const [datacenter, track] of job.datacenters) {
      if (track.finalStatus === null && !track.globalTimeoutAcked)
        targets.push({ datacenter, managerId: track.leaderId });
    }
    return targets;
  }

  private expireSilentDatacenters(job: GateJob): GateTimeoutEffect[] {
    for (const track of job.datacenters.values()) {
      if (track.finalStatus === null) {
        track.finalStatus = 'timeout';
        track.finalReason = job.globalTimeout?.reason ?? 'datacenter-timeout';
        track.synthetic = true;
        this.counters.syntheticFinalStatuses++;
      }
    }
    return this.finishIfDone(job);
  }

  private finishIfDone(job: GateJob): GateTimeoutEffect[] {
    const statuses: Record<string, JobTerminalStatus> = {};
    const synthetic: string[] = [];
    for (const [dc, track] of job.datacenters) {
      if (track.finalStatus === null) return [];
      statuses[dc] = track.finalStatus;
      if (track.synthetic) synthetic.push(dc);
    }
    const status = combineDatacenterStatuses(Object.values(statuses));
    let reason: TimeoutReason | null = null;
    if (status === 'timeout') {
      reason = job.globalTimeout?.reason ?? null;
      if (reason === null) {
        for (const track of job.datacenters.values())
          reason ??= track.finalStatus === 'timeout' ? track.finalReason : null;
      }
      reason ??= 'datacenter-timeout';
    }
    this.jobs.delete(job.jobId);
    this.counters.jobsFinished++;
    return [
      {
        kind: 'job-finished',
        jobId: job.jobId,
        status,
        reason,
        datacenters: statuses,
        syntheticDatacenters: synthetic,
      },
    ];
  }

  /** Finds the job and DC of a manager message and applies the fence rule. */
  private admit(
    jobId: string,
    datacenter: string,
    managerId: string,
    fenceToken: FenceToken,
  ): { ok: true; job: GateJob; track: DatacenterTrack } | { ok: false; verdict: ReportVerdict } {
    const job = this.jobs.get(jobId);
    if (job === undefined)
      return { ok: false, verdict: { accepted: false, reason: 'unknown-job', currentFenceToken: null } };
    const track = job.datacenters.get(datacenter);
    if (track === undefined)
      return { ok: false, verdict: { accepted: false, reason: 'unknown-datacenter', currentFenceToken: null } };
    if (track.leaderFence !== null) {
      if (fenceToken < track.leaderFence) {
        this.counters.staleReportsRejected++;
        return { ok: false, verdict: { accepted: false, reason: 'stale-fence', currentFenceToken: track.leaderFence } };
      }
      if (fenceToken === track.leaderFence && track.leaderId !== null && managerId !== track.leaderId) {
        this.counters.staleReportsRejected++;
        return {
          ok: false,
          verdict: { accepted: false, reason: 'conflicting-leader', currentFenceToken: track.leaderFence },
        };
      }
    }
    if (track.leaderFence === null || fenceToken > track.leaderFence) {
      track.leaderFence = fenceToken;
      track.leaderId = managerId;
      if (job.globalTimeout !== null) track.globalTimeoutAcked = false;
    }
    return { ok: true, job, track };
  }
}

function finiteOrZero(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function validateGateStart(input: GateStartTrackingInput): string | null {
  if (typeof input.jobId !== 'string' || input.jobId.length === 0) return 'jobId must be a non-empty string';
  if (!Number.isFinite(input.timeoutMs) || input.timeoutMs <= 0) return `timeoutMs must be > 0, got ${input.timeoutMs}`;
  if (input.datacenters.length === 0) return 'datacenters must not be empty';
  if (new Set(input.datacenters).size !== input.datacenters.length) return 'datacenters must be distinct';
  if (input.leaseToken < 0n) return 'leaseToken must be >= 0';
  if (input.startedAgoMs !== undefined && !(Number.isFinite(input.startedAgoMs) && input.startedAgoMs >= 0)) {
    return 'startedAgoMs must be >= 0';
  }
  return null;
}
