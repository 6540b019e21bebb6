// Every setting worker-svc reads from its environment (or YAML file), in one place: the deploy
// manifests are checked against this list.
import { ORPHAN_GRACE_SETTING } from '@hyperscale/jobs';
import { defineSettings, nodeSettings, s } from '@hyperscale/runtime';
import { datacenterPoolSettings, swimCommonSettings } from '@hyperscale/swim';

export const workerSettings = defineSettings({
  ...nodeSettings({
    role: 'worker',
    grpcPort: 7300,
    adminPort: 7301,
    grpcServes: 'dispatch, cancel',
    reachedBy: 'managers',
    peers: 'the managers',
  }),
  datacenter: s.string({
    env: 'HYPERSCALE_DATACENTER',
    default: 'local',
    description: 'datacenter this worker runs in',
  }),
  managers: s.list({
    env: 'HYPERSCALE_MANAGERS',
    item: 'hostPort',
    minItems: 1,
    description: "gRPC addresses of this datacenter's managers",
  }),
  cores: s.int({
    env: 'HYPERSCALE_WORKER_CORES',
    default: 0,
    min: 0,
    max: 1024,
    description: 'cores to run load on (0 = all available)',
  }),
  heartbeatInterval: s.durationMs({
    env: 'HYPERSCALE_HEARTBEAT_INTERVAL',
    default: '1s',
    min: 50,
    max: 60_000,
    description: 'heartbeat period to managers',
  }),
  progressInterval: s.durationMs({
    env: 'HYPERSCALE_PROGRESS_INTERVAL',
    default: '250ms',
    min: 20,
    max: 60_000,
    description: 'progress report period (sub-second)',
  }),
  maxPendingWorkflows: s.int({
    env: 'HYPERSCALE_MAX_PENDING_WORKFLOWS',
    default: 100,
    min: 1,
    max: 10_000,
    description: 'dispatches held at once (facts §1.4)',
  }),
  drainTimeout: s.durationMs({
    env: 'HYPERSCALE_DRAIN_TIMEOUT',
    default: '20s',
    min: 0,
    max: 600_000,
    description: 'on SIGTERM, how long running shares may finish before they are handed back',
  }),
  orphanGrace: s.durationMs({
    ...ORPHAN_GRACE_SETTING,
    description:
      "how long a lost manager's shares keep running before they stop (facts §3.3); gates wait this long too (set it alike) before moving such a share",
  }),
  ...datacenterPoolSettings(7302),
  ...swimCommonSettings(),
});
