// The manager's backpressure settings (AD-37): part of `managerSettings`, so start-up validates them
// and the deploy manifests are checked against them. Defaults are @hyperscale/backpressure's
// (BACKPRESSURE_DEFAULTS, sources in packages/backpressure/src/config.ts) or, where the service
// chooses, documented here; the switch and the overload sampling are the fragments the gate
// declares too.
import { BACKPRESSURE_DEFAULTS } from '@hyperscale/backpressure';
import { backpressureSwitchSetting, overloadSamplingSettings } from '@hyperscale/backpressure/shell';
import { s } from '@hyperscale/runtime';
import { SATURATION_DEFAULTS } from './manager-backpressure.js';

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
  saturationThreshold: s.number({
    env: 'HYPERSCALE_SATURATION_THRESHOLD',
    default: SATURATION_DEFAULTS.threshold,
    min: 0.1,
    max: 2,
    description:
      'event-loop utilisation over the saturation window above which NORMAL/LOW are shed at once and BATCH is signalled (ours; above 1 turns the check off)',
  }),
  saturationWindow: s.durationMs({
    env: 'HYPERSCALE_SATURATION_WINDOW',
    default: SATURATION_DEFAULTS.windowMs,
    min: 5,
    max: 10_000,
    description:
      'window the event-loop utilisation of the saturation check is measured over (ours: short enough to refuse a storm onset within ~20 ms; pnpm bench backpressure)',
  }),
  saturationHold: s.durationMs({
    env: 'HYPERSCALE_SATURATION_HOLD',
    default: SATURATION_DEFAULTS.holdMs,
    min: 0,
    max: 60_000,
    description: 'how long a saturated reading holds (ours: two overload sample periods, the detector relax time)',
  }),
  ...overloadSamplingSettings(),
};
