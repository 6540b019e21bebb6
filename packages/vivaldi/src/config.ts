// Every tunable number of the package in one place, each with where it comes from. serf's
// coordinate package (anchors §2.1) is the baseline; the original system's AD-35 constants
// (facts §7.2) supply the confidence side (UCB, quality, convergence). Where the two disagree the
// choice was made by measurement (`pnpm bench vivaldi`, README "Measurements").

export interface VivaldiConfig {
  // --- coordinate space -----------------------------------------------------------------------
  /** Euclidean dimensions. serf DefaultConfig 8 (Ledlie NSDI'07: no gain past ~7); facts §7.2: 8. */
  dimensions: number;
  /** Initial and maximum relative error. serf VivaldiErrorMax 1.5. */
  errorMax: number;
  /** Error-update gain. serf VivaldiCE 0.25 (Dabek SIGCOMM'04 ce); facts error_decay 0.25. */
  ce: number;
  /** Coordinate-update gain (timestep). serf VivaldiCC 0.25 (Dabek cc); facts ce 0.25. */
  cc: number;
  /** Samples in the adjustment window; 0 disables it. serf AdjustmentWindowSize 20 (Lee ToN'10). */
  adjustmentWindowSize: number;
  /** Smallest height, ms. serf HeightMin 10e-6 s = 0.01 ms. */
  heightMinMs: number;
  /** RTT samples per peer in the moving-median latency filter. serf LatencyFilterSize 3 (Ledlie). */
  latencyFilterSize: number;
  /** Gravity radius ρ, ms: force −(‖c‖/ρ)² s towards the origin. serf GravityRho 150 s. */
  gravityRhoMs: number;
  /** RTT samples above this are rejected, ms. serf client.go maxRTT 10 s; facts RTT_MAX_MS 10 000. */
  rttMaxMs: number;
  /** Peers whose filter state is kept; the least recently heard is forgotten first. Ours: bounds memory. */
  maxTrackedPeers: number;

  // --- improvements over serf (each measured in README "Measurements"; 0/false = serf) ---------
  /**
   * Peers remembered (last coordinate + filtered RTT) and replayed on every update as extra, averaged
   * forces, so each probe uses everything the node has learned instead of one spring. 0 = serf.
   * Ours, measured: 16 (8 is clearly worse; 24/32 gain ≤ 0.005 median error at +40/+80 % update cost).
   */
  neighborReplay: number;
  /**
   * Weight of the replayed mean force relative to the fresh sample's force. Ours, measured: 4 (2 and 3
   * slightly worse on Azure-44, geographic and grid; 8 over-steps on the random topology).
   */
  replayWeight: number;
  /**
   * EWMA gain of the per-peer RTT kept for replay (the first samples are averaged), so one noisy
   * sample is not replayed 32 times. Ours, measured: 0.25 (= facts error_decay); 1 (no smoothing) lost
   * most of the gain under 20 % jitter.
   */
  replaySmoothing: number;
  /**
   * Samples a node takes with serf's plain step before replay starts. Ours, measured: replaying from
   * the first sample left serf's split topology (1 ms LAN halves) at 6 % mean error instead of 0.006 %
   * because replay ran before the zero-filled adjustment window had ramped in (README); 10 still failed,
   * 15–100 pass on seeds 1–2; 20 keeps most of the speed-up.
   */
  replayAfterSamples: number;

  // --- confidence (AD-35) ---------------------------------------------------------------------
  /** Samples before a coordinate is trusted for routing. facts MIN_SAMPLES_FOR_ROUTING 10. */
  minSamplesForRouting: number;
  /** Relative error at or below which a mature coordinate counts as converged. Ours (see README). */
  convergedErrorMax: number;
  /** Smoothing of the absolute error errorMs. facts error_decay 0.25. */
  errorMsSmoothing: number;
  /** errorMs of a brand-new coordinate, ms. facts initial error 1.0 s. */
  initialErrorMs: number;
  /** RTT assumed when a coordinate is missing, ms. facts RTT_DEFAULT_MS 100. */
  rttDefaultMs: number;
  /** σ assumed when a coordinate's error is unknown, ms. facts SIGMA_DEFAULT_MS 50. */
  sigmaDefaultMs: number;
  /** Clamp of the combined σ, ms. facts SIGMA_MIN_MS 1 / SIGMA_MAX_MS 500. */
  sigmaMinMs: number;
  sigmaMaxMs: number;
  /** Width of the upper confidence bound in σ. facts K_SIGMA 2.0. */
  kSigma: number;
  /** Clamp of the UCB, ms. facts RTT_MIN_MS 1 / RTT_MAX_MS 10 000. */
  ucbMinMs: number;
  ucbMaxMs: number;
  /** Absolute error counted as fully good in quality(), ms. facts ERROR_GOOD_MS 20. */
  errorGoodMs: number;
  /** Age after which quality decays as ttl/age, s. facts COORD_TTL_S 300. */
  coordTtlS: number;
}

export const DEFAULT_VIVALDI_CONFIG: Readonly<VivaldiConfig> = Object.freeze({
  dimensions: 8,
  errorMax: 1.5,
  ce: 0.25,
  cc: 0.25,
  adjustmentWindowSize: 20,
  heightMinMs: 0.01,
  latencyFilterSize: 3,
  gravityRhoMs: 150_000,
  rttMaxMs: 10_000,
  maxTrackedPeers: 4096,

  neighborReplay: 16,
  replayWeight: 4,
  replaySmoothing: 0.25,
  replayAfterSamples: 20,

  minSamplesForRouting: 10,
  convergedErrorMax: 0.5,
  errorMsSmoothing: 0.25,
  initialErrorMs: 1000,
  rttDefaultMs: 100,
  sigmaDefaultMs: 50,
  sigmaMinMs: 1,
  sigmaMaxMs: 500,
  kSigma: 2,
  ucbMinMs: 1,
  ucbMaxMs: 10_000,
  errorGoodMs: 20,
  coordTtlS: 300,
});

/** serf's plain algorithm (anchors §2.1/§2.2): the defaults with every improvement switched off. */
export const SERF_REFERENCE_CONFIG: Readonly<VivaldiConfig> = Object.freeze({
  ...DEFAULT_VIVALDI_CONFIG,
  neighborReplay: 0,
});

/** Merges overrides onto the defaults and checks every value, naming the key and the allowed range. */
export function resolveConfig(overrides: Partial<VivaldiConfig> = {}): VivaldiConfig {
  const config: VivaldiConfig = { ...DEFAULT_VIVALDI_CONFIG };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined && key in DEFAULT_VIVALDI_CONFIG) {
      (config as unknown as Record<string, number>)[key] = value as number;
    }
  }
  requireRange(config, 'dimensions', 1, 64, true);
  requireRange(config, 'errorMax', Number.MIN_VALUE, 1e6);
  requireRange(config, 'ce', 0, 1);
  requireRange(config, 'cc', 0, 1);
  requireRange(config, 'adjustmentWindowSize', 0, 1e5, true);
  requireRange(config, 'heightMinMs', 0, 1e6);
  requireRange(config, 'latencyFilterSize', 1, 1024, true);
  requireRange(config, 'gravityRhoMs', Number.MIN_VALUE, Number.MAX_VALUE);
  requireRange(config, 'rttMaxMs', Number.MIN_VALUE, 1e9);
  requireRange(config, 'maxTrackedPeers', 1, 1e7, true);
  requireRange(config, 'neighborReplay', 0, 1024, true);
  requireRange(config, 'replayWeight', 0, 1e3);
  requireRange(config, 'replaySmoothing', Number.MIN_VALUE, 1);
  requireRange(config, 'replayAfterSamples', 0, 1e9, true);
  requireRange(config, 'minSamplesForRouting', 0, 1e9, true);
  requireRange(config, 'convergedErrorMax', 0, 1e6);
  requireRange(config, 'errorMsSmoothing', Number.MIN_VALUE, 1);
  requireRange(config, 'initialErrorMs', 0, 1e9);
  requireRange(config, 'rttDefaultMs', 0, 1e9);
  requireRange(config, 'sigmaDefaultMs', 0, 1e9);
  requireRange(config, 'sigmaMinMs', 0, 1e9);
  requireRange(config, 'sigmaMaxMs', config.sigmaMinMs, 1e9);
  requireRange(config, 'kSigma', 0, 1e3);
  requireRange(config, 'ucbMinMs', 0, 1e9);
  requireRange(config, 'ucbMaxMs', config.ucbMinMs, 1e9);
  requireRange(config, 'errorGoodMs', Number.MIN_VALUE, 1e9);
  requireRange(config, 'coordTtlS', Number.MIN_VALUE, 1e9);
  return config;
}

function requireRange(config: VivaldiConfig, key: keyof VivaldiConfig, min: number, max: number, integer = false) {
  const value = config[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`vivaldi config: ${key} must be a number in [${min}, ${max}], got ${String(value)}`);
  }
  if (integer && !Number.isInteger(value)) {
    throw new RangeError(`vivaldi config: ${key} must be an integer, got ${value}`);
  }
}
