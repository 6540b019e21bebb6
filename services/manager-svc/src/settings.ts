// Every setting manager-svc reads from its environment (or YAML file), in one place: the deploy
// manifests are checked against this list.
import { defineSettings, nodeSettings, s } from '@hyperscale/runtime';
import { datacenterPoolSettings, globalPoolSettings, swimCommonSettings } from '@hyperscale/swim';
import { managerBackpressureSettings } from './backpressure-settings.js';
import { managerTimeoutSettings } from './timeout-settings.js';

export const managerSettings = defineSettings({
  ...nodeSettings({
    role: 'manager',
    grpcPort: 7200,
    adminPort: 7201,
    grpcServes: 'jobs, workers',
    reachedBy: 'gates and workers',
    peers: 'workers and gates',
  }),
  datacenter: s.string({
    env: 'HYPERSCALE_DATACENTER',
    pattern: /^[A-Za-z0-9_.-]+$/,
    description: 'datacenter this manager serves',
  }),
  gates: s.list({
    env: 'HYPERSCALE_GATES',
    item: 'hostPort',
    default: [],
    description: 'gRPC addresses of the gates (empty: single-datacenter mode)',
  }),
  workerTimeout: s.durationMs({
    env: 'HYPERSCALE_WORKER_TIMEOUT',
    default: '15s',
    min: 100,
    max: 600_000,
    description:
      'backstop: a worker without gRPC heartbeats this long is lost even if SWIM still sees it (SWIM declares deaths first)',
  }),
  tickInterval: s.durationMs({
    env: 'HYPERSCALE_TICK_INTERVAL',
    default: '250ms',
    min: 10,
    max: 10_000,
    description: 'period of liveness checks and dispatch retries',
  }),
  reportInterval: s.durationMs({
    env: 'HYPERSCALE_REPORT_INTERVAL',
    default: '1s',
    min: 50,
    max: 60_000,
    description: 'datacenter capacity/health report period to gates',
  }),
  progressInterval: s.durationMs({
    env: 'HYPERSCALE_PROGRESS_INTERVAL',
    default: '500ms',
    min: 20,
    max: 60_000,
    description: 'job progress push period to gates and watchers',
  }),
  maxActiveJobs: s.int({
    env: 'HYPERSCALE_MAX_ACTIVE_JOBS',
    default: 1_000,
    min: 1,
    max: 1_000_000,
    description: 'jobs accepted at once; more are refused with RESOURCE_EXHAUSTED',
  }),
  jobRetention: s.durationMs({
    env: 'HYPERSCALE_JOB_RETENTION',
    default: '5m',
    min: 1_000,
    max: 86_400_000,
    description: 'how long finished jobs stay queryable (facts §6: 300 s)',
  }),
  ...managerTimeoutSettings,
  ...managerBackpressureSettings,
  ...datacenterPoolSettings(7202),
  ...globalPoolSettings(7203),
  ...swimCommonSettings(),
});
