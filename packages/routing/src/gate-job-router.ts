// AD-36's whole pipeline for one gate: filter → bucket → score (or bootstrap rank) → cooldown
// penalty → hysteresis → fallback chain. Pure: the gate supplies its datacenter state through
// `candidates()`, distances through a `DistanceEstimator`, and time through a `Clock`; the router
// returns decisions and keeps only bounded, expiring per-job memory.
import type { Clock } from '@hyperscale/deterministic';
import { compareBootstrap } from './bootstrap.js';
import type { DatacenterInput } from './candidate.js';
import { type DemotionReason, filterDatacenter, resolveDistance } from './candidate-filter.js';
import { type RoutingConfig, resolveRoutingConfig } from './config.js';
import type { DistanceEstimator } from './distance.js';
import { buildFallbackChain } from './fallback-chain.js';
import { bucketRank, type HealthBucket } from './health-bucket.js';
import { evaluateSwitch, type HysteresisInput } from './hysteresis.js';
import { JobRoutingStateStore, type ScoreMode } from './job-routing-state.js';
import { type ManagerRanking, rankManagers } from './manager-selector.js';
import { RoutingMetrics } from './metrics.js';
import type { CandidateReport, RoutingDecision } from './routing-decision.js';
import { loadFactor, qualityPenalty, queuePressure, utilization } from './scorer.js';
import { rendezvousHash } from './tie-break.js';

export interface GateJobRouterOptions {
  readonly clock: Clock;
  readonly distance: DistanceEstimator;
  /** The gate's current view of every datacenter, read once per decision. */
  readonly candidates: () => readonly DatacenterInput[];
  readonly config?: Partial<RoutingConfig>;
}

export interface RouteJobOptions {
  /** Datacenters the submission prefers (×0.9 score inside the primary bucket only). */
  readonly preferred?: Iterable<string>;
  /** How many primaries the job wants (JobSubmission.datacenter_count); default from config. */
  readonly datacenterCount?: number;
  /**
   * The job already runs at its primary and this is a review: only exclusion or a failed dispatch
   * moves it (forced_excluded / forced_dispatch_failed); otherwise the reason is `kept_running`.
   */
  readonly running?: boolean;
}

export interface DatacenterView extends CandidateReport {
  /** A new job routed now would get this datacenter as its first primary. */
  readonly bestForNewJob: boolean;
  /** Tracked jobs whose current primary this is. */
  readonly primaryForJobs: number;
}

const NO_DEMOTIONS: readonly DemotionReason[] = Object.freeze([]);
const STALE_ONLY: readonly DemotionReason[] = Object.freeze(['stale_health'] as const);
const MISSING_ONLY: readonly DemotionReason[] = Object.freeze(['missing_coordinates'] as const);
const BOTH_DEMOTIONS: readonly DemotionReason[] = Object.freeze(['stale_health', 'missing_coordinates'] as const);

/** Scores every candidate without any job-specific adjustment (preference, cooldown). */
export function evaluateCandidates(
  inputs: readonly DatacenterInput[],
  distance: DistanceEstimator,
  config: RoutingConfig,
): CandidateReport[] {
  const reports: CandidateReport[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]!;
    const filtered = filterDatacenter(input, config);
    const dist = resolveDistance(input.datacenterId, distance, config);
    const stale = filtered.staleHealth && filtered.excluded === null;
    const demotions: readonly DemotionReason[] =
      stale && dist.missing ? BOTH_DEMOTIONS : stale ? STALE_ONLY : dist.missing ? MISSING_ONLY : NO_DEMOTIONS;
    const util = utilization(input.availableCores, input.totalCores);
    const queue = queuePressure(input.queueDepth, config);
    const load = loadFactor(util, queue, filtered.circuitPressure, config);
    const qpen = qualityPenalty(dist.quality, config);
    const severity =
      filtered.excluded === null && filtered.bucket !== 'unhealthy'
        ? config.severityWeight[filtered.bucket]
        : Number.POSITIVE_INFINITY;
    reports.push({
      datacenterId: input.datacenterId,
      role: filtered.excluded === null ? 'fallback' : 'excluded',
      bucket: filtered.bucket,
      reportedBucket: filtered.reportedBucket,
      excluded: filtered.excluded,
      reachable: filtered.reachable,
      demotions,
      rttUcbMs: dist.rttUcbMs,
      quality: dist.quality,
      utilization: util,
      queuePressure: queue,
      circuitPressure: filtered.circuitPressure,
      loadFactor: load,
      qualityPenalty: qpen,
      severityWeight: severity,
      preferenceMultiplier: 1,
      cooldownMultiplier: 1,
      score: dist.rttUcbMs * load * qpen * severity,
      bootstrapRank: 0,
      availableCores: Number.isFinite(input.availableCores) ? Math.max(0, input.availableCores) : 0,
      queueDepth: Number.isFinite(input.queueDepth) ? Math.max(0, input.queueDepth) : 0,
    });
  }
  return reports;
}

/** A clear sentence for a job that cannot be routed anywhere. */
export function describeNoEligible(candidates: readonly CandidateReport[]): string {
  if (candidates.length === 0) return 'no datacenter is known to this gate';
  const parts = candidates.map((c) => `${c.datacenterId}: ${(c.excluded ?? 'excluded').replaceAll('_', ' ')}`);
  return `no eligible datacenter (${parts.join('; ')})`;
}

export class GateJobRouter {
  readonly config: RoutingConfig;
  readonly metrics = new RoutingMetrics();
  private readonly clock: Clock;
  private readonly distance: DistanceEstimator;
  private readonly candidates: () => readonly DatacenterInput[];
  private readonly jobs: JobRoutingStateStore;

  constructor(options: GateJobRouterOptions) {
    this.config = resolveRoutingConfig(options.config);
    this.clock = options.clock;
    this.distance = options.distance;
    this.candidates = options.candidates;
    this.jobs = new JobRoutingStateStore(this.config.jobStateTtlMs, this.config.maxTrackedJobs);
  }

  /** Jobs currently holding routing state (bounded by config.maxTrackedJobs). */
  get trackedJobs(): number {
    return this.jobs.size;
  }

  routeJob(jobId: string, options: RouteJobOptions = {}): RoutingDecision {
    const now = this.clock.now();
    const reports = evaluateCandidates(this.candidates(), this.distance, this.config);
    const eligible: CandidateReport[] = [];
    const excluded: CandidateReport[] = [];
    let primaryRank = Number.POSITIVE_INFINITY;
    for (const r of reports) {
      if (r.excluded === null) {
        eligible.push(r);
        primaryRank = Math.min(primaryRank, bucketRank(r.bucket));
      } else {
        excluded.push(r);
      }
    }

    if (eligible.length === 0) {
      const state = this.jobs.peek(jobId);
      this.metrics.decision(null, 'no_eligible_datacenter');
      return {
        jobId,
        atMs: now,
        primaryDatacenters: [],
        fallbackDatacenters: [],
        primaryBucket: null,
        reason: 'no_eligible_datacenter',
        switched: false,
        previousPrimary: state?.primary ?? null,
        improvementRatio: null,
        bootstrapMode: !this.distance.localIsMature(),
        coolingDatacenters: [],
        failure: describeNoEligible(reports),
        candidates: reports,
      };
    }

    const state = this.jobs.touch(jobId, now);
    const cooling = state.expireCooldowns(now);
    const preferred = toSet(options.preferred);
    const mode: ScoreMode = this.distance.localIsMature() ? 'scored' : 'bootstrap';

    for (const r of eligible) {
      if (preferred !== undefined && bucketRank(r.bucket) === primaryRank && preferred.has(r.datacenterId)) {
        r.preferenceMultiplier = this.config.preferenceMultiplier;
      }
      if (cooling.length > 0 && state.isCooling(r.datacenterId, now)) {
        r.cooldownMultiplier = this.config.cooldownScoreMultiplier;
      }
      r.score *= r.preferenceMultiplier * r.cooldownMultiplier;
    }

    const hashes = new Map<string, number>();
    const hashOf = (id: string): number => {
      let h = hashes.get(id);
      if (h === undefined) {
        h = rendezvousHash(jobId, id);
        hashes.set(id, h);
      }
      return h;
    };
    const tieBreak = (a: CandidateReport, b: CandidateReport): number =>
      hashOf(b.datacenterId) - hashOf(a.datacenterId) ||
      (a.datacenterId < b.datacenterId ? -1 : a.datacenterId > b.datacenterId ? 1 : 0);
    if (mode === 'scored') {
      eligible.sort((a, b) => bucketRank(a.bucket) - bucketRank(b.bucket) || a.score - b.score || tieBreak(a, b));
    } else {
      eligible.sort((a, b) => bucketRank(a.bucket) - bucketRank(b.bucket) || compareBootstrap(a, b) || tieBreak(a, b));
      let rank = 0;
      let bucket: HealthBucket | undefined;
      for (const r of eligible) {
        rank = r.bucket === bucket ? rank + 1 : 1;
        bucket = r.bucket;
        r.bootstrapRank = rank;
      }
    }
    const keyOf = (r: CandidateReport): number => (mode === 'scored' ? r.score : r.bootstrapRank);

    const best = eligible[0]!;
    const previousPrimary = state.primary;
    let current: HysteresisInput['current'];
    const running = options.running === true;
    const cur = previousPrimary === null ? undefined : reports.find((r) => r.datacenterId === previousPrimary);
    if (previousPrimary !== null) {
      // A running job stays in a datacenter excluded only for its health while a manager there is
      // reachable: that manager still runs and decides about the job.
      if (cur === undefined || (cur.excluded !== null && !(running && cur.reachable))) current = { status: 'excluded' };
      else if (cur.excluded !== null || bucketRank(cur.bucket) !== primaryRank) current = { status: 'bucket_drop' };
      else current = { status: 'eligible', key: keyOf(cur), cooling: cur.cooldownMultiplier !== 1 };
    }
    const verdict = evaluateSwitch(
      {
        state,
        bestId: best.datacenterId,
        bestKey: keyOf(best),
        current,
        mode,
        nowMs: now,
        running,
      },
      this.config,
    );
    if (verdict.switched || verdict.reason === 'initial') {
      state.select(verdict.primary, keyOf(best), mode, now);
      if (verdict.switched) this.metrics.switched(verdict.reason);
    }
    if (verdict.holdDownBlocked) this.metrics.holdDownBlocked();

    const count = options.datacenterCount ?? this.config.defaultDatacenterCount;
    // A running job kept in a datacenter excluded for its health heads the chain all the same.
    const keptExcluded = running && !verdict.switched && cur !== undefined && cur.excluded !== null ? cur : undefined;
    const chain = buildFallbackChain(
      keptExcluded === undefined ? eligible : [keptExcluded, ...eligible],
      verdict.primary,
      Number.isFinite(count) && count >= 1 ? count : 1,
      running,
    );
    const ordered = chain.ordered;
    for (let i = 0; i < chain.primaries.length; i++) ordered[i]!.role = 'primary';
    for (const r of excluded) if (r !== keptExcluded) ordered.push(r);

    const primaryBucket = ordered[0]?.bucket ?? best.bucket;
    this.metrics.decision(primaryBucket, verdict.reason);
    return {
      jobId,
      atMs: now,
      primaryDatacenters: chain.primaries,
      fallbackDatacenters: chain.fallbacks,
      primaryBucket,
      reason: verdict.reason,
      switched: verdict.switched,
      previousPrimary,
      improvementRatio: verdict.improvementRatio,
      bootstrapMode: mode === 'bootstrap',
      coolingDatacenters: cooling,
      failure: null,
      candidates: ordered,
    };
  }

  /** A dispatch of `jobId` to `datacenterId` failed: penalise it for this job for the cooldown. */
  recordDispatchFailure(jobId: string, datacenterId: string): void {
    const now = this.clock.now();
    const state = this.jobs.touch(jobId, now);
    state.startCooldown(datacenterId, now + this.config.cooldownMs);
    state.clearStickyManager(datacenterId);
    this.metrics.dispatchFailed(datacenterId);
  }

  /** The job moved from `fromDatacenter` to a fallback `toDatacenter` (for the fallback metric). */
  recordFallbackUsed(fromDatacenter: string, toDatacenter: string): void {
    this.metrics.fallbackUsed(fromDatacenter, toDatacenter);
  }

  /** The manager that accepted the job in a datacenter: later dispatches of the job go there first. */
  recordManagerAccepted(jobId: string, datacenterId: string, managerId: string): void {
    this.jobs.touch(jobId, this.clock.now()).setStickyManager(datacenterId, managerId);
  }

  /** The managers of one datacenter in the order to try them for this job. */
  selectManagers(jobId: string, datacenter: DatacenterInput): ManagerRanking {
    const sticky = this.jobs.peek(jobId)?.stickyManager(datacenter.datacenterId);
    return rankManagers(jobId, datacenter, sticky, this.distance, this.config);
  }

  /** The job finished (any terminal status): forget its routing state. */
  jobCompleted(jobId: string): void {
    this.jobs.delete(jobId);
  }

  /** Drops expired per-job state now (routeJob also does this as it goes). */
  expireJobs(): number {
    return this.jobs.expire(this.clock.now());
  }

  /** The datacenters as this gate sees them, for `hyperscale datacenters` and the score gauges. */
  describeDatacenters(preferred?: Iterable<string>): DatacenterView[] {
    const reports = evaluateCandidates(this.candidates(), this.distance, this.config);
    const prefer = toSet(preferred);
    let primaryRank = Number.POSITIVE_INFINITY;
    for (const r of reports) if (r.excluded === null) primaryRank = Math.min(primaryRank, bucketRank(r.bucket));
    for (const r of reports) {
      if (prefer?.has(r.datacenterId) === true && r.excluded === null && bucketRank(r.bucket) === primaryRank) {
        r.preferenceMultiplier = this.config.preferenceMultiplier;
        r.score *= r.preferenceMultiplier;
      }
    }
    const mature = this.distance.localIsMature();
    let best: CandidateReport | undefined;
    for (const r of reports) {
      if (r.excluded !== null) continue;
      if (
        best === undefined ||
        bucketRank(r.bucket) < bucketRank(best.bucket) ||
        (bucketRank(r.bucket) === bucketRank(best.bucket) &&
          (mature ? r.score < best.score : compareBootstrap(r, best) < 0))
      ) {
        best = r;
      }
    }
    const primaries = new Map<string, number>();
    for (const s of this.jobs.values()) {
      if (s.primary !== null) primaries.set(s.primary, (primaries.get(s.primary) ?? 0) + 1);
    }
    return reports.map((r) => ({
      ...r,
      role: r === best ? 'primary' : r.role,
      bestForNewJob: r === best,
      primaryForJobs: primaries.get(r.datacenterId) ?? 0,
    }));
  }
}

function toSet(items: Iterable<string> | undefined): ReadonlySet<string> | undefined {
  if (items === undefined) return undefined;
  const set = items instanceof Set ? (items as ReadonlySet<string>) : new Set(items);
  return set.size > 0 ? set : undefined;
}
