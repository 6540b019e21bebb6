export { DEFAULT_JOB_CONFIG, type JobConfig } from './config.js';
export { type CoreAllocation, CoreAllocator } from './core-allocator.js';
export { DependencyPlan, type PlannedWorkflow, type WorkflowState } from './dependency-plan.js';
export { FenceGuard, FenceTokenIssuer, fenceToken, termOf } from './fence-token.js';
export { finishedJobsToForget } from './finished-retention.js';
export {
  type CoordinatedWorkflow,
  type JobCommand,
  JobCoordinator,
  type JobCoordinatorOptions,
  type JobOutcomeLocal,
  type ShareDispatch,
  type SubState,
  type WorkflowProgressView,
} from './job-coordinator.js';
export {
  DEFAULT_ORPHANED_SHARES_CONFIG,
  ORPHAN_GRACE_SETTING,
  OrphanedShares,
  type OrphanedSharesConfig,
} from './orphaned-shares.js';
export {
  lostShareDestinations,
  type ManagerLoss,
  SHARE_LOSS_REASONS,
  type ShareLossInput,
  type ShareLossReason,
  shareLoss,
} from './share-loss.js';
export { splitCoresAcrossWorkflows, splitProportionally, splitRate } from './shares.js';
export { globalOutcome, type JobOutcome } from './status-rules.js';
export { parseSubWorkflowId, type SubWorkflowIdParts, subWorkflowId } from './sub-workflow-id.js';
export { type PoolWorker, WorkerPool, type WorkerPoolOptions } from './worker-pool.js';
