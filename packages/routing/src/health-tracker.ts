// Per-datacenter health memory of one router: the bucket each datacenter is in and since when, so
// that classification has hysteresis (facts §5's bars to enter a bucket, `HEALTH_EXIT_THRESHOLDS` and
// a minimum dwell to leave it). Escalation is immediate — a datacenter that got worse is treated as
// worse at once (AD-18: "escalate immediately, relax after …") — relaxation waits until the signals
// have been under the exit bars continuously for `healthMinDwellMs`. Only datacenters the gate
// describes by raw `healthSignals` are tracked: a bucket the gate classified itself is its own
// business and is used as given.
//
// Bounded and expiring like the per-job store: an entry not refreshed for `healthStateTtlMs` is
// dropped (the datacenter then starts afresh from its next report), and at most
// `maxTrackedDatacenters` are kept (the least recently seen evicted first). Time comes from the
// caller (the router's clock); nothing here reads a clock.
import { bucketRank, type HealthBucket } from './health-bucket.js';
import {
  classifyDatacenterHealth,
  type DatacenterHealthSignals,
  HEALTH_EXIT_THRESHOLDS,
  HEALTH_THRESHOLDS,
} from './health-classifier.js';

export interface HealthTrackerOptions {
  /** Signals must allow a better bucket this long, continuously, before the datacenter gets it. */
  readonly minDwellMs: number;
  /** An entry not refreshed this long is forgotten. */
  readonly ttlMs: number;
  /** At most this many datacenters are remembered. */
  readonly maxEntries: number;
}

interface Entry {
  bucket: HealthBucket;
  /** When the datacenter entered `bucket`. */
  sinceMs: number;
  /** Since when the exit bars have allowed a better bucket without a break; null when they do not. */
  relaxSinceMs: number | null;
  seenMs: number;
}

export interface TrackedHealth {
  readonly bucket: HealthBucket;
  readonly sinceMs: number;
}

export class DatacenterHealthTracker {
  private readonly entries = new Map<string, Entry>();
  private lastSweepMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: HealthTrackerOptions) {}

  get size(): number {
    return this.entries.size;
  }

  /** The bucket of `datacenterId` given its signals now, updating its memory. */
  classify(datacenterId: string, signals: DatacenterHealthSignals, nowMs: number): HealthBucket {
    this.sweep(nowMs);
    const entered = classifyDatacenterHealth(signals, HEALTH_THRESHOLDS);
    let entry = this.entries.get(datacenterId);
    if (entry === undefined || nowMs - entry.seenMs > this.options.ttlMs) {
      if (entry === undefined && this.entries.size >= this.options.maxEntries) this.evictOldest();
      entry = { bucket: entered, sinceMs: nowMs, relaxSinceMs: null, seenMs: nowMs };
      this.entries.set(datacenterId, entry);
      return entered;
    }
    entry.seenMs = Math.max(entry.seenMs, nowMs);
    const current = bucketRank(entry.bucket);
    if (bucketRank(entered) >= current) {
      // Same or worse: escalate at once; a relaxation in progress is broken off.
      if (bucketRank(entered) > current) {
        entry.bucket = entered;
        entry.sinceMs = nowMs;
      }
      entry.relaxSinceMs = null;
      return entry.bucket;
    }
    const allowed = classifyDatacenterHealth(signals, HEALTH_EXIT_THRESHOLDS);
    if (bucketRank(allowed) >= current) {
      // Better than the entry bars but not under the exit bars: inside the band, stay.
      entry.relaxSinceMs = null;
      return entry.bucket;
    }
    entry.relaxSinceMs ??= nowMs;
    if (nowMs - entry.relaxSinceMs >= this.options.minDwellMs) {
      entry.bucket = allowed;
      entry.sinceMs = nowMs;
      entry.relaxSinceMs = null;
    }
    return entry.bucket;
  }

  /** What the tracker remembers about a datacenter, without changing it. */
  peek(datacenterId: string): TrackedHealth | undefined {
    const e = this.entries.get(datacenterId);
    return e === undefined ? undefined : { bucket: e.bucket, sinceMs: e.sinceMs };
  }

  /** Drops entries not refreshed for the TTL; returns how many. */
  expire(nowMs: number): number {
    let dropped = 0;
    for (const [id, e] of this.entries) {
      if (nowMs - e.seenMs > this.options.ttlMs) {
        this.entries.delete(id);
        dropped++;
      }
    }
    this.lastSweepMs = nowMs;
    return dropped;
  }

  private sweep(nowMs: number): void {
    // At most a few sweeps per TTL: the per-call cost stays one comparison.
    if (nowMs - this.lastSweepMs >= this.options.ttlMs / 4) this.expire(nowMs);
  }

  private evictOldest(): void {
    let oldestId: string | undefined;
    let oldestMs = Number.POSITIVE_INFINITY;
    for (const [id, e] of this.entries) {
      if (e.seenMs < oldestMs) {
        oldestMs = e.seenMs;
        oldestId = id;
      }
    }
    if (oldestId !== undefined) this.entries.delete(oldestId);
  }
}
