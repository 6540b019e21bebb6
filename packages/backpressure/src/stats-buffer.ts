// The manager's stats buffer (AD-23) with tiered retention. Raw records land in HOT; the
// manager's aggregation step folds them into WARM aggregates (10 s buckets), WARM rolls into COLD
// (60 s buckets), COLD rolls into a single archive summary — so memory is bounded at every tier
// no matter how long a test runs.
//
// HOT's fill ratio is the backpressure signal: it measures records received but not yet absorbed.
// When intake outruns aggregation the fill climbs through THROTTLE/BATCH/REJECT; at REJECT (or when
// HOT is full) new records are refused and counted. See README for why a record leaves HOT when it
// is aggregated rather than after a fixed 60 s retention.
import type { Clock } from '@hyperscale/deterministic';
import { BackpressureLevel, type BackpressureSignal, signalForLevel } from './backpressure-signal.js';
import { BACKPRESSURE_DEFAULTS } from './config.js';
import { FillLevelTracker, type LevelThresholds } from './fill-level.js';

export interface StatsAggregate {
  /** Start of the bucket (ms, same clock as the records). */
  readonly startMs: number;
  readonly widthMs: number;
  count: number;
  sum: number;
  min: number;
  max: number;
}

export interface StatsBufferConfig {
  hotCapacity: number;
  hotMaxAgeMs: number;
  warmBucketMs: number;
  warmMaxBuckets: number;
  coldBucketMs: number;
  coldMaxBuckets: number;
}

export type RecordOutcome = 'accepted' | 'rejected';

export class StatsBuffer {
  private readonly config: StatsBufferConfig;
  private readonly levels: FillLevelTracker;
  private readonly delays: { throttleDelayMs: number; batchDelayMs: number; rejectDelayMs: number };
  // HOT as a fixed ring: no allocation per record, no O(n) shifts.
  private readonly hotTimes: Float64Array;
  private readonly hotValues: Float64Array;
  private hotHead = 0;
  private hotSize = 0;
  private readonly warm = new Map<number, StatsAggregate>();
  private readonly cold = new Map<number, StatsAggregate>();
  private archiveSummary: StatsAggregate | undefined;
  private accepted = 0;
  private rejected = 0;

  constructor(
    private readonly clock: Clock,
    options: {
      config?: Partial<StatsBufferConfig>;
      thresholds?: Partial<LevelThresholds>;
      delays?: Partial<StatsBuffer['delays']>;
    } = {},
  ) {
    this.config = { ...BACKPRESSURE_DEFAULTS.statsBuffer, ...options.config };
    for (const [key, value] of Object.entries(this.config)) {
      if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`StatsBuffer ${key} must be > 0, got ${value}`);
    }
    this.levels = new FillLevelTracker(options.thresholds);
    this.delays = { ...BACKPRESSURE_DEFAULTS.signal, ...options.delays };
    this.hotTimes = new Float64Array(this.config.hotCapacity);
    this.hotValues = new Float64Array(this.config.hotCapacity);
  }

  /** Stores one raw record, unless the buffer is at REJECT or HOT is full. */
  record(value: number, atMs: number = this.clock.now()): RecordOutcome {
    if (
      !Number.isFinite(value) ||
      this.levels.level === BackpressureLevel.REJECT ||
      this.hotSize >= this.config.hotCapacity
    ) {
      this.rejected++;
      this.refreshLevel();
      return 'rejected';
    }
    const slot = (this.hotHead + this.hotSize) % this.config.hotCapacity;
    this.hotTimes[slot] = atMs;
    this.hotValues[slot] = value;
    this.hotSize++;
    this.accepted++;
    this.refreshLevel();
    return 'accepted';
  }

  /**
   * The manager's aggregation step: folds up to `budget` of the oldest HOT records into WARM
   * (and, whatever the budget, every record older than `hotMaxAgeMs`), then rolls WARM into COLD
   * and COLD into the archive past their bounds. Returns the number of records folded.
   */
  aggregate(budget: number = Number.POSITIVE_INFINITY): number {
    const now = this.clock.now();
    let folded = 0;
    while (this.hotSize > 0) {
      const at = this.hotTimes[this.hotHead]!;
      if (folded >= budget && now - at < this.config.hotMaxAgeMs) break;
      this.fold(this.warm, this.config.warmBucketMs, at, 1, this.hotValues[this.hotHead]!);
      this.hotHead = (this.hotHead + 1) % this.config.hotCapacity;
      this.hotSize--;
      folded++;
    }
    this.rollOver(this.warm, this.config.warmMaxBuckets, (agg) =>
      this.mergeInto(this.cold, this.config.coldBucketMs, agg),
    );
    this.rollOver(this.cold, this.config.coldMaxBuckets, (agg) => {
      const merged = this.archiveSummary ? combine(this.archiveSummary, agg) : { ...agg };
      // The archive spans from its first bucket to the end of its last one.
      this.archiveSummary = {
        ...merged,
        widthMs: Math.max(merged.widthMs, agg.startMs + agg.widthMs - merged.startMs),
      };
    });
    this.refreshLevel();
    return folded;
  }

  get level(): BackpressureLevel {
    return this.levels.level;
  }

  signal(): BackpressureSignal {
    return signalForLevel(this.levels.level, this.delays);
  }

  fillRatio(): number {
    return this.hotSize / this.config.hotCapacity;
  }

  get hotCount(): number {
    return this.hotSize;
  }

  get acceptedCount(): number {
    return this.accepted;
  }

  get rejectedCount(): number {
    return this.rejected;
  }

  /** WARM aggregates, oldest first (copies). */
  warmAggregates(): StatsAggregate[] {
    return sortedCopies(this.warm);
  }

  /** COLD aggregates, oldest first (copies). */
  coldAggregates(): StatsAggregate[] {
    return sortedCopies(this.cold);
  }

  /** Everything that has aged out of COLD, as one summary. */
  archive(): StatsAggregate | undefined {
    return this.archiveSummary ? { ...this.archiveSummary } : undefined;
  }

  private refreshLevel(): void {
    this.levels.update(this.fillRatio());
  }

  private fold(tier: Map<number, StatsAggregate>, widthMs: number, atMs: number, count: number, value: number): void {
    const start = Math.floor(atMs / widthMs) * widthMs;
    const existing = tier.get(start);
    if (existing) {
      existing.count += count;
      existing.sum += value;
      existing.min = Math.min(existing.min, value);
      existing.max = Math.max(existing.max, value);
    } else {
      tier.set(start, { startMs: start, widthMs, count, sum: value, min: value, max: value });
    }
  }

  private mergeInto(tier: Map<number, StatsAggregate>, widthMs: number, agg: StatsAggregate): void {
    const start = Math.floor(agg.startMs / widthMs) * widthMs;
    const existing = tier.get(start);
    tier.set(start, existing ? combine(existing, agg) : { ...agg, startMs: start, widthMs });
  }

  /** Removes the oldest buckets beyond `max`, handing each to `spill`. */
  private rollOver(tier: Map<number, StatsAggregate>, max: number, spill: (agg: StatsAggregate) => void): void {
    if (tier.size <= max) return;
    const starts = [...tier.keys()].sort((a, b) => a - b);
    for (const start of starts.slice(0, tier.size - max)) {
      spill(tier.get(start)!);
      tier.delete(start);
    }
  }
}

function combine(a: StatsAggregate, b: StatsAggregate): StatsAggregate {
  return {
    startMs: Math.min(a.startMs, b.startMs),
    widthMs: a.widthMs,
    count: a.count + b.count,
    sum: a.sum + b.sum,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
  };
}

function sortedCopies(tier: Map<number, StatsAggregate>): StatsAggregate[] {
  return [...tier.values()].sort((a, b) => a.startMs - b.startMs).map((agg) => ({ ...agg }));
}
