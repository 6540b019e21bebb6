export { parseArgs, UsageError } from './cli/args.js';
export { type ClusterNode, LocalCluster, type LocalClusterOptions, type NodeRole } from './local-cluster.js';
export { fetchPools, renderPools } from './members.js';
export { ProgressView } from './progress-view.js';
export { followJob, type RunJobOptions, runJob } from './run-job.js';
export { HyperscaleClient, type HyperscaleClientOptions, type SubmitOptions } from './sdk.js';
export {
  EXIT_JOB_FAILED,
  EXIT_OK,
  EXIT_THRESHOLDS_FAILED,
  EXIT_USAGE,
  exitCodeOf,
  renderSummary,
  type StepRow,
  summaryRows,
} from './summary.js';
export { COUNT_PATH, startTargetServer, type TargetServer, type TargetServerOptions } from './target-server.js';
export {
  type DatacenterTopology,
  type NodePorts,
  parseTopology,
  type Topology,
  TopologyError,
  type WorkerNode,
} from './topology.js';
