// The manager's AD-34/AD-26 timeout settings: part of `managerSettings` (so start-up validates them
// and the deploy manifests are checked against them), and mapped onto @hyperscale/timeout's config.
// Defaults are the package's (TIMEOUT_DEFAULTS), each with its source in packages/timeout/src/config.ts.
import { type Settings, s } from '@hyperscale/runtime';
import type { TimeoutConfig } from '@hyperscale/timeout';

export const managerTimeoutSettings = {
  timeoutTickInterval: s.durationMs({
    env: 'HYPERSCALE_TIMEOUT_TICK_INTERVAL',
    default: '5s',
    min: 10,
    max: 60_000,
    description: 'period of the job timeout loop (AD-34; bounds how late a timeout is detected)',
  }),
  timeoutStuckThreshold: s.durationMs({
    env: 'HYPERSCALE_TIMEOUT_STUCK_THRESHOLD',
    default: '120s',
    min: 100,
    max: 86_400_000,
    description: 'a job with no completed iteration and no extension for this long is stuck (facts §7.1: 120 s)',
  }),
  timeoutProgressReportInterval: s.durationMs({
    env: 'HYPERSCALE_TIMEOUT_PROGRESS_REPORT_INTERVAL',
    default: '10s',
    min: 10,
    max: 600_000,
    description: 'AD-34 progress report period to the job’s gate (facts §7.1: 10 s)',
  }),
  timeoutReportRetry: s.durationMs({
    env: 'HYPERSCALE_TIMEOUT_REPORT_RETRY',
    default: '5s',
    min: 10,
    max: 600_000,
    description: 'unacknowledged timeout / leader-transfer reports are re-sent this often',
  }),
  timeoutGateUnreachableFallback: s.durationMs({
    env: 'HYPERSCALE_TIMEOUT_GATE_UNREACHABLE_FALLBACK',
    default: '300s',
    min: 100,
    max: 86_400_000,
    description:
      'after a local timeout, time the job out locally when the gate stays silent this long (facts §7.1: 300 s)',
  }),
  extensionBase: s.durationMs({
    env: 'HYPERSCALE_EXTENSION_BASE',
    default: '30s',
    min: 10,
    max: 3_600_000,
    description: 'AD-26 base deadline; grants are base/2, base/4, ... (facts §6 row 26: 30 s)',
  }),
  extensionMinGrant: s.durationMs({
    env: 'HYPERSCALE_EXTENSION_MIN_GRANT',
    default: '1s',
    min: 1,
    max: 3_600_000,
    description: 'smallest AD-26 extension grant (facts §6 row 26: 1 s)',
  }),
  maxExtensions: s.int({
    env: 'HYPERSCALE_MAX_EXTENSIONS',
    default: 5,
    min: 0,
    max: 100,
    description: 'AD-26 extension grants per worker and job (facts §6 row 26: 5)',
  }),
  extensionGrace: s.durationMs({
    env: 'HYPERSCALE_EXTENSION_GRACE',
    default: '10s',
    min: 0,
    max: 3_600_000,
    description:
      'after its last extension, a worker still asking is evicted from the job after this (facts §6 row 26: 10 s)',
  }),
} as const;

export type ManagerTimeoutSettings = Settings<typeof managerTimeoutSettings>;

export function managerTimeoutConfig(settings: ManagerTimeoutSettings): Partial<TimeoutConfig> {
  return {
    managerTickIntervalMs: settings.timeoutTickInterval,
    stuckThresholdMs: settings.timeoutStuckThreshold,
    progressReportIntervalMs: settings.timeoutProgressReportInterval,
    recentProgressWindowMs: settings.timeoutProgressReportInterval,
    reportRetryIntervalMs: settings.timeoutReportRetry,
    gateUnreachableFallbackMs: settings.timeoutGateUnreachableFallback,
    extensionBaseMs: settings.extensionBase,
    extensionMinGrantMs: settings.extensionMinGrant,
    maxExtensions: settings.maxExtensions,
    extensionGracePeriodMs: settings.extensionGrace,
  };
}
