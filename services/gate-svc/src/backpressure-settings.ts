// The gate's backpressure settings (AD-37, AD-24): part of `gateSettings`, so start-up validates
// them and the deploy manifests are checked against them. Defaults are @hyperscale/backpressure's
// (BACKPRESSURE_DEFAULTS, sources in packages/backpressure/src/config.ts) or documented here; the
// switch and the overload sampling are the fragments the manager declares too.
import { BACKPRESSURE_DEFAULTS } from '@hyperscale/backpressure';
import { backpressureSwitchSetting, overloadSamplingSettings } from '@hyperscale/backpressure/shell';
import { s } from '@hyperscale/runtime';

const submit = BACKPRESSURE_DEFAULTS.rateLimits.operations.job_submit;

export const gateBackpressureSettings = {
  backpressure: backpressureSwitchSetting(
    'shed load, rate-limit submissions and follow datacenter backpressure; off only to measure what it buys',
  ),
  submitRateCapacity: s.int({
    env: 'HYPERSCALE_SUBMIT_RATE_CAPACITY',
    default: submit.capacity,
    min: 1,
    max: 1_000_000,
    description: 'job submissions a client may burst (token bucket capacity; facts §6 row 24: 50)',
  }),
  submitRatePerSecond: s.number({
    env: 'HYPERSCALE_SUBMIT_RATE_PER_SECOND',
    default: submit.refillPerSecond,
    min: 0.001,
    max: 1_000_000,
    description: 'job submissions per second a client may sustain (token refill; facts §6 row 24: 5/s)',
  }),
  ...overloadSamplingSettings(),
};
