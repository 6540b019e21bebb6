// Every setting gate-svc reads from its environment (or YAML file), in one place: the deploy
// manifests are checked against this list.
import { ORPHAN_GRACE_SETTING } from '@hyperscale/jobs';
import { defineSettings, nodeSettings, s } from '@hyperscale/runtime';
import { globalPoolSettings, swimCommonSettings } from '@hyperscale/swim';
import { gateBackpressureSettings } from './backpressure-settings.js';
import { gateTimeoutSettings } from './timeout-settings.js';

export const gateSettings = defineSettings({
  ...nodeSettings({
    role: 'gate',
    grpcPort: 7100,
    adminPort: 7101,
    grpcServes: 'clients and managers',
    reachedBy: 'managers',
    peers: 'managers',
  }),
  managerStaleAfter: s.durationMs({
    env: 'HYPERSCALE_MANAGER_STALE_AFTER',
    default: '5s',
    min: 100,
    max: 600_000,
    description: 'a manager silent this long no longer counts for its datacenter',
  }),
  reportInterval: s.durationMs({
    env: 'HYPERSCALE_REPORT_INTERVAL',
    default: '1s',
    min: 50,
    max: 60_000,
    description: 'datacenter report period asked of managers',
  }),
  progressInterval: s.durationMs({
    env: 'HYPERSCALE_PROGRESS_INTERVAL',
    default: '500ms',
    min: 20,
    max: 60_000,
    description: 'progress push period to watchers',
  }),
  tickInterval: s.durationMs({
    env: 'HYPERSCALE_TICK_INTERVAL',
    default: '1s',
    min: 10,
    max: 60_000,
    description: 'period of job deadline checks and cleanup',
  }),
  routingReviewInterval: s.durationMs({
    env: 'HYPERSCALE_ROUTING_REVIEW_INTERVAL',
    default: '5s',
    min: 100,
    max: 600_000,
    description:
      'how often running jobs are reviewed; a share whose manager is lost moves to a live manager of its datacenter, or to the next datacenter when none is reachable (AD-36: heartbeat cadence)',
  }),
  orphanGrace: s.durationMs({
    ...ORPHAN_GRACE_SETTING,
    description:
      "the workers' orphan grace (set it as on the workers): a lost manager's share moves once it and one check have passed, when the workers have stopped the old share",
  }),
  resultGrace: s.durationMs({
    env: 'HYPERSCALE_RESULT_GRACE',
    default: '60s',
    min: 0,
    max: 3_600_000,
    description:
      'wait for a datacenter’s final result once the timeout tracker ended the job (and, for a job it could not track, past the job timeout)',
  }),
  cancelGrace: s.durationMs({
    env: 'HYPERSCALE_CANCEL_GRACE',
    default: '10s',
    min: 0,
    max: 600_000,
    description: 'wait after a cancel for datacenters to confirm before finishing CANCELLED',
  }),
  idempotencyTtl: s.durationMs({
    env: 'HYPERSCALE_IDEMPOTENCY_TTL',
    default: '5m',
    min: 1_000,
    max: 86_400_000,
    description: 'how long a submission idempotency key is remembered (AD-40: 300 s)',
  }),
  jobRetention: s.durationMs({
    env: 'HYPERSCALE_JOB_RETENTION',
    default: '5m',
    min: 1_000,
    max: 86_400_000,
    description: 'how long finished jobs stay queryable',
  }),
  maxActiveJobs: s.int({
    env: 'HYPERSCALE_MAX_ACTIVE_JOBS',
    default: 1_000,
    min: 1,
    max: 1_000_000,
    description: 'jobs accepted at once; more are refused with RESOURCE_EXHAUSTED',
  }),
  ...gateTimeoutSettings,
  ...gateBackpressureSettings,
  ...globalPoolSettings(7102),
  ...swimCommonSettings(),
});
