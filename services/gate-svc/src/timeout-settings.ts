// The gate's AD-34 timeout settings: part of `gateSettings` (so start-up validates them and the
// deploy manifests are checked against them), and mapped onto @hyperscale/timeout's config.
// Defaults are the package's (TIMEOUT_DEFAULTS), each with its source in packages/timeout/src/config.ts.
import { type Settings, s } from '@hyperscale/runtime';
import type { TimeoutConfig } from '@hyperscale/timeout';

export const gateTimeoutSettings = {
  timeoutCheckInterval: s.durationMs({
    env: 'HYPERSCALE_TIMEOUT_CHECK_INTERVAL',
    default: '15s',
    min: 10,
    max: 600_000,
    description: 'period of the global timeout check over every job (facts §7.1: 15 s)',
  }),
  timeoutOverallSlack: s.durationMs({
    env: 'HYPERSCALE_TIMEOUT_OVERALL_SLACK',
    default: '15s',
    min: 0,
    max: 3_600_000,
    description: 'the gate’s own overall deadline waits this long past timeout + extensions (the extension race)',
  }),
  timeoutAllDatacentersStuck: s.durationMs({
    env: 'HYPERSCALE_TIMEOUT_ALL_DATACENTERS_STUCK',
    default: '180s',
    min: 100,
    max: 86_400_000,
    description: 'every running datacenter without progress this long ⇒ global timeout (facts §7.1: 180 s)',
  }),
  timeoutDatacenterQuorum: s.enum({
    env: 'HYPERSCALE_TIMEOUT_DATACENTER_QUORUM',
    values: ['any', 'majority'] as const,
    default: 'any',
    description: 'how many datacenters must report a local timeout before a global one (packages/timeout README)',
  }),
  timeoutSendTimeout: s.durationMs({
    env: 'HYPERSCALE_TIMEOUT_SEND_TIMEOUT',
    default: '5s',
    min: 10,
    max: 600_000,
    description: 'deadline of one global timeout message to a manager (facts §7.1: 5 s)',
  }),
  timeoutFinalStatusWait: s.durationMs({
    env: 'HYPERSCALE_TIMEOUT_FINAL_STATUS_WAIT',
    default: '300s',
    min: 100,
    max: 86_400_000,
    description: 'after a global timeout, a datacenter silent this long is recorded TIMEOUT (facts §1.5: 300 s)',
  }),
} as const;

export type GateTimeoutSettings = Settings<typeof gateTimeoutSettings>;

export function gateTimeoutConfig(settings: GateTimeoutSettings): Partial<TimeoutConfig> {
  return {
    gateCheckIntervalMs: settings.timeoutCheckInterval,
    gateOverallSlackMs: settings.timeoutOverallSlack,
    allDatacentersStuckMs: settings.timeoutAllDatacentersStuck,
    dcTimeoutQuorum: settings.timeoutDatacenterQuorum,
    globalTimeoutSendTimeoutMs: settings.timeoutSendTimeout,
    finalStatusWaitMs: settings.timeoutFinalStatusWait,
  };
}
