export { coordinateIsMature } from './bootstrap.js';
export type { CircuitState, DatacenterInput, ManagerInput } from './candidate.js';
export {
  type DemotionReason,
  type ExclusionReason,
  filterDatacenter,
  type ManagerExclusionReason,
  managerExclusion,
} from './candidate-filter.js';
export { DEFAULT_ROUTING_CONFIG, type RoutingConfig, resolveRoutingConfig } from './config.js';
export { type DistanceEstimate, type DistanceEstimator, NO_DISTANCE } from './distance.js';
export { buildFallbackChain, type FallbackChain } from './fallback-chain.js';
export {
  type DatacenterView,
  describeNoEligible,
  evaluateCandidates,
  GateJobRouter,
  type GateJobRouterOptions,
  type RouteJobOptions,
} from './gate-job-router.js';
export { bucketRank, type HealthBucket, ROUTABLE_BUCKETS, worseBucket } from './health-bucket.js';
export { classifyDatacenterHealth, type DatacenterHealthSignals, HEALTH_THRESHOLDS } from './health-classifier.js';
export { evaluateSwitch, type HysteresisInput, type HysteresisVerdict } from './hysteresis.js';
export { JobRoutingState, JobRoutingStateStore, MAX_DATACENTERS_PER_JOB } from './job-routing-state.js';
export { type ManagerRanking, type ManagerReport, rankManagers } from './manager-selector.js';
export { MaturityLatch, type MaturityLatchOptions } from './maturity-latch.js';
export { type MemberDistanceOptions, memberDistanceEstimator } from './member-distance.js';
export { ROUTING_METRIC_NAMES, RoutingMetrics, type RoutingMetricsSnapshot } from './metrics.js';
export {
  blendObserved,
  DEFAULT_OBSERVED_LATENCY_CONFIG,
  ObservedLatency,
  type ObservedLatencyConfig,
  type ObservedLatencyEstimate,
} from './observed-latency.js';
export {
  type CandidateReport,
  type CandidateRole,
  type RoutingDecision,
  type RoutingReason,
  routingDecisionLogFields,
  SWITCH_REASONS,
} from './routing-decision.js';
export { loadFactor, qualityPenalty, queuePressure, utilization } from './scorer.js';
export { rendezvousHash } from './tie-break.js';
export { type VivaldiDistanceOptions, vivaldiDistanceEstimator } from './vivaldi-distance.js';
