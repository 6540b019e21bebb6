// Turns a datacenter's raw counts into an AD-16 health bucket, so a gate that only has heartbeat
// counts can build routing candidates. The thresholds are the original's ratio classifier
// (facts §5, "DC health, Impl"): the bucket is the worst of four signals. `HEALTH_EXIT_THRESHOLDS`
// are the lower bars a datacenter must get under to leave a bucket again; the stateful side of that
// (who was in which bucket since when) is `DatacenterHealthTracker`, owned by the router.
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

export interface HealthThresholds {
  readonly busy: number;
  readonly degraded: number;
  readonly unhealthy: number;
}

export type HealthThresholdTable = Readonly<
  Record<'overloadedWorkers' | 'deadManagers' | 'overloadedManagers' | 'coreUtilization', HealthThresholds>
>;

/**
 * facts §5 table: BUSY ≥ / DEGRADED ≥ / UNHEALTHY ≥ per signal, except core utilization: a
 * datacenter whose cores are all in use is BUSY, never DEGRADED or UNHEALTHY. Utilization is load,
 * not failure, and AD-17 says a busy datacenter accepts and queues; the original's 0.85 / 0.95
 * rows made a datacenter that had just finished a job (its last report still showing every core
 * taken) unroutable, failing the next job with "no eligible datacenter".
 */
export const HEALTH_THRESHOLDS: HealthThresholdTable = Object.freeze({
  overloadedWorkers: { busy: 0.3, degraded: 0.5, unhealthy: 0.8 },
  deadManagers: { busy: 0.3, degraded: 0.5, unhealthy: 0.8 },
  overloadedManagers: { busy: 0.3, degraded: 0.5, unhealthy: Number.POSITIVE_INFINITY },
  coreUtilization: { busy: 0.7, degraded: Number.POSITIVE_INFINITY, unhealthy: Number.POSITIVE_INFINITY },
});

/**
 * Hysteresis (ours; the original classified every report afresh, so a datacenter hovering at 70 %
 * core use flipped HEALTHY ↔ BUSY with each heartbeat and forced every job routed there to switch).
 * A datacenter enters a bucket at `HEALTH_THRESHOLDS` but leaves it only once every signal is below
 * these, 0.10 lower on each ratio: for cores, BUSY at ≥ 70 % used, HEALTHY again below 60 % — on a
 * 64-core datacenter running 8-core jobs that is 6 jobs in, 4 jobs out, so one job finishing and the
 * next arriving no longer flips the bucket. The same 0.10 on the worker and manager ratios (0.3 →
 * 0.2, 0.5 → 0.4, 0.8 → 0.7); on small counts (3 managers) the ratio steps are coarser than the
 * margin and the tracker's minimum dwell does the work instead. Leader overload and the structural
 * rules (no managers, workers or cores ⇒ UNHEALTHY) are facts, not ratios: no margin.
 */
export const HEALTH_EXIT_THRESHOLDS: HealthThresholdTable = Object.freeze({
  overloadedWorkers: { busy: 0.2, degraded: 0.4, unhealthy: 0.7 },
  deadManagers: { busy: 0.2, degraded: 0.4, unhealthy: 0.7 },
  overloadedManagers: { busy: 0.2, degraded: 0.4, unhealthy: Number.POSITIVE_INFINITY },
  coreUtilization: { busy: 0.6, degraded: Number.POSITIVE_INFINITY, unhealthy: Number.POSITIVE_INFINITY },
});

function bucketFor(ratio: number, t: HealthThresholds): HealthBucket {
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

/**
 * The worst bucket over all signals; no managers, no workers or no cores at all ⇒ UNHEALTHY.
 * Stateless: `thresholds` defaults to the entry bars; with `HEALTH_EXIT_THRESHOLDS` it gives the
 * best bucket a datacenter already in a worse one may relax to.
 */
export function classifyDatacenterHealth(
  s: DatacenterHealthSignals,
  thresholds: HealthThresholdTable = HEALTH_THRESHOLDS,
): HealthBucket {
  if (!(s.managerCount > 0) || !(s.workerCount > 0) || !(s.totalCores > 0)) return 'unhealthy';
  let bucket: HealthBucket = bucketFor(ratio(s.overloadedWorkerCount, s.workerCount), thresholds.overloadedWorkers);
  bucket = worseBucket(bucket, bucketFor(ratio(s.deadManagerCount, s.managerCount), thresholds.deadManagers));
  const alive = s.managerCount - s.deadManagerCount;
  bucket = worseBucket(
    bucket,
    bucketFor(alive > 0 ? ratio(s.overloadedManagerCount, alive) : 0, thresholds.overloadedManagers),
  );
  if (s.leaderOverloaded === true) bucket = worseBucket(bucket, 'degraded');
  const used = s.totalCores > 0 ? ratio(s.totalCores - s.availableCores, s.totalCores) : 1;
  return worseBucket(bucket, bucketFor(used, thresholds.coreUtilization));
}
