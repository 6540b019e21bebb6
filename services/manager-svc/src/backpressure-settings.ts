// The manager's backpressure settings (AD-37): part of `managerSettings`, so start-up validates them
// and the deploy manifests are checked against them. Defaults are @hyperscale/backpressure's
// (BACKPRESSURE_DEFAULTS, sources in packages/backpressure/src/config.ts) or, where the service
// chooses, documented here; the switch and the overload sampling are the fragments the gate
// declares too.
import { BACKPRESSURE_DEFAULTS } from '@hyperscale/backpressure';
import { backpressureSwitchSetting, overloadSamplingSettings } from '@hyperscale/backpressure/shell';
import { s } from '@hyperscale/runtime';

export const managerBackpressureSettings = {
  backpressure: backpressureSwitchSetting(
    'send backpressure signals and shed load; off only to measure what it buys (pnpm bench backpressure)',
  ),
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
  ...overloadSamplingSettings(),
};
