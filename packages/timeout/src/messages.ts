// The AD-34 messages between managers and gates (facts §7.1) as plain interfaces. The lead maps
// them to protobuf; times are milliseconds, fence tokens bigints (uint64 on the wire).
import type { FenceToken } from './fence-token.js';

/** Why a job timed out, as users see it in WatchJob and the CLI summary. */
export type TimeoutReason = 'overall' | 'stuck' | 'datacenter-timeout' | 'gate-unreachable';

export const TIMEOUT_REASONS: readonly TimeoutReason[] = ['overall', 'stuck', 'datacenter-timeout', 'gate-unreachable'];

export type JobTerminalStatus = 'completed' | 'failed' | 'cancelled' | 'timeout';

/** Status a manager states in a correction: still running, or its one final status. */
export type JobReportedStatus = 'running' | JobTerminalStatus;

export function isTimeoutReason(value: unknown): value is TimeoutReason {
  return typeof value === 'string' && (TIMEOUT_REASONS as readonly string[]).includes(value);
}

/** Manager → gate every progress interval; loss tolerated. */
export interface JobProgressReport {
  jobId: string;
  datacenter: string;
  managerId: string;
  managerHost: string;
  managerPort: number;
  workflowsTotal: number;
  workflowsCompleted: number;
  workflowsFailed: number;
  hasRecentProgress: boolean;
  /** Sender's monotonic clock; informational only. */
  timestampMs: number;
  /** The manager's timeout fence for this job. */
  fenceToken: FenceToken;
  totalExtensionsGrantedMs: number;
  maxWorkerExtensionMs: number;
  workersWithExtensions: number;
}

/** Manager → gate once the DC-local deadline passed or the job is stuck; re-sent until acked. */
export interface JobTimeoutReport {
  jobId: string;
  datacenter: string;
  managerId: string;
  managerHost: string;
  managerPort: number;
  reason: TimeoutReason;
  detail: string;
  elapsedMs: number;
  fenceToken: FenceToken;
}

/** Gate → every target DC's job leader: the job timed out everywhere. */
export interface JobGlobalTimeout {
  jobId: string;
  reason: TimeoutReason;
  detail: string;
  /** Gate's monotonic clock at the decision; informational only. */
  timedOutAtMs: number;
  /** `composeFenceToken(gateLeaseToken, decisionCounter)`. */
  fenceToken: FenceToken;
}

/** New job leader → gate after a failover (carries the bumped timeout fence). */
export interface JobLeaderTransfer {
  jobId: string;
  datacenter: string;
  newLeaderId: string;
  newLeaderHost: string;
  newLeaderPort: number;
  fenceToken: FenceToken;
}

/** Manager → gate: this DC's one final status for the job; lets the gate clean up. */
export interface JobFinalStatus {
  jobId: string;
  datacenter: string;
  managerId: string;
  status: JobTerminalStatus;
  reason?: TimeoutReason;
  timestampMs: number;
  fenceToken: FenceToken;
}

/** Manager's answer to a `JobGlobalTimeout` it will not act on: what it really knows. */
export interface JobStatusCorrection {
  jobId: string;
  datacenter: string;
  managerId: string;
  status: JobReportedStatus;
  reason?: TimeoutReason;
  /** The manager's timeout fence. */
  fenceToken: FenceToken;
  /** Highest gate fence the manager has seen for this job. */
  gateFenceToken: FenceToken;
}
