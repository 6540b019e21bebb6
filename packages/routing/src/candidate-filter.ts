// AD-36 part 2: decides which datacenters may take a job at all (hard excludes) and which are kept
// but handicapped (soft demotions). A missing coordinate is never a reason to exclude: the
// datacenter keeps its place with a conservative RTT and quality 0.
import type { DatacenterInput, ManagerInput } from './candidate.js';
import type { RoutingConfig } from './config.js';
import type { DistanceEstimator } from './distance.js';
import { bucketRank, type HealthBucket, isHealthBucket } from './health-bucket.js';
import { classifyDatacenterHealth } from './health-classifier.js';

export type ExclusionReason =
  | 'unhealthy'
  | 'health_unknown'
  | 'no_managers'
  | 'all_managers_circuit_open'
  | 'all_managers_heartbeat_stale'
  | 'no_usable_managers';

export type DemotionReason = 'stale_health' | 'missing_coordinates';

export type ManagerExclusionReason = 'circuit_open' | 'heartbeat_stale';

/** Why a single manager may not take work right now, or null when it may. */
export function managerExclusion(manager: ManagerInput, config: RoutingConfig): ManagerExclusionReason | null {
  if (manager.circuit === 'open') return 'circuit_open';
  // NaN or negative ages are bad input: treat as stale rather than fresh.
  if (!(manager.heartbeatAgeMs >= 0) || manager.heartbeatAgeMs > config.managerHeartbeatStaleMs) {
    return 'heartbeat_stale';
  }
  return null;
}

export interface FilterOutcome {
  /** Null when eligible. */
  readonly excluded: ExclusionReason | null;
  /** The bucket as reported or classified. */
  readonly reportedBucket: HealthBucket;
  /** The bucket routing uses (stale health demotes to DEGRADED). */
  readonly bucket: HealthBucket;
  readonly staleHealth: boolean;
  /** Share of managers whose circuit is open (half-open counts `halfOpenCircuitPressure`). */
  readonly circuitPressure: number;
  /** Some manager can take work (circuit not open, heartbeat fresh), whatever the health says. */
  readonly reachable: boolean;
}

export function filterDatacenter(input: DatacenterInput, config: RoutingConfig): FilterOutcome {
  let reported: HealthBucket | undefined;
  if (isHealthBucket(input.health)) reported = input.health;
  else if (input.healthSignals !== undefined) reported = classifyDatacenterHealth(input.healthSignals);

  const managers = input.managers;
  let open = 0;
  let halfOpen = 0;
  let stale = 0;
  let usable = 0;
  for (const manager of managers) {
    const reason = managerExclusion(manager, config);
    if (manager.circuit === 'open') open++;
    else if (manager.circuit === 'half_open') halfOpen++;
    if (reason === null) usable++;
    else if (reason === 'heartbeat_stale') stale++;
  }
  const circuitPressure =
    managers.length > 0 ? Math.min(1, (open + config.halfOpenCircuitPressure * halfOpen) / managers.length) : 1;

  const staleHealth = !(input.healthAgeMs >= 0) || input.healthAgeMs > config.healthStaleMs;
  let bucket: HealthBucket = reported ?? 'unhealthy';
  if (staleHealth && bucketRank(bucket) < bucketRank('degraded')) bucket = 'degraded';

  let excluded: ExclusionReason | null = null;
  if (reported === undefined) excluded = 'health_unknown';
  else if (reported === 'unhealthy') excluded = 'unhealthy';
  else if (managers.length === 0) excluded = 'no_managers';
  else if (usable === 0) {
    if (open === managers.length) excluded = 'all_managers_circuit_open';
    else if (stale === managers.length) excluded = 'all_managers_heartbeat_stale';
    else excluded = 'no_usable_managers';
  }
  return {
    excluded,
    reportedBucket: reported ?? 'unhealthy',
    bucket,
    staleHealth,
    circuitPressure,
    reachable: usable > 0,
  };
}

/** The distance the router uses for a datacenter: the estimator's, or the conservative default. */
export function resolveDistance(
  datacenterId: string,
  distance: DistanceEstimator,
  config: RoutingConfig,
): { rttUcbMs: number; quality: number; missing: boolean } {
  const estimate = distance.datacenter(datacenterId);
  if (estimate === undefined || !(estimate.rttUcbMs >= 0) || !Number.isFinite(estimate.rttUcbMs)) {
    return { rttUcbMs: config.missingCoordinateRttMs, quality: 0, missing: true };
  }
  const quality = Number.isFinite(estimate.quality) ? Math.min(1, Math.max(0, estimate.quality)) : 0;
  return { rttUcbMs: estimate.rttUcbMs, quality, missing: false };
}
