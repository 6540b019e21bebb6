export * from './gen/hyperscale/v1/common_pb.js';
export * from './gen/hyperscale/v1/gate_pb.js';
export * from './gen/hyperscale/v1/job_pb.js';
export * from './gen/hyperscale/v1/manager_pb.js';
export * from './gen/hyperscale/v1/worker_pb.js';
export { methodPaths, serviceDefinition } from './grpc/service-definition.js';
export {
  FIELD_PATH_KEY,
  failedPrecondition,
  type GrpcErrorInfo,
  GrpcStatusError,
  grpcCodeOf,
  grpcErrorInfo,
  grpcMetadataOf,
  invalidArgument,
  isRetryableGrpcError,
  LEADER_HINT_KEY,
  notFound,
  RETRY_AFTER_MS_KEY,
  resourceExhausted,
  unavailable,
} from './grpc/status-error.js';
export {
  type CallOptions,
  type ClientOf,
  type ClientOptions,
  createClient,
  type TypedClient,
} from './grpc/typed-client.js';
export {
  type HandlersOf,
  type ServiceHandlers,
  type StreamWriter,
  serviceImplementation,
} from './grpc/typed-server.js';
export { checkProtocolVersion, PROTOCOL_MAJOR, PROTOCOL_MINOR } from './version.js';
