// Turns a datacenter's raw counts into an AD-16 health bucket, so a gate that only has heartbeat
// counts can build routing candidates. The thresholds are the original's ratio classifier
// (facts §5, "DC health, Impl"): the bucket is the worst of four signals.
import type { HealthBucket } from './health-bucket.js';
import { worseBucket } from './health-bucket.js';

export interface DatacenterHealthSignals {
  /** Workers registered in the datacenter. */
  readonly workerCount: number;
  /** Workers reporting an overloaded state. */
  readonly overloadedWorkerCount: number;
  /** Managers known in the datacenter (alive or not). */
  readonly managerCount: number;
  /** Managers considered dead (SWIM dead or heartbeat stale). */
  readonly deadManagerCount: number;
  /** Alive managers reporting an overloaded state. */
  readonly overloadedManagerCount: number;
  /** The DC leader reports overload (⇒ at least DEGRADED). */
  readonly leaderOverloaded?: boolean;
  readonly totalCores: number;
  readonly availableCores: number;
}

interface Thresholds {
  readonly busy: number;
  readonly degraded: number;
  readonly unhealthy: number;
}

/**
 * facts §5 table: BUSY ≥ / DEGRADED ≥ / UNHEALTHY ≥ per signal, except core utilization: a
 * datacenter whose cores are all in use is BUSY, never DEGRADED or UNHEALTHY. Utilization is load,
 * not failure, and AD-17 says a busy datacenter accepts and queues; the original's 0.85 / 0.95
 * rows made a datacenter that had just finished a job (its last report still showing every core
 * taken) unroutable, failing the next job with "no eligible datacenter".
 */
export const HEALTH_THRESHOLDS = Object.freeze({
  overloadedWorkers: { busy: 0.3, degraded: 0.5, unhealthy: 0.8 },
  deadManagers: { busy: 0.3, degraded: 0.5, unhealthy: 0.8 },
  overloadedManagers: { busy: 0.3, degraded: 0.5, unhealthy: Number.POSITIVE_INFINITY },
  coreUtilization: { busy: 0.7, degraded: Number.POSITIVE_INFINITY, unhealthy: Number.POSITIVE_INFINITY },
} satisfies Record<string, Thresholds>);

function bucketFor(ratio: number, t: Thresholds): HealthBucket {
  if (ratio >= t.unhealthy) return 'unhealthy';
  if (ratio >= t.degraded) return 'degraded';
  if (ratio >= t.busy) return 'busy';
  return 'healthy';
}

function ratio(part: number, whole: number): number {
  if (!(whole > 0)) return 1;
  const r = part / whole;
  return Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 1;
}

/** The worst bucket over all signals; no managers, no workers or no cores at all ⇒ UNHEALTHY. */
export function classifyDatacenterHealth(s: DatacenterHealthSignals): HealthBucket {
  if (!(s.managerCount > 0) || !(s.workerCount > 0) || !(s.totalCores > 0)) return 'unhealthy';
  let bucket: HealthBucket = bucketFor(
    ratio(s.overloadedWorkerCount, s.workerCount),
    HEALTH_THRESHOLDS.overloadedWorkers,
  );
  bucket = worseBucket(bucket, bucketFor(ratio(s.deadManagerCount, s.managerCount), HEALTH_THRESHOLDS.deadManagers));
  const alive = s.managerCount - s.deadManagerCount;
  bucket = worseBucket(
    bucket,
    bucketFor(alive > 0 ? ratio(s.overloadedManagerCount, alive) : 0, HEALTH_THRESHOLDS.overloadedManagers),
  );
  if (s.leaderOverloaded === true) bucket = worseBucket(bucket, 'degraded');
  const used = s.totalCores > 0 ? ratio(s.totalCores - s.availableCores, s.totalCores) : 1;
  return worseBucket(bucket, bucketFor(used, HEALTH_THRESHOLDS.coreUtilization));
}
