// @hyperscale/loadgen: job spec, executors, stats and thresholds. See README.md.
export { LOADGEN_DEFAULTS, SPEC_LIMITS } from './config.js';
export { formatDuration, parseDuration } from './duration.js';
export { createHistogram, decodeHistogram, encodeHistogram, type Histogram } from './histogram.js';
export { checkHistogramEncoding } from './histogram-encoding-check.js';
export { remainingShare } from './remaining-share.js';
export { JobSpecError, type SpecProblem } from './spec-error.js';
export {
  type ExecutorSpec,
  HTTP_METHODS,
  type HttpMethod,
  type HttpStepSpec,
  httpSteps,
  type JobSpec,
  type StepSpec,
  type ThinkTimeStepSpec,
  type WorkflowSpec,
} from './spec-types.js';
export { parseJobSpec, validateJobSpec } from './spec-validate.js';
export {
  deltaSince,
  emptyStats,
  emptyStepStats,
  mergeAll,
  mergeStats,
  type StatsSnapshot,
  type StepStats,
} from './stats.js';
export { type LatencySummary, type StatsSummary, type StepSummary, summarize } from './summary.js';
export {
  THRESHOLD_METRICS,
  type Threshold,
  type ThresholdAggregation,
  type ThresholdMetric,
  type ThresholdOperator,
  type ThresholdResult,
} from './threshold-types.js';
export {
  evaluateJobThresholds,
  evaluateThresholds,
  isThresholdMetric,
  parseThreshold,
  ThresholdSyntaxError,
} from './thresholds.js';
export { systemTimers, type Timers } from './timers.js';
export type { ExchangeHandler, HttpTransport, PreparedRequest } from './transport.js';
export { UndiciTransport, type UndiciTransportOptions } from './undici-transport.js';
export {
  RequestTimeoutError,
  runWorkflow,
  WorkflowRun,
  type WorkflowRunOptions,
  type WorkflowRunState,
} from './workflow-run.js';
export { workflowShare } from './workflow-share.js';
