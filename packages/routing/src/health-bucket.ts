// AD-17's health buckets and their order. Routing never trades a better bucket for a shorter RTT,
// so everything that orders datacenters goes through `bucketRank` first.

export type HealthBucket = 'healthy' | 'busy' | 'degraded' | 'unhealthy';

/** The buckets a job may be routed to, best first (UNHEALTHY is never eligible). */
export const ROUTABLE_BUCKETS: readonly HealthBucket[] = ['healthy', 'busy', 'degraded'];

/** 0 for HEALTHY … 3 for UNHEALTHY; lower is better. (A switch: this sits inside every sort.) */
export function bucketRank(bucket: HealthBucket): number {
  switch (bucket) {
    case 'healthy':
      return 0;
    case 'busy':
      return 1;
    case 'degraded':
      return 2;
    default:
      return 3;
  }
}

/** The worse (higher-ranked) of two buckets. */
export function worseBucket(a: HealthBucket, b: HealthBucket): HealthBucket {
  return bucketRank(a) >= bucketRank(b) ? a : b;
}

export function isHealthBucket(value: unknown): value is HealthBucket {
  return value === 'healthy' || value === 'busy' || value === 'degraded' || value === 'unhealthy';
}
