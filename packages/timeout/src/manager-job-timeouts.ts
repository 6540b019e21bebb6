// The manager's one timeout loop for all the jobs it leads (AD-34 §manager). It owns each job's
// TimeoutTrackingState, its strategy and its AD-26 extension ledger, and it is the latch that gives
// every job exactly one final status: the first of completed / failed / cancelled / timeout wins,
// whichever path (local rule, gate decision, fallback, completion) gets there first.
import type { Clock } from '@hyperscale/deterministic';
import { resolveTimeoutConfig, type TimeoutConfig } from './config.js';
import { ExtensionLedger, type ExtensionReply, type ExtensionRequest } from './extension-tracker.js';
import { composeFenceToken, type FenceToken, maxFence } from './fence-token.js';
import { buildFinalStatus, buildLeaderTransfer, GateCoordinatedTimeout } from './gate-coordinated-timeout.js';
import { LocalAuthorityTimeout } from './local-authority-timeout.js';
import type { JobGlobalTimeout, JobStatusCorrection, JobTerminalStatus, TimeoutReason } from './messages.js';
import type { ManagerIdentity, ManagerTimeoutEffect, StrategyContext, TimeoutStrategy } from './timeout-strategy.js';
import {
  createTrackingState,
  restoreTrackingState,
  snapshotTrackingState,
  type TimeoutStrategyKind,
  type TimeoutTrackingSnapshot,
  type TimeoutTrackingState,
} from './tracking-state.js';

export interface StartTrackingInput {
  jobId: string;
  /** The job's `timeout` from the spec. */
  timeoutMs: number;
  /** Job-level stuck threshold; defaults to `config.stuckThresholdMs`. */
  stuckThresholdMs?: number;
  /** Present when a gate submitted the job: selects the gate-coordinated strategy. */
  gate?: { addr: string; leaseToken: bigint };
  /** Starting manager timeout fence (e.g. the job's dispatch token); default 0n. */
  initialFenceToken?: FenceToken;
  workflowsTotal?: number;
}

export type StartTrackingResult =
  | { ok: true; strategy: TimeoutStrategyKind }
  | { ok: false; error: 'duplicate' | 'capacity' | 'invalid-input'; detail: string };

export interface WorkflowCounts {
  workflowsTotal?: number;
  workflowsCompleted?: number;
  workflowsFailed?: number;
}

export type GateAckKind = 'progress' | 'timeout-report' | 'final-status' | 'leader-transfer';

export type GlobalTimeoutResult =
  | { outcome: 'accepted'; effects: ManagerTimeoutEffect[]; duplicate: boolean }
  | { outcome: 'already-final'; correction: JobStatusCorrection }
  | { outcome: 'rejected'; reason: 'unknown-job' | 'not-gate-coordinated'; correction: null }
  | { outcome: 'rejected'; reason: 'stale-fence'; correction: JobStatusCorrection };

export type FinishJobResult =
  | { accepted: true; effects: ManagerTimeoutEffect[] }
  | { accepted: false; reason: 'unknown-job'; finalStatus: null }
  | { accepted: false; reason: 'already-final'; finalStatus: JobTerminalStatus };

export type ResumeResult =
  | { ok: true; fenceToken: FenceToken; effects: ManagerTimeoutEffect[] }
  | { ok: false; error: 'duplicate' | 'capacity' | 'invalid-snapshot'; detail: string };

export interface ManagerTimeoutMetrics {
  timeoutsByReason: Record<TimeoutReason, number>;
  extensionsGranted: number;
  extensionsDenied: number;
  staleGlobalTimeoutsRejected: number;
  jobsRefusedAtCapacity: number;
}

interface ManagerJobEntry {
  state: TimeoutTrackingState;
  strategy: TimeoutStrategy;
  extensions: ExtensionLedger;
}

export interface ManagerJobTimeoutsOptions {
  clock: Clock;
  identity: ManagerIdentity;
  config?: Partial<TimeoutConfig>;
}

const LOCAL_AUTHORITY = new LocalAuthorityTimeout();
const GATE_COORDINATED = new GateCoordinatedTimeout();

/** `GateCoordinatedTimeout` when a gate submitted the job, else `LocalAuthorityTimeout` (facts §7.1). */
export function selectTimeoutStrategy(gateSubmitted: boolean): TimeoutStrategy {
  return gateSubmitted ? GATE_COORDINATED : LOCAL_AUTHORITY;
}

export class ManagerJobTimeouts {
  readonly config: TimeoutConfig;
  private readonly clock: Clock;
  private readonly identity: ManagerIdentity;
  private readonly jobs = new Map<string, ManagerJobEntry>();
  private readonly counters: ManagerTimeoutMetrics = {
    timeoutsByReason: { overall: 0, stuck: 0, 'datacenter-timeout': 0, 'gate-unreachable': 0 },
    extensionsGranted: 0,
    extensionsDenied: 0,
    staleGlobalTimeoutsRejected: 0,
    jobsRefusedAtCapacity: 0,
  };

  constructor(options: ManagerJobTimeoutsOptions) {
    this.clock = options.clock;
    this.identity = options.identity;
    this.config = resolveTimeoutConfig(options.config);
  }

  get size(): number {
    return this.jobs.size;
  }

  /** Read-only view of a job's tracking state (tests, admin endpoints). */
  stateOf(jobId: string): Readonly<TimeoutTrackingState> | undefined {
    return this.jobs.get(jobId)?.state;
  }

  metrics(): ManagerTimeoutMetrics {
    return { ...this.counters, timeoutsByReason: { ...this.counters.timeoutsByReason } };
  }

  startTracking(input: StartTrackingInput): StartTrackingResult {
    const problem = validateStart(input);
    if (problem !== null) return { ok: false, error: 'invalid-input', detail: problem };
    if (this.jobs.has(input.jobId))
      return { ok: false, error: 'duplicate', detail: `job ${input.jobId} is already tracked` };
    if (!this.makeRoom()) {
      this.counters.jobsRefusedAtCapacity++;
      return {
        ok: false,
        error: 'capacity',
        detail: `tracking ${this.jobs.size} jobs (max ${this.config.maxTrackedJobs}), none terminal`,
      };
    }
    const strategy = selectTimeoutStrategy(input.gate !== undefined);
    const state = createTrackingState({
      jobId: input.jobId,
      strategy: strategy.kind,
      gateAddr: input.gate?.addr ?? null,
      now: this.clock.now(),
      timeoutMs: input.timeoutMs,
      stuckThresholdMs: input.stuckThresholdMs ?? this.config.stuckThresholdMs,
      fenceToken: input.initialFenceToken ?? 0n,
      gateFenceToken: input.gate === undefined ? 0n : composeFenceToken(input.gate.leaseToken, 0n),
      workflowsTotal: input.workflowsTotal ?? 0,
    });
    this.jobs.set(input.jobId, { state, strategy, extensions: new ExtensionLedger(this.config) });
    return { ok: true, strategy: strategy.kind };
  }

  /** Workflow progress (an AD-33 transition or items completed); optionally new counts. */
  recordProgress(jobId: string, counts: WorkflowCounts = {}): boolean {
    const entry = this.jobs.get(jobId);
    if (entry === undefined || entry.state.finalStatus !== null) return false;
    const { state } = entry;
    state.lastProgressAt = this.clock.now();
    if (counts.workflowsTotal !== undefined) state.workflowsTotal = counts.workflowsTotal;
    if (counts.workflowsCompleted !== undefined) state.workflowsCompleted = counts.workflowsCompleted;
    if (counts.workflowsFailed !== undefined) state.workflowsFailed = counts.workflowsFailed;
    return true;
  }

  /** AD-26: a worker of this job asks for more time. A grant extends the job deadline and counts as progress. */
  requestExtension(jobId: string, request: ExtensionRequest): ExtensionReply {
    const entry = this.jobs.get(jobId);
    if (entry === undefined || entry.state.finalStatus !== null) {
      this.counters.extensionsDenied++;
      return {
        granted: false,
        extensionMs: 0,
        newDeadline: null,
        remainingExtensions: 0,
        denialReason: entry === undefined ? 'unknown-job' : 'job-finished',
        isExhaustionWarning: false,
        inGracePeriod: false,
        gracePeriodRemainingMs: 0,
      };
    }
    const now = this.clock.now();
    const reply = entry.extensions.request(request, now);
    if (!reply.granted) {
      this.counters.extensionsDenied++;
      return reply;
    }
    this.counters.extensionsGranted++;
    const { state } = entry;
    state.totalExtensionsGrantedMs += reply.extensionMs;
    state.maxWorkerExtensionMs = Math.max(state.maxWorkerExtensionMs, reply.extensionMs);
    state.lastExtensionAt = now;
    state.lastProgressAt = now;
    state.progressReportDue = true;
    if (state.workersWithExtensions.size < this.config.maxWorkersPerJob)
      state.workersWithExtensions.add(request.workerId);
    return reply;
  }

  /** The worker answers health checks normally again: its extension budget starts over. */
  workerRecovered(jobId: string, workerId: string): void {
    const entry = this.jobs.get(jobId);
    if (entry === undefined) return;
    entry.extensions.recovered(workerId);
    entry.state.workersWithExtensions.delete(workerId);
  }

  /** The worker left the job (died, evicted, finished its share). */
  workerRemoved(jobId: string, workerId: string): void {
    const entry = this.jobs.get(jobId);
    if (entry === undefined) return;
    entry.extensions.forget(workerId);
    entry.state.workersWithExtensions.delete(workerId);
  }

  /** The gate answered one of our messages: it is reachable, and acked sends stop repeating. */
  gateAcknowledged(jobId: string, kind: GateAckKind): void {
    const entry = this.jobs.get(jobId);
    if (entry === undefined || entry.state.strategy !== 'gate-coordinated') return;
    const { state } = entry;
    state.lastGateContactAt = this.clock.now();
    if (kind === 'timeout-report' && state.locallyTimedOut) state.timeoutReportAcked = true;
    if (kind === 'final-status' && state.finalStatus !== null) state.finalStatusAcked = true;
    if (kind === 'leader-transfer') state.leaderTransferPending = false;
  }

  /** The periodic check for every job; returns what the shell must do. */
  tick(): ManagerTimeoutEffect[] {
    const now = this.clock.now();
    const ctx = this.context(now);
    const effects: ManagerTimeoutEffect[] = [];
    const expired: string[] = [];
    for (const [jobId, entry] of this.jobs) {
      const { state } = entry;
      if (
        state.finalStatus !== null &&
        state.finalAt !== null &&
        now - state.finalAt >= this.config.terminalRetentionMs
      ) {
        expired.push(jobId);
        continue;
      }
      const result = entry.strategy.check(state, ctx);
      effects.push(...result.effects);
      if (result.timeOut !== null) {
        effects.push(...this.finalize(entry, 'timeout', result.timeOut.reason, result.timeOut.detail, now));
        continue;
      }
      if (state.finalStatus === null) {
        for (const workerId of entry.extensions.dueEvictions(now)) {
          state.workersWithExtensions.delete(workerId);
          effects.push({ kind: 'evict-worker', jobId, workerId });
        }
      }
    }
    for (const jobId of expired) this.jobs.delete(jobId);
    return effects;
  }

  /** The gate declared the job timed out everywhere (facts §7.1 "manager acceptance"). */
  receiveGlobalTimeout(message: JobGlobalTimeout): GlobalTimeoutResult {
    const entry = this.jobs.get(message.jobId);
    if (entry === undefined) return { outcome: 'rejected', reason: 'unknown-job', correction: null };
    const { state } = entry;
    if (state.strategy !== 'gate-coordinated')
      return { outcome: 'rejected', reason: 'not-gate-coordinated', correction: null };
    if (message.fenceToken < state.gateFenceToken) {
      this.counters.staleGlobalTimeoutsRejected++;
      return { outcome: 'rejected', reason: 'stale-fence', correction: this.correction(state) };
    }
    const now = this.clock.now();
    state.lastGateContactAt = now;
    if (state.finalStatus !== null) {
      const duplicate = state.globallyTimedOut && message.fenceToken === state.gateFenceToken;
      state.gateFenceToken = maxFence(state.gateFenceToken, message.fenceToken);
      if (duplicate) return { outcome: 'accepted', effects: [], duplicate: true };
      return { outcome: 'already-final', correction: this.correction(state) };
    }
    state.gateFenceToken = message.fenceToken;
    state.globallyTimedOut = true;
    const detail = `global timeout from gate: ${message.detail}`;
    return {
      outcome: 'accepted',
      effects: this.finalize(entry, 'timeout', message.reason, detail, now),
      duplicate: false,
    };
  }

  /** A new gate owns the job (`JobLeaderGateTransfer`); needs a strictly newer lease. */
  gateOwnerChanged(jobId: string, leaseToken: bigint, gateAddr?: string): boolean {
    const entry = this.jobs.get(jobId);
    if (entry === undefined || entry.state.strategy !== 'gate-coordinated') return false;
    const leaseFence = composeFenceToken(leaseToken, 0n);
    if (leaseFence <= entry.state.gateFenceToken) return false;
    entry.state.gateFenceToken = leaseFence;
    entry.state.lastGateContactAt = this.clock.now();
    if (gateAddr !== undefined && gateAddr.length > 0) entry.state.gateAddr = gateAddr;
    return true;
  }

  /** The job ended on its own; the first final status wins. */
  finishJob(jobId: string, status: JobTerminalStatus, reason?: TimeoutReason): FinishJobResult {
    const entry = this.jobs.get(jobId);
    if (entry === undefined) return { accepted: false, reason: 'unknown-job', finalStatus: null };
    if (entry.state.finalStatus !== null)
      return { accepted: false, reason: 'already-final', finalStatus: entry.state.finalStatus };
    const now = this.clock.now();
    const timeoutReason = status === 'timeout' ? (reason ?? 'overall') : null;
    return { accepted: true, effects: this.finalize(entry, status, timeoutReason, `finished: ${status}`, now) };
  }

  /** Stops tracking (this manager no longer leads the job); idempotent. */
  stopTracking(jobId: string): boolean {
    return this.jobs.delete(jobId);
  }

  /** JSON-safe snapshot to replicate to peer managers. */
  exportState(jobId: string, wallNowMs: number | null = null): TimeoutTrackingSnapshot | undefined {
    const entry = this.jobs.get(jobId);
    return entry === undefined ? undefined : snapshotTrackingState(entry.state, this.clock.now(), wallNowMs);
  }

  /**
   * This manager became the job's leader: continue from the original start time with the timeout
   * fence bumped to `max(old + 1, fenceFloor)`, and (gate-coordinated) tell the gate.
   */
  resumeTracking(
    snapshot: TimeoutTrackingSnapshot,
    options: { fenceFloor?: FenceToken; wallNowMs?: number } = {},
  ): ResumeResult {
    const now = this.clock.now();
    let state: TimeoutTrackingState;
    try {
      state = restoreTrackingState(snapshot, {
        now,
        wallNowMs: options.wallNowMs,
        maxWallClockGapMs: this.config.maxWallClockGapMs,
      });
    } catch (error) {
      return { ok: false, error: 'invalid-snapshot', detail: error instanceof Error ? error.message : String(error) };
    }
    if (this.jobs.has(state.jobId))
      return { ok: false, error: 'duplicate', detail: `job ${state.jobId} is already tracked` };
    if (!this.makeRoom()) {
      this.counters.jobsRefusedAtCapacity++;
      return {
        ok: false,
        error: 'capacity',
        detail: `tracking ${this.jobs.size} jobs (max ${this.config.maxTrackedJobs})`,
      };
    }
    state.fenceToken = maxFence(state.fenceToken + 1n, options.fenceFloor ?? 0n);
    const entry: ManagerJobEntry = {
      state,
      strategy: selectTimeoutStrategy(state.strategy === 'gate-coordinated'),
      extensions: new ExtensionLedger(this.config),
    };
    this.jobs.set(state.jobId, entry);
    const effects: ManagerTimeoutEffect[] = [];
    if (state.strategy === 'gate-coordinated' && state.gateAddr !== null && state.finalStatus === null) {
      state.leaderTransferPending = true;
      state.lastLeaderTransferSentAt = now;
      effects.push({
        kind: 'send-leader-transfer',
        gateAddr: state.gateAddr,
        transfer: buildLeaderTransfer(state, this.context(now)),
      });
    }
    return { ok: true, fenceToken: state.fenceToken, effects };
  }

  private finalize(
    entry: ManagerJobEntry,
    status: JobTerminalStatus,
    reason: TimeoutReason | null,
    detail: string,
    now: number,
  ): ManagerTimeoutEffect[] {
    const { state } = entry;
    state.finalStatus = status;
    state.finalReason = reason;
    state.finalAt = now;
    const effects: ManagerTimeoutEffect[] = [];
    if (status === 'timeout' && reason !== null) {
      this.counters.timeoutsByReason[reason]++;
      effects.push({ kind: 'time-out-job', jobId: state.jobId, reason, detail });
    }
    if (state.strategy === 'gate-coordinated' && state.gateAddr !== null) {
      state.lastFinalStatusSentAt = now;
      effects.push({
        kind: 'send-final-status',
        gateAddr: state.gateAddr,
        status: buildFinalStatus(state, this.context(now)),
      });
    }
    return effects;
  }

  private correction(state: TimeoutTrackingState): JobStatusCorrection {
    const correction: JobStatusCorrection = {
      jobId: state.jobId,
      datacenter: this.identity.datacenter,
      managerId: this.identity.managerId,
      status: state.finalStatus ?? 'running',
      fenceToken: state.fenceToken,
      gateFenceToken: state.gateFenceToken,
    };
    if (state.finalReason !== null) correction.reason = state.finalReason;
    return correction;
  }

  /** Frees a slot if the cap is reached by dropping the oldest terminal job; false when none. */
  private makeRoom(): boolean {
    if (this.jobs.size < this.config.maxTrackedJobs) return true;
    let oldestId: string | null = null;
    let oldestAt = Number.POSITIVE_INFINITY;
    for (const [jobId, entry] of this.jobs) {
      const at = entry.state.finalAt;
      if (at !== null && at < oldestAt) {
        oldestAt = at;
        oldestId = jobId;
      }
    }
    if (oldestId === null) return false;
    this.jobs.delete(oldestId);
    return true;
  }

  private context(now: number): StrategyContext {
    return { now, config: this.config, identity: this.identity };
  }
}

function validateStart(input: StartTrackingInput): string | null {
  if (typeof input.jobId !== 'string' || input.jobId.length === 0) return 'jobId must be a non-empty string';
  if (!Number.isFinite(input.timeoutMs) || input.timeoutMs <= 0) return `timeoutMs must be > 0, got ${input.timeoutMs}`;
  if (
    input.stuckThresholdMs !== undefined &&
    !(Number.isFinite(input.stuckThresholdMs) && input.stuckThresholdMs > 0)
  ) {
    return `stuckThresholdMs must be > 0, got ${input.stuckThresholdMs}`;
  }
  if (input.gate !== undefined) {
    if (typeof input.gate.addr !== 'string' || input.gate.addr.length === 0)
      return 'gate.addr must be a non-empty string';
    if (input.gate.leaseToken < 0n) return 'gate.leaseToken must be >= 0';
  }
  if (input.initialFenceToken !== undefined && input.initialFenceToken < 0n) return 'initialFenceToken must be >= 0';
  if (input.workflowsTotal !== undefined && !(Number.isInteger(input.workflowsTotal) && input.workflowsTotal >= 0)) {
    return 'workflowsTotal must be an integer >= 0';
  }
  return null;
}
