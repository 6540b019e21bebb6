// The manager's backpressure settings (AD-37): part of `managerSettings`, so start-up validates them
// and the deploy manifests are checked against them. Defaults are @hyperscale/backpressure's
// (BACKPRESSURE_DEFAULTS, sources in packages/backpressure/src/config.ts) or, where the service
// chooses, documented here.
import { BACKPRESSURE_DEFAULTS } from '@hyperscale/backpressure';
import { s } from '@hyperscale/runtime';

export const managerBackpressureSettings = {
  backpressure: s.bool({
    env: 'HYPERSCALE_BACKPRESSURE',
    default: true,
    description: 'send backpressure signals and shed load; off only to measure what it buys (pnpm bench backpressure)',
  }),
  statsBufferCapacity: s.int({
    env: 'HYPERSCALE_STATS_BUFFER_CAPACITY',
    default: BACKPRESSURE_DEFAULTS.statsBuffer.hotCapacity,
    min: 10,
    max: 1_000_000,
    description:
      'progress records the stats buffer holds before aggregation; its fill sets the level (facts §6 row 23: 1000)',
  }),
  statsAggregateInterval: s.durationMs({
    env: 'HYPERSCALE_STATS_AGGREGATE_INTERVAL',
    default: '50ms',
    min: 10,
    max: 10_000,
    description: 'period of the stats aggregation step that drains the buffer (facts §1.5: 50 ms windows)',
  }),
  overloadSampleInterval: s.durationMs({
    env: 'HYPERSCALE_OVERLOAD_SAMPLE_INTERVAL',
    default: '250ms',
    min: 20,
    max: 10_000,
    description:
      'period of the overload detector readings: event-loop lag, handler latency, CPU, memory (facts §7.4: 0.25 s)',
  }),
  overloadLatencyFloor: s.durationMs({
    env: 'HYPERSCALE_OVERLOAD_LATENCY_FLOOR',
    default: '20ms',
    min: 0,
    max: 10_000,
    description: 'latency readings below this count as this: scheduler noise is not overload',
  }),
};
