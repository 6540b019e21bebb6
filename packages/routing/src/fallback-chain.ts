// AD-36 part 7 / AD-17: the order in which a job tries datacenters. The chosen primary first, then
// the rest of the primary bucket by score, then BUSY, then DEGRADED, each by score — a permutation
// of the eligible datacenters that never puts a worse bucket ahead of a better one.
import { bucketRank } from './health-bucket.js';
import type { CandidateReport } from './routing-decision.js';

export interface FallbackChain {
  readonly primaries: string[];
  readonly fallbacks: string[];
  /** The candidates themselves, in chain order (primaries, then fallbacks). */
  readonly ordered: CandidateReport[];
}

/**
 * @param ranked eligible candidates already sorted by (bucket, score/rank, tie-break)
 * @param primaryId the datacenter hysteresis settled on; must be in the best bucket of `ranked`
 * @param count how many primaries the job wants (≥ 1); more than the primary bucket holds fills
 *   from the next buckets in order
 * @param running the job runs at `primaryId` (a review): it stays first whatever its bucket, since
 *   load alone never moves a running job; the rest keep bucket order
 */
export function buildFallbackChain(
  ranked: readonly CandidateReport[],
  primaryId: string,
  count: number,
  running = false,
): FallbackChain {
  const ordered: CandidateReport[] = [];
  const head = ranked[0];
  const held = ranked.find((c) => c.datacenterId === primaryId);
  if (held !== undefined && head !== undefined && (running || bucketRank(held.bucket) === bucketRank(head.bucket))) {
    ordered.push(held);
    for (const c of ranked) if (c !== held) ordered.push(c);
  } else {
    for (const c of ranked) ordered.push(c);
  }
  const ids = ordered.map((c) => c.datacenterId);
  const n = Math.max(1, Math.min(Math.floor(count), ids.length));
  return { primaries: ids.slice(0, n), fallbacks: ids.slice(n), ordered };
}
