// AD-36 part 4: the multi-factor score, lower is better.
//   score = rtt_ucb × load_factor × quality_penalty × severity_weight [× preference] [× cooldown]
// Each factor is monotonic and capped so one bad signal cannot dominate without bound.
import type { RoutingConfig } from './config.js';

/** `1 − available/total`, with no capacity known counting as fully used. */
export function utilization(availableCores: number, totalCores: number): number {
  if (!(totalCores > 0)) return 1;
  const free = availableCores / totalCores;
  if (!Number.isFinite(free)) return 1;
  return 1 - Math.min(1, Math.max(0, free));
}

/** `q / (q + smoothing)`: 0 for an empty queue, approaching 1 for a long one. */
export function queuePressure(queueDepth: number, config: RoutingConfig): number {
  if (!(queueDepth > 0)) return 0;
  if (!Number.isFinite(queueDepth)) return 1;
  return queueDepth / (queueDepth + config.queueSmoothing);
}

export function loadFactor(util: number, queue: number, circuit: number, config: RoutingConfig): number {
  const raw = 1 + config.utilizationWeight * util + config.queueWeight * queue + config.circuitWeight * circuit;
  return Math.min(config.loadFactorMax, raw);
}

export function qualityPenalty(quality: number, config: RoutingConfig): number {
  const q = Number.isFinite(quality) ? Math.min(1, Math.max(0, quality)) : 0;
  return Math.min(config.qualityPenaltyMax, 1 + config.qualityWeight * (1 - q));
}
