// Starting and draining a grpc-js server the same way in every service. Graceful shutdown is what
// lets a SIGTERM'd node finish the calls it accepted (DESIGN.md §8: never lose accepted work):
// stop accepting, let in-flight calls finish within a grace period, then force the rest closed.
// Generic over grpc-js definitions: the typed handlers and status errors live in @hyperscale/protocol.
import {
  type ChannelOptions,
  Server,
  ServerCredentials,
  type ServerInterceptor,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { formatHostPort } from '../config/host-port.js';

export interface GrpcServiceRegistration {
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

export interface StartGrpcServerOptions {
  host: string;
  /** 0 binds any free port; the bound one is returned. */
  port: number;
  services: readonly GrpcServiceRegistration[];
  logger: Logger;
  /** grpc-js server options (message size limits, keepalive). */
  options?: ChannelOptions;
  /**
   * grpc-js server interceptors, run for every call before its handler, first one outermost
   * (admission control, load shedding: the services build them, this stays protocol-free).
   */
  interceptors?: readonly ServerInterceptor[];
}

export interface GrpcServer {
  port: number;
  server: Server;
  /** Stops accepting calls, waits up to graceMs for in-flight calls, then forces shutdown. Idempotent. */
  tryShutdown(graceMs: number): Promise<void>;
  forceShutdown(): void;
}

export async function startGrpcServer(options: StartGrpcServerOptions): Promise<GrpcServer> {
  const logger = options.logger.child({ component: 'grpc-server' });
  const server = new Server({
    ...options.options,
    ...(options.interceptors?.length ? { interceptors: [...options.interceptors] } : {}),
  });
  for (const { definition, implementation } of options.services) server.addService(definition, implementation);
  const address = formatHostPort(options.host, options.port);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, boundPort) =>
      error ? reject(error) : resolve(boundPort),
    );
  });
  logger.info({ host: options.host, port }, 'gRPC server listening');

  let shuttingDown: Promise<void> | undefined;
  const tryShutdown = (graceMs: number): Promise<void> => {
    shuttingDown ??= new Promise<void>((resolve) => {
      const forceTimer = setTimeout(() => {
        logger.warn({ graceMs }, 'gRPC calls still in flight after the grace period; forcing shutdown');
        server.forceShutdown();
      }, graceMs);
      server.tryShutdown((error) => {
        clearTimeout(forceTimer);
        if (error) logger.warn({ err: error }, 'gRPC graceful shutdown reported an error');
        logger.info('gRPC server stopped');
        resolve();
      });
    });
    return shuttingDown;
  };
  return { port, server, tryShutdown, forceShutdown: () => server.forceShutdown() };
}
