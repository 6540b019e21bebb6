// The admin HTTP endpoint every service runs beside its gRPC port: liveness and readiness for
// Kubernetes probes, Prometheus metrics, and a JSON dump of live state for debugging. Kept apart
// from job control so a scrape or a probe never competes with the wire contract.
import Fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { toJsonSafe } from './json-safe.js';

export interface Readiness {
  ready: boolean;
  reason?: string;
}

export interface AdminServerOptions {
  host: string;
  /** 0 binds any free port; the bound one is in `address.port`. */
  port: number;
  logger: Logger;
  registry: Registry;
  isReady: () => Readiness;
  debugState: () => unknown;
  /** More read-only JSON endpoints (e.g. `/membership`), served like `/debug/state`. */
  jsonRoutes?: Readonly<Record<string, () => unknown>>;
}

export interface AdminServer {
  address: { host: string; port: number };
  close(): Promise<void>;
}

export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const logger = options.logger.child({ component: 'admin-http' });
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    let readiness: Readiness;
    try {
      readiness = options.isReady();
    } catch (error) {
      readiness = { ready: false, reason: `readiness check failed: ${(error as Error).message}` };
    }
    if (readiness.ready) return { status: 'ready' };
    return reply.code(503).send({ status: 'not-ready', reason: readiness.reason ?? 'not ready' });
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await options.registry.metrics();
    return reply.type(options.registry.contentType).send(text);
  });

  const serveJson = (path: string, read: () => unknown) =>
    app.get(path, async (_request, reply) => {
      let state: unknown;
      try {
        state = toJsonSafe(read());
      } catch (error) {
        logger.error({ err: error, path }, 'JSON endpoint failed');
        return reply.code(500).send({ error: (error as Error).message });
      }
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(state ?? null));
    });
  serveJson('/debug/state', options.debugState);
  for (const [path, read] of Object.entries(options.jsonRoutes ?? {})) serveJson(path, read);

  await app.listen({ host: options.host, port: options.port });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : options.port;
  logger.info({ host: options.host, port }, 'admin server listening');

  let closing: Promise<void> | undefined;
  return {
    address: { host: options.host, port },
    close: () => {
      closing ??= app.close().then(() => logger.info('admin server closed'));
      return closing;
    },
  };
}
