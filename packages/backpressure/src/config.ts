// Every default of the package in one place, each with the source of its number
// (facts = /work/shared/reference/hyperscale-design-facts.md, anchors = anchors.md).
// Components take a partial override of their own section.

export const BACKPRESSURE_DEFAULTS = {
  statsBuffer: {
    /** HOT tier capacity in raw records (facts §6 row 23, §7.4: HOT 1000). */
    hotCapacity: 1000,
    /** Raw records older than this are folded into WARM even if not yet processed (facts §6 row 23: 60 s). */
    hotMaxAgeMs: 60_000,
    /** WARM aggregate bucket width and count (facts §6 row 23: 10 s aggregates, ≤ 360). */
    warmBucketMs: 10_000,
    warmMaxBuckets: 360,
    /** COLD aggregate bucket width and count (facts §6 row 23: 60 s aggregates, ≤ 1440). */
    coldBucketMs: 60_000,
    coldMaxBuckets: 1440,
  },
  levels: {
    /** HOT fill at which each level starts (facts §6 row 23, §7.4: 0.70 / 0.85 / 0.95). */
    throttleAt: 0.7,
    batchAt: 0.85,
    rejectAt: 0.95,
    /** A level is left only once fill < its threshold − this (ours, see README). */
    hysteresis: 0.1,
  },
  signal: {
    /** Suggested delays in the signal (facts §7.4: THROTTLE 100, BATCH 500, REJECT 1000 ms). */
    throttleDelayMs: 100,
    batchDelayMs: 500,
    rejectDelayMs: 1000,
  },
  workerFlush: {
    /** Base flush period (facts §1.4: WORKER_PROGRESS_FLUSH_INTERVAL 50 ms). */
    baseIntervalMs: 50,
    /** Extra delay floors per level (facts §7.4: max(d,500), max(2d,1000), max(4d,2000)). */
    throttleFloorMs: 500,
    batchFloorMs: 1000,
    rejectFloorMs: 2000,
    /** BATCH flushes every Nth cycle (facts §7.4: every 4th). */
    batchEveryNthCycle: 4,
    /** A manager's signal stops counting after this long without a refresh (ours, README). */
    signalTtlMs: 5000,
    /** At most this many managers' signals are remembered (ours: a DC has a handful of managers). */
    maxManagers: 64,
    /** At most this many workflows' progress are buffered; the oldest is dropped beyond (ours: 100 pending workflows per worker, facts §1.4, ×10). */
    maxBufferedWorkflows: 1000,
    /** Mean dwell per level on the way down, jittered ×[0.5, 1.5) (ours, README: spreads the return of a storm's workers over ~1.5 s). */
    recoveryStepMs: 500,
    /** Per-cycle spread of the extra delay under pressure, ×[0.5, 1.5) (ours, README: workers told the same level must not flush in step). */
    pressureJitter: 0.5,
  },
  inFlight: {
    /** Per-priority caps; CRITICAL is unlimited but counted (facts §6 row 32). */
    high: 500,
    normal: 300,
    low: 200,
    /** Global cap across all priorities (facts §6 row 32). */
    global: 1000,
  },
  overload: {
    /** Baseline EMA smoothing (facts §5 AD-18: α 0.1, slow 0.02). */
    emaAlpha: 0.1,
    slowEmaAlpha: 0.02,
    /** Samples averaged for the current latency (facts §5 AD-18: current window 10). */
    currentWindow: 10,
    /** No latency verdict before this many samples (facts §5 AD-18: min 3). */
    minSamples: 3,
    /** Delta ignored during the first samples while the baseline forms (facts §5 AD-18: warm-up 10). */
    warmupSamples: 10,
    /** (avg − ema)/ema thresholds for busy/stressed/overloaded (facts §5 AD-18: 0.2/0.5/1.0). */
    deltaThresholds: [0.2, 0.5, 1.0] as const,
    /** (fast − slow)/slow: escalate one level above 0.15; lift healthy→busy above 0.30 (facts §5 AD-18). */
    driftEscalate: 0.15,
    driftLiftHealthy: 0.3,
    /** Mean latency thresholds in ms (facts §5 AD-18: 200/500/2000). */
    latencyThresholdsMs: [200, 500, 2000] as const,
    /** CPU and memory utilisation thresholds, 0..1 (facts §5 AD-18: 0.70/0.85/0.95). */
    cpuThresholds: [0.7, 0.85, 0.95] as const,
    memoryThresholds: [0.7, 0.85, 0.95] as const,
    /** Consecutive lower samples needed before relaxing (facts §5 AD-18: 2). */
    relaxAfterSamples: 2,
  },
  rateLimits: {
    /** (capacity, refill per second) per operation (facts §6 row 24). */
    operations: {
      job_submit: { capacity: 50, refillPerSecond: 5 },
      job_status: { capacity: 100, refillPerSecond: 10 },
      workflow_dispatch: { capacity: 100, refillPerSecond: 10 },
      cancel: { capacity: 20, refillPerSecond: 2 },
      progress_update: { capacity: 300, refillPerSecond: 30 },
      stats_update: { capacity: 500, refillPerSecond: 50 },
      heartbeat: { capacity: 200, refillPerSecond: 20 },
      reconnect: { capacity: 10, refillPerSecond: 1 },
    },
    /** Any operation without its own entry (facts §6 row 24: 100, 10/s). */
    defaultOperation: { capacity: 100, refillPerSecond: 10 },
    /** Idle clients are forgotten after this (facts §6 row 24: 300 s). */
    idleClientTtlMs: 300_000,
    /** Client buckets kept at most; the longest idle goes first (ours, README). */
    maxClients: 10_000,
  },
  retryAfter: {
    /** SDK retries on RESOURCE_EXHAUSTED (facts §6 row 24: 3×, ≤ 60 s, ×1.5). */
    maxRetries: 3,
    baseDelayMs: 1000,
    multiplier: 1.5,
    maxDelayMs: 60_000,
  },
  view: {
    /** A source's signal expires after this without a refresh (ours, README). */
    signalTtlMs: 5000,
    /** Sources remembered at most; the stalest goes first (ours, README). */
    maxSources: 4096,
    /** Jobs whose last forward time is remembered (ours: bound ≈ gate idempotency cache / 10). */
    maxTrackedJobs: 10_000,
  },
} as const;

export type BackpressureDefaults = typeof BACKPRESSURE_DEFAULTS;
