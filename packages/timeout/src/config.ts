// The one place where the timeout package's numbers live, each with where it comes from.
// facts = shared/reference/hyperscale-design-facts.md (what the original system does).

export type DatacenterTimeoutQuorum = 'any' | 'majority';

export interface TimeoutConfig {
  /** How often the manager shell calls `ManagerJobTimeouts.tick()`. Ours: 5 s, see README "Tick cadence" (facts §7.1 had 30 s, which starved the 10 s reports). */
  managerTickIntervalMs: number;
  /** Job without workflow progress and without a granted extension for this long is stuck. facts §7.1: 120 s. */
  stuckThresholdMs: number;
  /** Manager → gate `JobProgressReport` period. facts §7.1: 10 s. */
  progressReportIntervalMs: number;
  /** `has_recent_progress` = progress within this window. facts §7.1: 10 s. */
  recentProgressWindowMs: number;
  /** Unacknowledged `JobTimeoutReport` / `JobLeaderTransfer` / `JobFinalStatus` re-sent this often. Ours: the 5 s gate send timeout (facts §7.1). */
  reportRetryIntervalMs: number;
  /** Local timeout after this much gate silence following a reported local timeout. facts §7.1: 300 s. */
  gateUnreachableFallbackMs: number;
  /** How often the gate shell calls `GateJobTimeoutTracker.check()`. facts §7.1: 15 s. */
  gateCheckIntervalMs: number;
  /**
   * The gate's own overall rule waits this much past timeout + largest reported extension, so an
   * extension granted just before the deadline reaches it in a progress report first (the
   * "extension race"); reachable DCs report their exact local deadline themselves. Ours:
   * progress report interval + manager tick = 15 s.
   */
  gateOverallSlackMs: number;
  /** Every running DC without progress for this long ⇒ global timeout. facts §7.1: 180 s. */
  allDatacentersStuckMs: number;
  /** Which share of target DCs must report a local timeout. Doc: any; code: majority (facts §7.1). Ours: any, see README. */
  dcTimeoutQuorum: DatacenterTimeoutQuorum;
  /** Deadline of one `JobGlobalTimeout` send (for the shell). facts §7.1: 5 s. */
  globalTimeoutSendTimeoutMs: number;
  /** After a global timeout, a DC silent this long gets a synthetic TIMEOUT final status. facts §1.5 GATE_WORKFLOW_RESULT_TIMEOUT_SECONDS: 300 s. */
  finalStatusWaitMs: number;
  /** AD-26 base deadline from which grants halve. facts §6 row 26: 30 s. */
  extensionBaseMs: number;
  /** First grant = base / divisor, then halving. Impl 2 (15 s), doc 1 (30 s); ours 2, see README. */
  extensionFirstGrantDivisor: number;
  /** Smallest grant. facts §6 row 26: 1 s. */
  extensionMinGrantMs: number;
  /** Grants per worker. facts §6 row 26: 5. */
  maxExtensions: number;
  /** Time between the last exhausted deadline and eviction. facts §6 row 26: 10 s. */
  extensionGracePeriodMs: number;
  /** Warn when this many grants or fewer remain. facts §6 row 26: ≤ 1. */
  extensionWarningThreshold: number;
  /** Terminal jobs/workflows kept this long (to answer late messages). facts §6 misc: completed jobs kept 300 s. */
  terminalRetentionMs: number;
  /** Wall-clock gap added on resume is capped here (bounds clock-skew damage). Ours: 10 min. */
  maxWallClockGapMs: number;
  /** Jobs tracked by one manager or one gate. Ours: 10 000 (facts §3.7 caps concurrent job groups at 10 000). */
  maxTrackedJobs: number;
  /** Workers with extension state per job. Ours: 1 024. */
  maxWorkersPerJob: number;
  /** Workflows held by one `WorkflowLifecycle`. Ours: 100 000. */
  maxWorkflows: number;
}

export const TIMEOUT_DEFAULTS: Readonly<TimeoutConfig> = Object.freeze({
  managerTickIntervalMs: 5_000,
  stuckThresholdMs: 120_000,
  progressReportIntervalMs: 10_000,
  recentProgressWindowMs: 10_000,
  reportRetryIntervalMs: 5_000,
  gateUnreachableFallbackMs: 300_000,
  gateCheckIntervalMs: 15_000,
  gateOverallSlackMs: 15_000,
  allDatacentersStuckMs: 180_000,
  dcTimeoutQuorum: 'any',
  globalTimeoutSendTimeoutMs: 5_000,
  finalStatusWaitMs: 300_000,
  extensionBaseMs: 30_000,
  extensionFirstGrantDivisor: 2,
  extensionMinGrantMs: 1_000,
  maxExtensions: 5,
  extensionGracePeriodMs: 10_000,
  extensionWarningThreshold: 1,
  terminalRetentionMs: 300_000,
  maxWallClockGapMs: 600_000,
  maxTrackedJobs: 10_000,
  maxWorkersPerJob: 1_024,
  maxWorkflows: 100_000,
});

/** Merges overrides into the defaults and refuses values that would break the algorithms. */
export function resolveTimeoutConfig(overrides: Partial<TimeoutConfig> = {}): TimeoutConfig {
  const config: TimeoutConfig = { ...TIMEOUT_DEFAULTS, ...overrides };
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === 'number' && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`timeout config: ${key} must be a finite number >= 0, got ${value}`);
    }
  }
  if (config.extensionFirstGrantDivisor < 1) {
    throw new RangeError(
      `timeout config: extensionFirstGrantDivisor must be >= 1, got ${config.extensionFirstGrantDivisor}`,
    );
  }
  if (config.maxTrackedJobs < 1 || config.maxWorkersPerJob < 1 || config.maxWorkflows < 1) {
    throw new RangeError('timeout config: maxTrackedJobs, maxWorkersPerJob and maxWorkflows must be >= 1');
  }
  if (config.dcTimeoutQuorum !== 'any' && config.dcTimeoutQuorum !== 'majority') {
    throw new RangeError(
      `timeout config: dcTimeoutQuorum must be 'any' or 'majority', got ${String(config.dcTimeoutQuorum)}`,
    );
  }
  return config;
}
