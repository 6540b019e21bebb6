// The built-in HTTP target: a small keep-alive server on 127.0.0.1 that answers every request
// and counts them, so a quick start and the end-to-end tests can compare what hyperscale reports
// with what a target really received. `GET /__hyperscale/count` returns the count (not counted).
import { createServer, type Server } from 'node:http';

export interface TargetServer {
  readonly port: number;
  readonly url: string;
  /** Requests served, excluding the count endpoint. */
  count(): number;
  /** Request count per path. */
  countsByPath(): Record<string, number>;
  /** Monotonic times (performance.now) of the first and last request since the last reset. */
  timing(): { firstMs: number | undefined; lastMs: number | undefined };
  reset(): void;
  close(): Promise<void>;
}

export const COUNT_PATH = '/__hyperscale/count';

export interface TargetServerOptions {
  port?: number;
  host?: string;
  /** Delay before answering, to give the target some latency. */
  delayMs?: number;
}

export async function startTargetServer(options: TargetServerOptions = {}): Promise<TargetServer> {
  let total = 0;
  let byPath: Record<string, number> = {};
  let firstMs: number | undefined;
  let lastMs: number | undefined;
  const body = Buffer.from('{"ok":true}');
  const delay = options.delayMs ?? 0;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === COUNT_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ count: total, byPath }));
      return;
    }
    total++;
    lastMs = performance.now();
    firstMs ??= lastMs;
    byPath[path] = (byPath[path] ?? 0) + 1;
    const reply = () => {
      const status = path.startsWith('/status/') ? Number(path.slice(8)) || 200 : 200;
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    };
    // Drain the request body before answering so keep-alive connections stay usable.
    req.resume();
    req.on('end', () => (delay > 0 ? setTimeout(reply, delay) : reply()));
  });
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    url: `http://${host}:${port}`,
    count: () => total,
    countsByPath: () => ({ ...byPath }),
    timing: () => ({ firstMs, lastMs }),
    reset: () => {
      total = 0;
      byPath = {};
      firstMs = undefined;
      lastMs = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
