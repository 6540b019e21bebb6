// Every tunable number of the router in one place, each with where it comes from.
// "facts" = shared/reference/hyperscale-design-facts.md (what the original system runs).
import type { HealthBucket } from './health-bucket.js';

export interface RoutingConfig {
  // --- scoring (facts §7.3, AD-36 part 4) ---
  /** Weight of core utilisation in the load factor. facts §7.3 A_UTIL. */
  readonly utilizationWeight: number;
  /** Weight of the smoothed queue depth in the load factor. facts §7.3 A_QUEUE. */
  readonly queueWeight: number;
  /** Weight of circuit-breaker pressure in the load factor. facts §7.3 A_CB. */
  readonly circuitWeight: number;
  /** `queue = q / (q + queueSmoothing)`. facts §7.3 QUEUE_SMOOTHING. */
  readonly queueSmoothing: number;
  /** Cap of the load factor. facts §7.3 LOAD_FACTOR_MAX. */
  readonly loadFactorMax: number;
  /** Weight of (1 − quality) in the coordinate-quality penalty. facts §7.3 A_QUALITY. */
  readonly qualityWeight: number;
  /** Cap of the quality penalty. facts §7.3 QUALITY_PENALTY_MAX. */
  readonly qualityPenaltyMax: number;
  /** Score multiplier of a preferred datacenter, inside the primary bucket only. facts §7.3 PREFERENCE_MULT. */
  readonly preferenceMultiplier: number;
  /** Score weight per bucket. facts §5 "severity weight for routing: 1.0 / 1.5 / 3.0 / ∞". */
  readonly severityWeight: Readonly<Record<Exclude<HealthBucket, 'unhealthy'>, number>>;
  /** A HALF_OPEN circuit counts as this much pressure (OPEN = 1). facts §7.3 "cb = 0.5 when HALF_OPEN". */
  readonly halfOpenCircuitPressure: number;

  // --- filtering (facts §7.3, §5) ---
  /** RTT UCB used for a datacenter without a coordinate (quality 0). facts §7.2/§7.3 RTT_DEFAULT_MS. */
  readonly missingCoordinateRttMs: number;
  /** A manager whose last heartbeat is older than this is excluded. facts §7.3 "heartbeat > 60 s". */
  readonly managerHeartbeatStaleMs: number;
  /** Health older than this demotes the datacenter to DEGRADED (kept, not excluded). facts §5 "stale after 30 s". */
  readonly healthStaleMs: number;

  // --- hysteresis (facts §7.3, AD-36 part 5) ---
  /** A job keeps its primary this long unless forced off. facts §7.3 HOLD_DOWN_S 30. */
  readonly holdDownMs: number;
  /** After hold-down, switch only if best < ratio × current score. facts §7.3 IMPROVEMENT_RATIO 0.8. */
  readonly improvementRatio: number;
  /** The current primary scoring ≥ ratio × its score at selection counts as degraded. facts §7.3 DEGRADE_RATIO 1.5. */
  readonly degradeRatio: number;
  /** …and degradation sustained this long forces a switch. facts §7.3 DEGRADE_CONFIRM_S 10 (declared but unused there). */
  readonly degradeConfirmMs: number;
  /** A datacenter whose dispatch failed is penalised for the job this long. facts §7.3 cooldown 120 s. */
  readonly cooldownMs: number;
  /** …by this score multiplier (penalised, never excluded: it may be the only one left). facts §7.3 "×2 score". */
  readonly cooldownScoreMultiplier: number;

  // --- chain and state ---
  /** Primaries returned when a job does not say how many datacenters it wants. facts §1.2 datacenter_count default 1. */
  readonly defaultDatacenterCount: number;
  /** Per-job routing state idle this long is dropped. facts §7.3 "state GC 3600 s". */
  readonly jobStateTtlMs: number;
  /** At most this many jobs keep routing state; the least recently routed is evicted first. Ours: a gate's
   * concurrent jobs are far fewer; 10,000 × ~300 B ≈ 3 MB worst case. */
  readonly maxTrackedJobs: number;
}

export const DEFAULT_ROUTING_CONFIG: RoutingConfig = Object.freeze({
  utilizationWeight: 0.5,
  queueWeight: 0.3,
  circuitWeight: 0.2,
  queueSmoothing: 10,
  loadFactorMax: 5.0,
  qualityWeight: 0.5,
  qualityPenaltyMax: 2.0,
  preferenceMultiplier: 0.9,
  severityWeight: Object.freeze({ healthy: 1.0, busy: 1.5, degraded: 3.0 }),
  halfOpenCircuitPressure: 0.5,
  missingCoordinateRttMs: 100,
  managerHeartbeatStaleMs: 60_000,
  healthStaleMs: 30_000,
  holdDownMs: 30_000,
  improvementRatio: 0.8,
  degradeRatio: 1.5,
  degradeConfirmMs: 10_000,
  cooldownMs: 120_000,
  cooldownScoreMultiplier: 2.0,
  defaultDatacenterCount: 1,
  jobStateTtlMs: 3_600_000,
  maxTrackedJobs: 10_000,
});

/** Merges overrides onto the defaults and rejects values that would break an invariant. */
export function resolveRoutingConfig(overrides: Partial<RoutingConfig> = {}): RoutingConfig {
  const config: RoutingConfig = { ...DEFAULT_ROUTING_CONFIG, ...overrides };
  const positive: (keyof RoutingConfig)[] = [
    'queueSmoothing',
    'loadFactorMax',
    'qualityPenaltyMax',
    'preferenceMultiplier',
    'missingCoordinateRttMs',
    'improvementRatio',
    'degradeRatio',
    'cooldownScoreMultiplier',
    'defaultDatacenterCount',
    'jobStateTtlMs',
    'maxTrackedJobs',
  ];
  for (const key of positive) {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(`routing config: ${key} must be a positive finite number, got ${String(value)}`);
    }
  }
  const nonNegative: (keyof RoutingConfig)[] = [
    'utilizationWeight',
    'queueWeight',
    'circuitWeight',
    'qualityWeight',
    'halfOpenCircuitPressure',
    'managerHeartbeatStaleMs',
    'healthStaleMs',
    'holdDownMs',
    'degradeConfirmMs',
    'cooldownMs',
  ];
  for (const key of nonNegative) {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`routing config: ${key} must be a non-negative finite number, got ${String(value)}`);
    }
  }
  if (config.improvementRatio > 1) throw new RangeError('routing config: improvementRatio must be in (0, 1]');
  if (config.preferenceMultiplier > 1) throw new RangeError('routing config: preferenceMultiplier must be in (0, 1]');
  if (config.degradeRatio < 1) throw new RangeError('routing config: degradeRatio must be ≥ 1');
  if (config.cooldownScoreMultiplier < 1) throw new RangeError('routing config: cooldownScoreMultiplier must be ≥ 1');
  return config;
}
