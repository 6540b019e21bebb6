// How much to trust a coordinate (AD-35, facts §7.2): an RTT upper confidence bound for timeouts
// and routing, and a quality score in [0, 1]. A missing, immature or unusable coordinate never
// excludes a peer: it only makes the bound conservative and the quality low.
import { DEFAULT_VIVALDI_CONFIG, type VivaldiConfig } from './config.js';
import { type Coordinate, coordinateProblem, estimateRttMs } from './coordinate.js';

type ConfidenceConfig = Pick<
  VivaldiConfig,
  | 'minSamplesForRouting'
  | 'rttDefaultMs'
  | 'sigmaDefaultMs'
  | 'sigmaMinMs'
  | 'sigmaMaxMs'
  | 'kSigma'
  | 'ucbMinMs'
  | 'ucbMaxMs'
  | 'errorGoodMs'
  | 'coordTtlS'
>;

function withDefaults(config?: Partial<VivaldiConfig>): ConfidenceConfig {
  return config === undefined ? DEFAULT_VIVALDI_CONFIG : { ...DEFAULT_VIVALDI_CONFIG, ...config };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

/** A coordinate's absolute error, ms; `sigmaDefaultMs` when it does not carry one. */
export function errorMsOf(c: Coordinate, config?: Partial<VivaldiConfig>): number {
  const e = c.errorMs;
  return e !== undefined && Number.isFinite(e) && e >= 0 ? e : withDefaults(config).sigmaDefaultMs;
}

/** The bound used when a coordinate is missing: RTT_DEFAULT + K·SIGMA_DEFAULT (facts: 100 + 2·50 = 200 ms). */
export function defaultRttUcbMs(config?: Partial<VivaldiConfig>): number {
  const c = withDefaults(config);
  return clamp(c.rttDefaultMs + c.kSigma * c.sigmaDefaultMs, c.ucbMinMs, c.ucbMaxMs);
}

/**
 * RTT upper confidence bound, ms: clamp(estimate + K_SIGMA · clamp(σ_local + σ_remote, σmin, σmax),
 * ucbMin, ucbMax) (facts §7.2). Either coordinate missing, unusable or of another dimensionality ⇒
 * the default bound (200 ms). Either coordinate immature (fewer than minSamplesForRouting samples)
 * ⇒ the larger of the computed and the default bound.
 */
export function rttUcbMs(local?: Coordinate, remote?: Coordinate, config?: Partial<VivaldiConfig>): number {
  const c = withDefaults(config);
  const fallback = defaultRttUcbMs(c);
  if (local === undefined || remote === undefined) return fallback;
  if (local.vec?.length !== remote.vec?.length) return fallback;
  if (coordinateProblem(local) !== undefined || coordinateProblem(remote) !== undefined) return fallback;
  const sigma = clamp(errorMsOf(local, c) + errorMsOf(remote, c), c.sigmaMinMs, c.sigmaMaxMs);
  const ucb = clamp(estimateRttMs(local, remote) + c.kSigma * sigma, c.ucbMinMs, c.ucbMaxMs);
  const mature = local.sampleCount >= c.minSamplesForRouting && remote.sampleCount >= c.minSamplesForRouting;
  return mature ? ucb : Math.max(ucb, fallback);
}

/**
 * Quality in [0, 1] (facts §7.2): min(1, n / MIN_SAMPLES) × min(1, ERROR_GOOD_MS / max(errorMs, 1)) ×
 * (1 while stalenessS ≤ COORD_TTL_S, else COORD_TTL_S / stalenessS). Non-finite or negative inputs
 * count as the worst case for that factor (negative staleness counts as fresh).
 */
export function quality(
  sampleCount: number,
  errorMs: number,
  stalenessS: number,
  config?: Partial<VivaldiConfig>,
): number {
  const c = withDefaults(config);
  const samples = Number.isFinite(sampleCount) && sampleCount > 0 ? sampleCount : 0;
  const sampleFactor = c.minSamplesForRouting === 0 ? 1 : Math.min(1, samples / c.minSamplesForRouting);
  const errorFactor = Number.isFinite(errorMs) && errorMs >= 0 ? Math.min(1, c.errorGoodMs / Math.max(errorMs, 1)) : 0;
  let stalenessFactor: number;
  if (Number.isNaN(stalenessS)) stalenessFactor = 0;
  else if (stalenessS <= c.coordTtlS) stalenessFactor = 1;
  else stalenessFactor = c.coordTtlS / stalenessS;
  return sampleFactor * errorFactor * stalenessFactor;
}

/** quality() of a coordinate at `nowMs` (same clock as its updatedAtMs). */
export function coordinateQuality(c: Coordinate, nowMs: number, config?: Partial<VivaldiConfig>): number {
  return quality(c.sampleCount, errorMsOf(c, config), (nowMs - c.updatedAtMs) / 1000, config);
}
