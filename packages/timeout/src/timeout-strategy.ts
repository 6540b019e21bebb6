// The AD-34 strategy seam: a job submitted by a gate is judged by the gate (GateCoordinatedTimeout),
// any other job by its manager alone (LocalAuthorityTimeout). Both share the DC-local rules below.
import type { TimeoutConfig } from './config.js';
import type {
  JobFinalStatus,
  JobLeaderTransfer,
  JobProgressReport,
  JobTimeoutReport,
  TimeoutReason,
} from './messages.js';
import { effectiveTimeoutMs, type TimeoutStrategyKind, type TimeoutTrackingState } from './tracking-state.js';

/** Who this manager is; stamped on every report to the gate. */
export interface ManagerIdentity {
  datacenter: string;
  managerId: string;
  host: string;
  port: number;
}

/** What the manager shell must do after a call into this package. */
export type ManagerTimeoutEffect =
  | { kind: 'send-progress-report'; gateAddr: string; report: JobProgressReport }
  | { kind: 'send-timeout-report'; gateAddr: string; report: JobTimeoutReport }
  | { kind: 'send-leader-transfer'; gateAddr: string; transfer: JobLeaderTransfer }
  | { kind: 'send-final-status'; gateAddr: string; status: JobFinalStatus }
  | { kind: 'time-out-job'; jobId: string; reason: TimeoutReason; detail: string }
  | { kind: 'evict-worker'; jobId: string; workerId: string };

export interface StrategyContext {
  now: number;
  config: TimeoutConfig;
  identity: ManagerIdentity;
}

export interface LocalTimeoutVerdict {
  reason: TimeoutReason;
  detail: string;
}

export interface StrategyCheckResult {
  /** Messages to send now. */
  effects: ManagerTimeoutEffect[];
  /** Set when this check decides the job's final status is TIMEOUT. */
  timeOut: LocalTimeoutVerdict | null;
}

export interface TimeoutStrategy {
  readonly kind: TimeoutStrategyKind;
  /** Judges one job; idempotent, mutates only `state`. Never called for a job with a final status except to re-send it. */
  check(state: TimeoutTrackingState, ctx: StrategyContext): StrategyCheckResult;
}

/**
 * The DC-local rules (facts §7.1): overall = elapsed > timeout + extensions; stuck = no progress
 * for longer than the stuck threshold and no extension granted within it.
 */
export function detectLocalTimeout(state: TimeoutTrackingState, now: number): LocalTimeoutVerdict | null {
  const elapsed = now - state.startedAt;
  const effective = effectiveTimeoutMs(state);
  if (elapsed > effective) {
    return {
      reason: 'overall',
      detail: `elapsed ${elapsed} ms > ${effective} ms (timeout ${state.timeoutMs} ms + extensions ${state.totalExtensionsGrantedMs} ms)`,
    };
  }
  if (state.lastExtensionAt !== null && now - state.lastExtensionAt < state.stuckThresholdMs) return null;
  const sinceProgress = now - state.lastProgressAt;
  if (sinceProgress > state.stuckThresholdMs) {
    return {
      reason: 'stuck',
      detail: `no progress for ${sinceProgress} ms (threshold ${state.stuckThresholdMs} ms) and no extension granted within it`,
    };
  }
  return null;
}

/** True when `last` is null or at least `intervalMs` ago. */
export function isDue(last: number | null, now: number, intervalMs: number): boolean {
  return last === null || now - last >= intervalMs;
}
