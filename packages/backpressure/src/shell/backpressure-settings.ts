// Setting fragments every service with backpressure declares the same way: the on/off switch
// (each service words what it switches) and the overload detector's sampling (gate and manager).
// Each service still lists its settings in its own src/settings.ts, spreading these in, so that
// file stays the one list its deploy manifests are checked against.
import { s } from '@hyperscale/runtime';

/** `HYPERSCALE_BACKPRESSURE`: on by default; `description` says what turning it off stops. */
export function backpressureSwitchSetting(description: string) {
  return s.bool({ env: 'HYPERSCALE_BACKPRESSURE', default: true, description });
}

/** The overload detector's sampling: its period (facts §7.4: 0.25 s) and latency floor (ours). */
export function overloadSamplingSettings() {
  return {
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
}
