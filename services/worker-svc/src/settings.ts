// Every setting worker-svc reads from its environment (or YAML file), in one place: the deploy
// manifests are checked against this list.
import { defineSettings, LOG_LEVELS, s } from '@hyperscale/runtime';
import { datacenterPoolSettings, swimCommonSettings } from '@hyperscale/swim';

export const workerSettings = defineSettings({
  nodeId: s.string({
    env: 'HYPERSCALE_NODE_ID',
    pattern: /^[A-Za-z0-9_.-]+$/,
    description: 'unique id of this worker',
  }),
  datacenter: s.string({
    env: 'HYPERSCALE_DATACENTER',
    default: 'local',
    description: 'datacenter this worker runs in',
  }),
  grpcHost: s.string({
    env: 'HYPERSCALE_GRPC_HOST',
    default: '127.0.0.1',
    description: 'address the gRPC server binds',
  }),
  grpcPort: s.port({
    env: 'HYPERSCALE_GRPC_PORT',
    default: 7300,
    allowZero: true,
    description: 'gRPC port (dispatch, cancel)',
  }),
  advertiseAddress: s.hostPort({
    env: 'HYPERSCALE_ADVERTISE_ADDRESS',
    optional: true,
    description: 'host:port managers use to reach this worker (default: grpc host and bound port)',
  }),
  adminHost: s.string({ env: 'HYPERSCALE_ADMIN_HOST', default: '127.0.0.1', description: 'admin HTTP bind address' }),
  adminPort: s.port({
    env: 'HYPERSCALE_ADMIN_PORT',
    default: 7301,
    allowZero: true,
    description: 'admin HTTP port (/healthz, /readyz, /metrics)',
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
  clusterId: s.string({ env: 'HYPERSCALE_CLUSTER_ID', default: 'hyperscale', description: 'must match the managers' }),
  environmentId: s.string({
    env: 'HYPERSCALE_ENVIRONMENT_ID',
    default: 'default',
    description: 'must match the managers',
  }),
  logLevel: s.enum({ env: 'HYPERSCALE_LOG_LEVEL', values: LOG_LEVELS, default: 'info', description: 'pino log level' }),
  ...datacenterPoolSettings(7302),
  ...swimCommonSettings(),
});
