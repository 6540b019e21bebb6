// Public surface of @hyperscale/backpressure. See README.md.
export {
  BackpressureLevel,
  type BackpressureSignal,
  type BackpressureSignalFields,
  levelFromProto,
  levelToProto,
  MAX_WIRE_DELAY_MS,
  NO_BACKPRESSURE,
  type SignalDelays,
  signalForLevel,
  signalFromProto,
  signalToProto,
} from './backpressure-signal.js';
export {
  BackpressureView,
  type BackpressureViewConfig,
  type DatacenterBackpressure,
  type ForwardDecision,
} from './backpressure-view.js';
export {
  type Classification,
  classifyRpc,
  classifySwim,
  isClassifiedRpc,
  normaliseMethodName,
  priorityOfRpc,
  RPC_CLASSIFICATION,
  SWIM_CLASSIFICATION,
  SWIM_MESSAGE_TYPES,
  type SwimMessageType,
  UNKNOWN_CLASS,
} from './classification.js';
export { BACKPRESSURE_DEFAULTS, type BackpressureDefaults } from './config.js';
export { FillLevelTracker, type LevelThresholds } from './fill-level.js';
export { type AdmissionResult, type InFlightLimits, InFlightTracker } from './in-flight-tracker.js';
export { LoadShedder, SHED_RETRY_AFTER_MS, type ShedDecision } from './load-shedder.js';
export { levelForOverload, managerSignal } from './manager-signal.js';
export { ALL_PRIORITIES, MessageClass, PRIORITY_OF_CLASS, Priority, priorityLabel } from './message-class.js';
export {
  BACKPRESSURE_METRICS,
  type BackpressureComponent,
  backpressureMetrics,
  type MetricSpec,
} from './metrics.js';
export {
  type OverloadConfig,
  OverloadDetector,
  type OverloadDiagnostics,
  OverloadState,
} from './overload-detector.js';
export { DEFAULT_LATENCY_FLOOR_MS, OverloadSampler, type ResourceSample } from './overload-sampler.js';
export {
  type RateLimitDecision,
  RateLimiter,
  type RateLimiterConfig,
  type RateLimitOperation,
} from './rate-limiter.js';
export { ReportWindow } from './report-window.js';
export {
  formatRetryAfter,
  parseRetryAfter,
  RateLimitRetryPolicy,
  RETRY_AFTER_METADATA_KEY,
  type RetryAfterConfig,
} from './retry-after-policy.js';
export { type RecordOutcome, type StatsAggregate, StatsBuffer, type StatsBufferConfig } from './stats-buffer.js';
export { type TakeResult, TokenBucket, type TokenBucketConfig } from './token-bucket.js';
export {
  type FlushCounters,
  type FlushDecision,
  type FlushMode,
  type OfferOutcome,
  type ProgressMessage,
  type WorkerFlushConfig,
  WorkerFlushPolicy,
  type WorkerUpdate,
  type WorkerUpdateKind,
} from './worker-flush-policy.js';
