// @hyperscale/timeout: adaptive job timeouts (AD-34), extensions (AD-26), workflow lifecycle (AD-33).
export { type DatacenterTimeoutQuorum, resolveTimeoutConfig, TIMEOUT_DEFAULTS, type TimeoutConfig } from './config.js';
export {
  type ExtensionDenialReason,
  ExtensionLedger,
  type ExtensionReply,
  type ExtensionRequest,
  extensionGrantMs,
} from './extension-tracker.js';
export {
  composeFenceToken,
  type FenceToken,
  fenceCounter,
  fenceEpoch,
  maxFence,
  nextFenceToken,
  parseFenceToken,
} from './fence-token.js';
export { GateCoordinatedTimeout } from './gate-coordinated-timeout.js';
export {
  combineDatacenterStatuses,
  GateJobTimeoutTracker,
  type GateJobTimeoutTrackerOptions,
  type GateJobView,
  type GateStartTrackingInput,
  type GateStartTrackingResult,
  type GateTimeoutEffect,
  type GateTimeoutMetrics,
  type GlobalTimeoutTarget,
  type ReportRejection,
  type ReportVerdict,
} from './gate-job-timeout-tracker.js';
export { LocalAuthorityTimeout } from './local-authority-timeout.js';
export {
  type FinishJobResult,
  type GateAckKind,
  type GlobalTimeoutResult,
  ManagerJobTimeouts,
  type ManagerJobTimeoutsOptions,
  type ManagerTimeoutMetrics,
  type ResumeResult,
  type StartTrackingInput,
  type StartTrackingResult,
  selectTimeoutStrategy,
  type WorkflowCounts,
} from './manager-job-timeouts.js';
export {
  isTimeoutReason,
  type JobFinalStatus,
  type JobGlobalTimeout,
  type JobLeaderTransfer,
  type JobProgressReport,
  type JobReportedStatus,
  type JobStatusCorrection,
  type JobTerminalStatus,
  type JobTimeoutReport,
  TIMEOUT_REASONS,
  type TimeoutReason,
} from './messages.js';
export {
  detectLocalTimeout,
  type LocalTimeoutVerdict,
  type ManagerIdentity,
  type ManagerTimeoutEffect,
  type StrategyCheckResult,
  type StrategyContext,
  type TimeoutStrategy,
} from './timeout-strategy.js';
export {
  createTrackingState,
  effectiveTimeoutMs,
  restoreTrackingState,
  snapshotTrackingState,
  type TimeoutStrategyKind,
  type TimeoutTrackingSnapshot,
  type TimeoutTrackingState,
} from './tracking-state.js';
export {
  isTerminalWorkflowState,
  type StuckWorkflow,
  type TransitionResult,
  WORKFLOW_TRANSITIONS,
  WorkflowLifecycle,
  type WorkflowLifecycleOptions,
  type WorkflowLifecycleState,
  type WorkflowProgressCallback,
  type WorkflowProgressEvent,
} from './workflow-lifecycle.js';
