// The settings every hyperscale node declares the same way: its id, where its gRPC and admin
// servers bind, the address it advertises, the cluster it belongs to and its log level. Each
// service spreads them into its own src/settings.ts, which stays the one list its deploy manifests
// are checked against.
import { LOG_LEVELS } from '../logging.js';
import { s } from './setting.js';

export interface NodeSettingsOptions {
  /** 'gate', 'manager', 'worker': worded into the descriptions. */
  role: string;
  grpcPort: number;
  adminPort: number;
  /** What the gRPC port serves, e.g. 'dispatch, cancel'. */
  grpcServes: string;
  /** Who dials the advertised address, e.g. 'managers'. */
  reachedBy: string;
  /** Whose cluster and environment ids must match, e.g. 'the managers'. */
  peers: string;
}

export function nodeSettings(o: NodeSettingsOptions) {
  return {
    nodeId: s.string({
      env: 'HYPERSCALE_NODE_ID',
      pattern: /^[A-Za-z0-9_.-]+$/,
      description: `unique id of this ${o.role}`,
    }),
    grpcHost: s.string({
      env: 'HYPERSCALE_GRPC_HOST',
      default: '127.0.0.1',
      description: 'address the gRPC server binds',
    }),
    grpcPort: s.port({
      env: 'HYPERSCALE_GRPC_PORT',
      default: o.grpcPort,
      allowZero: true,
      description: `gRPC port (${o.grpcServes})`,
    }),
    advertiseAddress: s.hostPort({
      env: 'HYPERSCALE_ADVERTISE_ADDRESS',
      optional: true,
      description: `host:port ${o.reachedBy} use to reach this ${o.role} (default: grpc host and bound port)`,
    }),
    adminHost: s.string({ env: 'HYPERSCALE_ADMIN_HOST', default: '127.0.0.1', description: 'admin HTTP bind address' }),
    adminPort: s.port({
      env: 'HYPERSCALE_ADMIN_PORT',
      default: o.adminPort,
      allowZero: true,
      description: 'admin HTTP port (/healthz, /readyz, /metrics, /debug/state, /membership)',
    }),
    clusterId: s.string({ env: 'HYPERSCALE_CLUSTER_ID', default: 'hyperscale', description: `${o.peers} must match` }),
    environmentId: s.string({
      env: 'HYPERSCALE_ENVIRONMENT_ID',
      default: 'default',
      description: `${o.peers} must match`,
    }),
    logLevel: s.enum({
      env: 'HYPERSCALE_LOG_LEVEL',
      values: LOG_LEVELS,
      default: 'info',
      description: 'pino log level',
    }),
  };
}
