// The router's answer, complete enough to be logged as one structured line (AD-36 part 11): what was
// chosen, why, and every candidate's score components.
import type { DemotionReason, ExclusionReason } from './candidate-filter.js';
import type { HealthBucket } from './health-bucket.js';

/** Why the primary is what it is. */
export type RoutingReason =
  | 'initial' // the job had no primary yet
  | 'retained_best' // the current primary is still the best
  | 'hold_down' // a better one exists but the hold-down has not passed
  | 'below_improvement' // a better one exists but not by the improvement ratio
  | 'improved' // switched: the best beats the current by the improvement ratio after hold-down
  | 'forced_excluded' // switched: the current primary is excluded or gone
  | 'forced_bucket_drop' // switched: the current primary fell out of the primary bucket
  | 'forced_dispatch_failed' // switched: a dispatch to the current primary failed (it is cooling)
  | 'forced_degraded' // switched: the current primary's score stayed degraded for the confirm time
  | 'kept_running' // the job runs at its primary, which can still run it: load alone never moves it
  | 'no_eligible_datacenter'; // nothing can take the job; it fails with `failure`

export const SWITCH_REASONS: ReadonlySet<RoutingReason> = new Set<RoutingReason>([
  'improved',
  'forced_excluded',
  'forced_bucket_drop',
  'forced_dispatch_failed',
  'forced_degraded',
]);

export type CandidateRole = 'primary' | 'fallback' | 'excluded';

export interface CandidateReport {
  readonly datacenterId: string;
  role: CandidateRole;
  /** The bucket routing used (after demotion). */
  readonly bucket: HealthBucket;
  readonly reportedBucket: HealthBucket;
  readonly excluded: ExclusionReason | null;
  /** Some manager can take work (circuit not open, heartbeat fresh): a running job there stays. */
  readonly reachable: boolean;
  readonly demotions: readonly DemotionReason[];
  readonly rttUcbMs: number;
  readonly quality: number;
  readonly utilization: number;
  readonly queuePressure: number;
  readonly circuitPressure: number;
  readonly loadFactor: number;
  readonly qualityPenalty: number;
  readonly severityWeight: number;
  preferenceMultiplier: number;
  cooldownMultiplier: number;
  /** rtt × load × quality penalty × severity × preference × cooldown; lower is better. */
  score: number;
  /** 1-based position inside its bucket when ranked in bootstrap mode; 0 otherwise. */
  bootstrapRank: number;
  readonly availableCores: number;
  readonly queueDepth: number;
}

export interface RoutingDecision {
  readonly jobId: string;
  readonly atMs: number;
  /** Datacenters to dispatch to, in order. Empty when the job must fail. */
  readonly primaryDatacenters: readonly string[];
  /** The rest of the eligible datacenters, in the order to try them. */
  readonly fallbackDatacenters: readonly string[];
  /** The best non-empty bucket, or null when nothing is eligible. */
  readonly primaryBucket: HealthBucket | null;
  readonly reason: RoutingReason;
  readonly switched: boolean;
  readonly previousPrimary: string | null;
  /** best ÷ current sort key when a current primary was compared with a different best; else null. */
  readonly improvementRatio: number | null;
  readonly bootstrapMode: boolean;
  readonly coolingDatacenters: readonly string[];
  /** A sentence for the client when no datacenter is eligible (the job fails); else null. */
  readonly failure: string | null;
  /** Every candidate, eligible ones in chain order, then the excluded ones. */
  readonly candidates: readonly CandidateReport[];
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A compact, JSON-ready view of a decision for the gate's one log line per routing. */
export function routingDecisionLogFields(decision: RoutingDecision): Record<string, unknown> {
  return {
    event: 'RoutingDecision',
    job_id: decision.jobId,
    primaries: decision.primaryDatacenters,
    fallbacks: decision.fallbackDatacenters,
    bucket: decision.primaryBucket,
    reason: decision.reason,
    switched: decision.switched,
    previous_primary: decision.previousPrimary,
    improvement_ratio: decision.improvementRatio === null ? null : round(decision.improvementRatio, 3),
    bootstrap: decision.bootstrapMode,
    cooling: decision.coolingDatacenters,
    failure: decision.failure,
    candidates: decision.candidates.map((c) => ({
      dc: c.datacenterId,
      role: c.role,
      bucket: c.bucket,
      excluded: c.excluded,
      demoted: c.demotions,
      rtt_ucb_ms: round(c.rttUcbMs, 1),
      load: round(c.loadFactor, 3),
      quality: round(c.quality, 3),
      quality_penalty: round(c.qualityPenalty, 3),
      score: Number.isFinite(c.score) ? round(c.score, 2) : null,
      ...(c.bootstrapRank > 0 ? { bootstrap_rank: c.bootstrapRank } : {}),
      ...(c.preferenceMultiplier !== 1 ? { preferred: true } : {}),
      ...(c.cooldownMultiplier !== 1 ? { cooling: true } : {}),
    })),
  };
}
