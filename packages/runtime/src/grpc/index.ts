// The gRPC surface: starting and draining a server. Typed handlers, clients and status errors are
// @hyperscale/protocol's (serviceImplementation, createClient, GrpcStatusError).
export {
  type GrpcServer,
  type GrpcServiceRegistration,
  type StartGrpcServerOptions,
  startGrpcServer,
} from './server.js';
