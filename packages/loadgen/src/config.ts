// The defaults of the load generator in one place, each with where its number comes from
// (DESIGN.md §8). The README's defaults table mirrors this object.

export const LOADGEN_DEFAULTS = {
  /** Job name when the spec has none. */
  jobName: 'job',
  /** Job timeout floor: hyperscale facts §1.1 (`timeout_seconds=300`). */
  jobTimeoutFloorMs: 300_000,
  /** Margin added to the longest dependency chain when the timeout is defaulted. */
  jobTimeoutMarginMs: 60_000,
  /** k6 default `vus: 1`. */
  vus: 1,
  /** k6 `gracefulStop` default: in-flight iterations may finish for this long after `duration`. */
  gracefulStopMs: 30_000,
  /** k6 HTTP `timeout` param default. */
  requestTimeoutMs: 60_000,
  /** k6 `http.expectedStatuses({ min: 200, max: 399 })` default. */
  expectedStatusMin: 200,
  expectedStatusMax: 399,
  /** Sub-second progress (issue 2 §5); the client batch push period is 0.25 s (facts §1.5). */
  progressIntervalMs: 250,
  /** HdrHistogram range in µs: 1 µs .. 60 s, 3 significant digits (HdrHistogram convention). */
  histogramLowestUs: 1,
  histogramHighestUs: 60_000_000,
  histogramSignificantDigits: 3 as const,
} as const;

/** Validation limits: generous, but they catch a typo'd extra zero before it melts a target. */
export const SPEC_LIMITS = {
  maxWorkflows: 1000,
  maxStepsPerWorkflow: 1000,
  maxVus: 1_000_000,
  maxRatePerSecond: 10_000_000,
  maxDurationMs: 7 * 24 * 3_600_000,
  maxDatacenterCount: 256,
  maxNameLength: 64,
  maxBodyBytes: 16 * 1024 * 1024,
} as const;
