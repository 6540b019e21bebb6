// Multi-DC jobs (submitted by a gate): the gate decides. The manager reports progress every
// interval, reports a DC-local timeout and repeats it until the gate acknowledges, and falls back
// to a local timeout only when the gate has stayed silent for the fallback window afterwards.
import type { JobFinalStatus, JobLeaderTransfer, JobProgressReport, JobTimeoutReport } from './messages.js';
import {
  detectLocalTimeout,
  isDue,
  type ManagerTimeoutEffect,
  type StrategyCheckResult,
  type StrategyContext,
  type TimeoutStrategy,
} from './timeout-strategy.js';
import type { TimeoutTrackingState } from './tracking-state.js';

export class GateCoordinatedTimeout implements TimeoutStrategy {
  readonly kind = 'gate-coordinated' as const;

  check(state: TimeoutTrackingState, ctx: StrategyContext): StrategyCheckResult {
    const gateAddr = state.gateAddr;
    const effects: ManagerTimeoutEffect[] = [];
    if (gateAddr === null) return { effects, timeOut: null };
    const { now, config } = ctx;

    if (state.finalStatus !== null) {
      if (!state.finalStatusAcked && isDue(state.lastFinalStatusSentAt, now, config.reportRetryIntervalMs)) {
        state.lastFinalStatusSentAt = now;
        effects.push({ kind: 'send-final-status', gateAddr, status: buildFinalStatus(state, ctx) });
      }
      return { effects, timeOut: null };
    }

    if (state.leaderTransferPending && isDue(state.lastLeaderTransferSentAt, now, config.reportRetryIntervalMs)) {
      state.lastLeaderTransferSentAt = now;
      effects.push({ kind: 'send-leader-transfer', gateAddr, transfer: buildLeaderTransfer(state, ctx) });
    }

    if (
      state.progressReportDue ||
      now - (state.lastProgressReportAt ?? state.startedAt) >= config.progressReportIntervalMs
    ) {
      state.lastProgressReportAt = now;
      state.progressReportDue = false;
      effects.push({ kind: 'send-progress-report', gateAddr, report: buildProgressReport(state, ctx) });
    }

    if (!state.locallyTimedOut) {
      const verdict = detectLocalTimeout(state, now);
      if (verdict !== null) {
        state.locallyTimedOut = true;
        state.localTimeoutAt = now;
        state.localTimeoutReason = verdict.reason;
        state.localTimeoutDetail = verdict.detail;
        state.timeoutReportAcked = false;
      }
    }

    if (
      state.locallyTimedOut &&
      !state.timeoutReportAcked &&
      isDue(state.lastTimeoutReportSentAt, now, config.reportRetryIntervalMs)
    ) {
      state.lastTimeoutReportSentAt = now;
      effects.push({ kind: 'send-timeout-report', gateAddr, report: buildTimeoutReport(state, ctx) });
    }

    if (state.locallyTimedOut && !state.globallyTimedOut && state.localTimeoutAt !== null) {
      const silentSince = Math.max(state.localTimeoutAt, state.lastGateContactAt);
      const silence = now - silentSince;
      if (silence > config.gateUnreachableFallbackMs) {
        return {
          effects,
          timeOut: {
            reason: 'gate-unreachable',
            detail: `gate ${gateAddr} silent for ${silence} ms after a local ${state.localTimeoutReason ?? 'timeout'} (fallback ${config.gateUnreachableFallbackMs} ms)`,
          },
        };
      }
    }
    return { effects, timeOut: null };
  }
}

export function buildProgressReport(state: TimeoutTrackingState, ctx: StrategyContext): JobProgressReport {
  return {
    jobId: state.jobId,
    datacenter: ctx.identity.datacenter,
    managerId: ctx.identity.managerId,
    managerHost: ctx.identity.host,
    managerPort: ctx.identity.port,
    workflowsTotal: state.workflowsTotal,
    workflowsCompleted: state.workflowsCompleted,
    workflowsFailed: state.workflowsFailed,
    hasRecentProgress: ctx.now - state.lastProgressAt < ctx.config.recentProgressWindowMs,
    timestampMs: ctx.now,
    fenceToken: state.fenceToken,
    totalExtensionsGrantedMs: state.totalExtensionsGrantedMs,
    maxWorkerExtensionMs: state.maxWorkerExtensionMs,
    workersWithExtensions: state.workersWithExtensions.size,
  };
}

export function buildTimeoutReport(state: TimeoutTrackingState, ctx: StrategyContext): JobTimeoutReport {
  return {
    jobId: state.jobId,
    datacenter: ctx.identity.datacenter,
    managerId: ctx.identity.managerId,
    managerHost: ctx.identity.host,
    managerPort: ctx.identity.port,
    reason: state.localTimeoutReason ?? 'overall',
    detail: state.localTimeoutDetail,
    elapsedMs: ctx.now - state.startedAt,
    fenceToken: state.fenceToken,
  };
}

export function buildLeaderTransfer(state: TimeoutTrackingState, ctx: StrategyContext): JobLeaderTransfer {
  return {
    jobId: state.jobId,
    datacenter: ctx.identity.datacenter,
    newLeaderId: ctx.identity.managerId,
    newLeaderHost: ctx.identity.host,
    newLeaderPort: ctx.identity.port,
    fenceToken: state.fenceToken,
  };
}

export function buildFinalStatus(state: TimeoutTrackingState, ctx: StrategyContext): JobFinalStatus {
  const status: JobFinalStatus = {
    jobId: state.jobId,
    datacenter: ctx.identity.datacenter,
    managerId: ctx.identity.managerId,
    status: state.finalStatus ?? 'failed',
    timestampMs: ctx.now,
    fenceToken: state.fenceToken,
  };
  if (state.finalReason !== null) status.reason = state.finalReason;
  return status;
}
