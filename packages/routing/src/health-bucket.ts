// AD-17's health buckets and their order. Routing never trades a better bucket for a shorter RTT,
// so everything that orders datacenters goes through `bucketRank` first.

export type HealthBucket = 'healthy' | 'busy' | 'degraded' | 'unhealthy';

/** The buckets a job may be routed to, best first (UNHEALTHY is never eligible). */
export const ROUTABLE_BUCKETS: readonly HealthBucket[] = ['healthy', 'busy', 'degraded'];

const RANK: Record<HealthBucket, number> = { healthy: 0, busy: 1, degraded: 2, unhealthy: 3 };

/** 0 for HEALTHY … 3 for UNHEALTHY; lower is better. */
export function bucketRank(bucket: HealthBucket): number {
  return RANK[bucket];
}

/** The worse (higher-ranked) of two buckets. */
export function worseBucket(a: HealthBucket, b: HealthBucket): HealthBucket {
  return RANK[a] >= RANK[b] ? a : b;
}

export function isHealthBucket(value: unknown): value is HealthBucket {
  return value === 'healthy' || value === 'busy' || value === 'degraded' || value === 'unhealthy';
}
