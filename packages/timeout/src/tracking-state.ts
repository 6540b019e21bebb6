// TimeoutTrackingState: everything AD-34 needs to judge one job, kept in the job record so a new
// job leader can continue where the old one stopped (facts §3.6, §7.1). In memory it holds
// monotonic times of the owning process; the snapshot holds ages instead, because two processes'
// monotonic clocks cannot be compared, and fence tokens as decimal strings, so it is plain JSON.
import { type FenceToken, parseFenceToken } from './fence-token.js';
import { isTimeoutReason, type JobTerminalStatus, type TimeoutReason } from './messages.js';

export type TimeoutStrategyKind = 'local-authority' | 'gate-coordinated';

export interface TimeoutTrackingState {
  jobId: string;
  strategy: TimeoutStrategyKind;
  /** Address of the gate that submitted the job (gate-coordinated only). */
  gateAddr: string | null;
  /** Fixed at acceptance; a resume keeps it. */
  startedAt: number;
  lastProgressAt: number;
  /** Last `JobProgressReport` sent to the gate. */
  lastProgressReportAt: number | null;
  /** Send a progress report at the next check regardless of the interval (a new extension). */
  progressReportDue: boolean;
  timeoutMs: number;
  stuckThresholdMs: number;
  totalExtensionsGrantedMs: number;
  maxWorkerExtensionMs: number;
  lastExtensionAt: number | null;
  workersWithExtensions: Set<string>;
  workflowsTotal: number;
  workflowsCompleted: number;
  workflowsFailed: number;
  /** The DC-local deadline or stuck rule fired (gate-coordinated: reported, awaiting the gate). */
  locallyTimedOut: boolean;
  localTimeoutAt: number | null;
  localTimeoutReason: TimeoutReason | null;
  localTimeoutDetail: string;
  timeoutReportAcked: boolean;
  lastTimeoutReportSentAt: number | null;
  /** Last time the gate answered anything (ack or message). */
  lastGateContactAt: number;
  globallyTimedOut: boolean;
  /** Manager timeout fence: +1 (at least) per resume. */
  fenceToken: FenceToken;
  /** Highest gate fence seen (lease epoch << 32 | decision counter). */
  gateFenceToken: FenceToken;
  leaderTransferPending: boolean;
  lastLeaderTransferSentAt: number | null;
  /** The job's one final status, once decided. */
  finalStatus: JobTerminalStatus | null;
  finalReason: TimeoutReason | null;
  finalAt: number | null;
  finalStatusAcked: boolean;
  lastFinalStatusSentAt: number | null;
}

/** JSON-safe form: ages in ms relative to `exportedAt`, fences as decimal strings. */
export interface TimeoutTrackingSnapshot {
  version: 1;
  jobId: string;
  strategy: TimeoutStrategyKind;
  gateAddr: string | null;
  /** Wall-clock ms at export, when the exporter knew it; lets the resumer add the failover gap. */
  exportedAtWallMs: number | null;
  startedAgoMs: number;
  lastProgressAgoMs: number;
  lastProgressReportAgoMs: number | null;
  timeoutMs: number;
  stuckThresholdMs: number;
  totalExtensionsGrantedMs: number;
  maxWorkerExtensionMs: number;
  lastExtensionAgoMs: number | null;
  workersWithExtensions: string[];
  workflowsTotal: number;
  workflowsCompleted: number;
  workflowsFailed: number;
  locallyTimedOut: boolean;
  localTimeoutAgoMs: number | null;
  localTimeoutReason: TimeoutReason | null;
  localTimeoutDetail: string;
  timeoutReportAcked: boolean;
  lastGateContactAgoMs: number;
  globallyTimedOut: boolean;
  fenceToken: string;
  gateFenceToken: string;
  finalStatus: JobTerminalStatus | null;
  finalReason: TimeoutReason | null;
  finalAgoMs: number | null;
  finalStatusAcked: boolean;
}

export interface NewTrackingStateInput {
  jobId: string;
  strategy: TimeoutStrategyKind;
  gateAddr: string | null;
  now: number;
  timeoutMs: number;
  stuckThresholdMs: number;
  fenceToken: FenceToken;
  gateFenceToken: FenceToken;
  workflowsTotal: number;
}

export function createTrackingState(input: NewTrackingStateInput): TimeoutTrackingState {
  return {
    jobId: input.jobId,
    strategy: input.strategy,
    gateAddr: input.gateAddr,
    startedAt: input.now,
    lastProgressAt: input.now,
    lastProgressReportAt: null,
    progressReportDue: false,
    timeoutMs: input.timeoutMs,
    stuckThresholdMs: input.stuckThresholdMs,
    totalExtensionsGrantedMs: 0,
    maxWorkerExtensionMs: 0,
    lastExtensionAt: null,
    workersWithExtensions: new Set(),
    workflowsTotal: input.workflowsTotal,
    workflowsCompleted: 0,
    workflowsFailed: 0,
    locallyTimedOut: false,
    localTimeoutAt: null,
    localTimeoutReason: null,
    localTimeoutDetail: '',
    timeoutReportAcked: false,
    lastTimeoutReportSentAt: null,
    lastGateContactAt: input.now,
    globallyTimedOut: false,
    fenceToken: input.fenceToken,
    gateFenceToken: input.gateFenceToken,
    leaderTransferPending: false,
    lastLeaderTransferSentAt: null,
    finalStatus: null,
    finalReason: null,
    finalAt: null,
    finalStatusAcked: false,
    lastFinalStatusSentAt: null,
  };
}

/** The deadline the overall rule uses: timeout plus every extension granted (facts §7.1). */
export function effectiveTimeoutMs(state: TimeoutTrackingState): number {
  return state.timeoutMs + state.totalExtensionsGrantedMs;
}

function ago(now: number, at: number | null): number | null {
  return at === null ? null : Math.max(0, now - at);
}

export function snapshotTrackingState(
  state: TimeoutTrackingState,
  now: number,
  wallNowMs: number | null = null,
): TimeoutTrackingSnapshot {
  return {
    version: 1,
    jobId: state.jobId,
    strategy: state.strategy,
    gateAddr: state.gateAddr,
    exportedAtWallMs: wallNowMs,
    startedAgoMs: Math.max(0, now - state.startedAt),
    lastProgressAgoMs: Math.max(0, now - state.lastProgressAt),
    lastProgressReportAgoMs: ago(now, state.lastProgressReportAt),
    timeoutMs: state.timeoutMs,
    stuckThresholdMs: state.stuckThresholdMs,
    totalExtensionsGrantedMs: state.totalExtensionsGrantedMs,
    maxWorkerExtensionMs: state.maxWorkerExtensionMs,
    lastExtensionAgoMs: ago(now, state.lastExtensionAt),
    workersWithExtensions: [...state.workersWithExtensions],
    workflowsTotal: state.workflowsTotal,
    workflowsCompleted: state.workflowsCompleted,
    workflowsFailed: state.workflowsFailed,
    locallyTimedOut: state.locallyTimedOut,
    localTimeoutAgoMs: ago(now, state.localTimeoutAt),
    localTimeoutReason: state.localTimeoutReason,
    localTimeoutDetail: state.localTimeoutDetail,
    timeoutReportAcked: state.timeoutReportAcked,
    lastGateContactAgoMs: Math.max(0, now - state.lastGateContactAt),
    globallyTimedOut: state.globallyTimedOut,
    fenceToken: state.fenceToken.toString(),
    gateFenceToken: state.gateFenceToken.toString(),
    finalStatus: state.finalStatus,
    finalReason: state.finalReason,
    finalAgoMs: ago(now, state.finalAt),
    finalStatusAcked: state.finalStatusAcked,
  };
}

export interface RestoreOptions {
  now: number;
  /** Wall-clock ms now; with the snapshot's `exportedAtWallMs` the failover gap is counted. */
  wallNowMs?: number | undefined;
  /** Upper bound of the counted gap (clock-skew guard). */
  maxWallClockGapMs: number;
}

/**
 * Rebuilds the in-memory state on this process's clock. Throws a RangeError naming the field when
 * the snapshot is malformed, so a corrupt replica never yields a half-valid job.
 */
export function restoreTrackingState(snapshot: TimeoutTrackingSnapshot, options: RestoreOptions): TimeoutTrackingState {
  validateSnapshot(snapshot);
  let gap = 0;
  if (snapshot.exportedAtWallMs !== null && options.wallNowMs !== undefined) {
    gap = Math.min(Math.max(0, options.wallNowMs - snapshot.exportedAtWallMs), options.maxWallClockGapMs);
  }
  const at = (agoMs: number): number => options.now - agoMs - gap;
  const atOrNull = (agoMs: number | null): number | null => (agoMs === null ? null : at(agoMs));
  return {
    jobId: snapshot.jobId,
    strategy: snapshot.strategy,
    gateAddr: snapshot.gateAddr,
    startedAt: at(snapshot.startedAgoMs),
    lastProgressAt: at(snapshot.lastProgressAgoMs),
    lastProgressReportAt: atOrNull(snapshot.lastProgressReportAgoMs),
    progressReportDue: true,
    timeoutMs: snapshot.timeoutMs,
    stuckThresholdMs: snapshot.stuckThresholdMs,
    totalExtensionsGrantedMs: snapshot.totalExtensionsGrantedMs,
    maxWorkerExtensionMs: snapshot.maxWorkerExtensionMs,
    lastExtensionAt: atOrNull(snapshot.lastExtensionAgoMs),
    workersWithExtensions: new Set(snapshot.workersWithExtensions),
    workflowsTotal: snapshot.workflowsTotal,
    workflowsCompleted: snapshot.workflowsCompleted,
    workflowsFailed: snapshot.workflowsFailed,
    locallyTimedOut: snapshot.locallyTimedOut,
    localTimeoutAt: atOrNull(snapshot.localTimeoutAgoMs),
    localTimeoutReason: snapshot.localTimeoutReason,
    localTimeoutDetail: snapshot.localTimeoutDetail,
    timeoutReportAcked: snapshot.timeoutReportAcked,
    lastTimeoutReportSentAt: null,
    lastGateContactAt: at(snapshot.lastGateContactAgoMs),
    globallyTimedOut: snapshot.globallyTimedOut,
    fenceToken: parseFenceToken(snapshot.fenceToken),
    gateFenceToken: parseFenceToken(snapshot.gateFenceToken),
    leaderTransferPending: false,
    lastLeaderTransferSentAt: null,
    finalStatus: snapshot.finalStatus,
    finalReason: snapshot.finalReason,
    finalAt: atOrNull(snapshot.finalAgoMs),
    finalStatusAcked: snapshot.finalStatusAcked,
    lastFinalStatusSentAt: null,
  };
}

const TERMINAL: readonly string[] = ['completed', 'failed', 'cancelled', 'timeout'];

function validateSnapshot(s: TimeoutTrackingSnapshot): void {
  const fail = (field: string): never => {
    throw new RangeError(`timeout tracking snapshot: bad ${field}`);
  };
  if (s.version !== 1) fail('version');
  if (typeof s.jobId !== 'string' || s.jobId.length === 0) fail('jobId');
  if (s.strategy !== 'local-authority' && s.strategy !== 'gate-coordinated') fail('strategy');
  if (s.strategy === 'gate-coordinated' && typeof s.gateAddr !== 'string') fail('gateAddr');
  const durations: [string, number | null][] = [
    ['startedAgoMs', s.startedAgoMs],
    ['lastProgressAgoMs', s.lastProgressAgoMs],
    ['lastProgressReportAgoMs', s.lastProgressReportAgoMs],
    ['timeoutMs', s.timeoutMs],
    ['stuckThresholdMs', s.stuckThresholdMs],
    ['totalExtensionsGrantedMs', s.totalExtensionsGrantedMs],
    ['maxWorkerExtensionMs', s.maxWorkerExtensionMs],
    ['lastExtensionAgoMs', s.lastExtensionAgoMs],
    ['localTimeoutAgoMs', s.localTimeoutAgoMs],
    ['lastGateContactAgoMs', s.lastGateContactAgoMs],
    ['finalAgoMs', s.finalAgoMs],
    ['workflowsTotal', s.workflowsTotal],
    ['workflowsCompleted', s.workflowsCompleted],
    ['workflowsFailed', s.workflowsFailed],
  ];
  for (const [name, value] of durations) {
    if (
      value === null &&
      name.endsWith('AgoMs') &&
      name !== 'startedAgoMs' &&
      name !== 'lastProgressAgoMs' &&
      name !== 'lastGateContactAgoMs'
    )
      continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(name);
  }
  if (s.exportedAtWallMs !== null && (typeof s.exportedAtWallMs !== 'number' || !Number.isFinite(s.exportedAtWallMs))) {
    fail('exportedAtWallMs');
  }
  if (!Array.isArray(s.workersWithExtensions) || s.workersWithExtensions.some((w) => typeof w !== 'string')) {
    fail('workersWithExtensions');
  }
  if (s.localTimeoutReason !== null && !isTimeoutReason(s.localTimeoutReason)) fail('localTimeoutReason');
  if (s.finalReason !== null && !isTimeoutReason(s.finalReason)) fail('finalReason');
  if (s.finalStatus !== null && !TERMINAL.includes(s.finalStatus)) fail('finalStatus');
  if (typeof s.fenceToken !== 'string' || !/^\d{1,40}$/.test(s.fenceToken)) fail('fenceToken');
  if (typeof s.gateFenceToken !== 'string' || !/^\d{1,40}$/.test(s.gateFenceToken)) fail('gateFenceToken');
}
