// AD-45 (facts §7.3): RTTs the gate measured itself, blended into the coordinate estimate. A Vivaldi
// estimate carries the embedding's error (≈ 9 % median on Azure, and its UCB adds 2σ of absolute
// error, tens of ms, to every datacenter alike), while a direct probe of a datacenter's manager is
// the real thing. Per datacenter: an EWMA of direct samples (α 0.1), a confidence min(1, n/10) that
// drops to 0 once the last sample is older than 300 s, samples above 60 s refused.
//   blended = c · observed + (1 − c) · rtt_ucb
// Measured (bench/routing.ts, Azure-44): with coordinates alone a co-located datacenter (1 ms)
// showed a UCB of ~40 ms and lost to a 4 ms neighbour; blended, the router agrees with the oracle.
import type { DistanceEstimate } from './distance.js';

export interface ObservedLatencyConfig {
  /** EWMA weight of a new sample. facts §7.3 AD-45 "tracker α 0.1". */
  readonly alpha: number;
  /** Samples for full confidence. facts §7.3 AD-45 "confidence min(1, n/10)". */
  readonly samplesForConfidence: number;
  /** No sample for this long ⇒ confidence 0. facts §7.3 AD-45 "stale 300 s". */
  readonly staleAfterMs: number;
  /** Samples above this are refused (a timed-out probe is not a latency). facts §7.3 AD-45 "cap 60 s". */
  readonly maxSampleMs: number;
  /** At most this many datacenters are tracked (least recently sampled dropped first). Ours. */
  readonly maxDatacenters: number;
}

export const DEFAULT_OBSERVED_LATENCY_CONFIG: ObservedLatencyConfig = Object.freeze({
  alpha: 0.1,
  samplesForConfidence: 10,
  staleAfterMs: 300_000,
  maxSampleMs: 60_000,
  maxDatacenters: 1024,
});

export interface ObservedLatencyEstimate {
  readonly latencyMs: number;
  /** In [0, 1]: how much of the blend the observation carries. */
  readonly confidence: number;
  readonly samples: number;
}

interface Track {
  ewmaMs: number;
  samples: number;
  lastAtMs: number;
}

export class ObservedLatency {
  readonly config: ObservedLatencyConfig;
  private readonly tracks = new Map<string, Track>();

  constructor(config: Partial<ObservedLatencyConfig> = {}) {
    this.config = { ...DEFAULT_OBSERVED_LATENCY_CONFIG, ...config };
    const c = this.config;
    if (!(c.alpha > 0 && c.alpha <= 1))
      throw new RangeError(`observed latency: alpha must be in (0, 1], got ${c.alpha}`);
    for (const key of ['samplesForConfidence', 'staleAfterMs', 'maxSampleMs', 'maxDatacenters'] as const) {
      if (!(c[key] > 0)) throw new RangeError(`observed latency: ${key} must be > 0, got ${c[key]}`);
    }
  }

  /** A direct RTT sample towards one of the datacenter's members; false when refused. */
  record(datacenterId: string, rttMs: number, nowMs: number): boolean {
    if (!(Number.isFinite(rttMs) && rttMs >= 0 && rttMs <= this.config.maxSampleMs)) return false;
    const track = this.tracks.get(datacenterId);
    if (track === undefined) {
      this.tracks.set(datacenterId, { ewmaMs: rttMs, samples: 1, lastAtMs: nowMs });
      while (this.tracks.size > this.config.maxDatacenters) this.tracks.delete(this.tracks.keys().next().value!);
      return true;
    }
    track.ewmaMs += this.config.alpha * (rttMs - track.ewmaMs);
    track.samples++;
    track.lastAtMs = nowMs;
    // least recently sampled first in iteration order
    this.tracks.delete(datacenterId);
    this.tracks.set(datacenterId, track);
    return true;
  }

  estimate(datacenterId: string, nowMs: number): ObservedLatencyEstimate | undefined {
    const track = this.tracks.get(datacenterId);
    if (track === undefined) return undefined;
    const fresh = nowMs - track.lastAtMs <= this.config.staleAfterMs;
    const confidence = fresh ? Math.min(1, track.samples / this.config.samplesForConfidence) : 0;
    return { latencyMs: track.ewmaMs, confidence, samples: track.samples };
  }

  forget(datacenterId: string): void {
    this.tracks.delete(datacenterId);
  }
}

/**
 * The AD-45 blend of a coordinate estimate with an observation: RTT `c·observed + (1−c)·ucb`, and
 * quality `c + (1−c)·quality` (a confident observation needs no coordinate to be trusted). With no
 * coordinate estimate, `missingRttMs` at quality 0 stands in for it.
 */
export function blendObserved(
  coordinate: DistanceEstimate | undefined,
  observed: ObservedLatencyEstimate | undefined,
  missingRttMs: number,
): DistanceEstimate | undefined {
  if (observed === undefined || !(observed.confidence > 0)) return coordinate;
  const c = observed.confidence;
  const base = coordinate ?? { rttUcbMs: missingRttMs, quality: 0 };
  return {
    rttUcbMs: c * observed.latencyMs + (1 - c) * base.rttUcbMs,
    quality: c + (1 - c) * base.quality,
  };
}
