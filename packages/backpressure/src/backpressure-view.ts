// The gate's picture of backpressure across datacenters (AD-37 items 5/6). Each manager's latest
// signal (from its progress stream or its periodic datacenter report) is kept with the time it
// arrived; a signal that is not refreshed within `signalTtlMs` stops counting, so a dead
// manager's REJECT cannot pin a datacenter. A datacenter's level is the highest of its managers'.
//
// Two consumers:
//   routing   `pressure(dc)` (0, 1/3, 2/3, 1) as an extra load term for the datacenter;
//   forwarding `decideForward(dc, jobId, isFinal)` spaces out the progress the gate forwards for a
//             job by the datacenter's suggested delay, and drops non-final progress at REJECT.
// Both maps (sources, per-job forward times) are bounded; the stalest entry goes first.
import type { Clock } from '@hyperscale/deterministic';
import { BackpressureLevel, type BackpressureSignal, NO_BACKPRESSURE } from './backpressure-signal.js';
import { BACKPRESSURE_DEFAULTS } from './config.js';

export interface BackpressureViewConfig {
  signalTtlMs: number;
  maxSources: number;
  maxTrackedJobs: number;
}

export type ForwardDecision =
  /** Forward it now. */
  | 'forward'
  /** Too soon after the last forward for this job: keep it (replacing any older held one) and try later. */
  | 'hold'
  /** The datacenter is at REJECT and this is not a final update: drop it. */
  | 'drop';

interface SourceSignal {
  datacenter: string;
  signal: BackpressureSignal;
  atMs: number;
}

export interface DatacenterBackpressure {
  readonly datacenter: string;
  readonly level: BackpressureLevel;
  readonly suggestedDelayMs: number;
  readonly sources: number;
}

export class BackpressureView {
  private readonly config: BackpressureViewConfig;
  /** Least recently updated first. */
  private readonly sources = new Map<string, SourceSignal>();
  /** Last forward time per job, least recent first. */
  private readonly lastForwardAt = new Map<string, number>();
  readonly forwardCounts = { forwarded: 0, held: 0, dropped: 0 };

  constructor(
    private readonly clock: Clock,
    config: Partial<BackpressureViewConfig> = {},
  ) {
    this.config = { ...BACKPRESSURE_DEFAULTS.view, ...config };
  }

  /** Records a signal from `sourceId` (a manager) in `datacenter`. */
  update(sourceId: string, datacenter: string, signal: BackpressureSignal): void {
    this.sources.delete(sourceId);
    this.sources.set(sourceId, { datacenter, signal, atMs: this.clock.now() });
    while (this.sources.size > this.config.maxSources) this.sources.delete(this.sources.keys().next().value as string);
  }

  /** Forgets a source (manager left or was declared dead). */
  remove(sourceId: string): void {
    this.sources.delete(sourceId);
  }

  /** The strongest live signal of a datacenter: highest level, largest delay. NONE when nothing is known. */
  signalFor(datacenter: string): BackpressureSignal {
    return this.summarise(datacenter) ?? NO_BACKPRESSURE;
  }

  levelFor(datacenter: string): BackpressureLevel {
    return this.signalFor(datacenter).level;
  }

  /** Highest level over every datacenter. */
  maxLevel(): BackpressureLevel {
    let level = BackpressureLevel.NONE;
    for (const dc of this.datacenters()) if (dc.level > level) level = dc.level;
    return level;
  }

  /** 0..1 load figure for routing: level / 3. */
  pressure(datacenter: string): number {
    return this.levelFor(datacenter) / BackpressureLevel.REJECT;
  }

  /** Every datacenter with at least one live source. */
  datacenters(): DatacenterBackpressure[] {
    this.expire();
    const byDc = new Map<string, { level: BackpressureLevel; delay: number; sources: number }>();
    for (const { datacenter, signal } of this.sources.values()) {
      const entry = byDc.get(datacenter) ?? { level: BackpressureLevel.NONE, delay: 0, sources: 0 };
      entry.level = Math.max(entry.level, signal.level);
      entry.delay = Math.max(entry.delay, signal.suggestedDelayMs);
      entry.sources++;
      byDc.set(datacenter, entry);
    }
    return [...byDc].map(([datacenter, e]) => ({
      datacenter,
      level: e.level,
      suggestedDelayMs: e.delay,
      sources: e.sources,
    }));
  }

  /**
   * Whether to forward a progress update of `jobId` coming from `datacenter` now. Final updates
   * (terminal status, final results) are always forwarded. Call it once per update; a 'forward'
   * answer counts as the job's forward.
   */
  decideForward(datacenter: string, jobId: string, isFinal: boolean): ForwardDecision {
    const now = this.clock.now();
    const signal = this.signalFor(datacenter);
    let decision: ForwardDecision = 'forward';
    if (!isFinal && signal.level !== BackpressureLevel.NONE) {
      if (signal.level === BackpressureLevel.REJECT) decision = 'drop';
      else {
        const last = this.lastForwardAt.get(jobId);
        if (last !== undefined && now - last < signal.suggestedDelayMs) decision = 'hold';
      }
    }
    if (decision === 'forward') {
      this.lastForwardAt.delete(jobId);
      this.lastForwardAt.set(jobId, now);
      while (this.lastForwardAt.size > this.config.maxTrackedJobs) {
        this.lastForwardAt.delete(this.lastForwardAt.keys().next().value as string);
      }
      this.forwardCounts.forwarded++;
    } else if (decision === 'hold') this.forwardCounts.held++;
    else this.forwardCounts.dropped++;
    return decision;
  }

  /** Forgets a job's forward time once it is finished. */
  forgetJob(jobId: string): void {
    this.lastForwardAt.delete(jobId);
  }

  get sourceCount(): number {
    this.expire();
    return this.sources.size;
  }

  private summarise(datacenter: string): BackpressureSignal | undefined {
    this.expire();
    let best: BackpressureSignal | undefined;
    let delay = 0;
    for (const source of this.sources.values()) {
      if (source.datacenter !== datacenter) continue;
      if (!best || source.signal.level > best.level) best = source.signal;
      delay = Math.max(delay, source.signal.suggestedDelayMs);
    }
    return best ? { ...best, suggestedDelayMs: delay } : undefined;
  }

  private expire(): void {
    const now = this.clock.now();
    for (const [id, source] of this.sources) {
      if (now - source.atMs < this.config.signalTtlMs) break; // later entries are newer
      this.sources.delete(id);
    }
  }
}
