// AD-36 part 6: while the gate's own coordinate is immature (fewer than MIN_SAMPLES_FOR_ROUTING
// samples or error above the routing bound), RTT estimates are noise, so datacenters inside a bucket
// are ranked by spare capacity, then queue depth, then circuit pressure (facts §7.3 "Bootstrap").
// Two job-specific keys come first: a datacenter cooling after a failed dispatch goes last, and a
// preferred one (only in the primary bucket) goes first — without distances, the caller's
// preference is the only locality hint left.
import type { CandidateReport } from './routing-decision.js';

export function compareBootstrap(a: CandidateReport, b: CandidateReport): number {
  const coolingA = a.cooldownMultiplier !== 1 ? 1 : 0;
  const coolingB = b.cooldownMultiplier !== 1 ? 1 : 0;
  if (coolingA !== coolingB) return coolingA - coolingB;
  const prefA = a.preferenceMultiplier !== 1 ? 0 : 1;
  const prefB = b.preferenceMultiplier !== 1 ? 0 : 1;
  if (prefA !== prefB) return prefA - prefB;
  if (a.availableCores !== b.availableCores) return b.availableCores - a.availableCores;
  if (a.queueDepth !== b.queueDepth) return a.queueDepth - b.queueDepth;
  return a.circuitPressure - b.circuitPressure;
}

/** True when the local coordinate is mature enough to trust for routing (facts §7.2 "converged"). */
export function coordinateIsMature(
  sampleCount: number,
  errorSeconds: number,
  minSamples: number,
  maxErrorSeconds: number,
): boolean {
  return sampleCount >= minSamples && errorSeconds <= maxErrorSeconds;
}
