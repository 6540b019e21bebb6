// The gRPC surface: server start/drain, handler adapters, error conventions, client calls.
export { type CallOptions, callUnary, deadlineIn } from './client.js';
export { type HandlerOptions, serverStreamHandler, unaryHandler } from './handlers.js';
export {
  type GrpcServer,
  type GrpcServiceRegistration,
  type StartGrpcServerOptions,
  startGrpcServer,
} from './server.js';
export {
  FIELD_PATH_KEY,
  failedPrecondition,
  type GrpcErrorInfo,
  GrpcStatusError,
  grpcError,
  grpcErrorInfo,
  invalidArgument,
  isRetryableGrpcError,
  LEADER_HINT_KEY,
  notFound,
  RETRY_AFTER_MS_KEY,
  resourceExhausted,
  unavailable,
} from './status-error.js';
