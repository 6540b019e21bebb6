// The real HTTP transport: one undici keep-alive Pool per origin, sized to the VUs of the run (one
// request in flight per VU, so connections = VUs means no VU ever waits for a socket).
import { Pool } from 'undici';
import type { HttpStepSpec } from './spec-types.js';
import type { ExchangeHandler, HttpTransport, PreparedRequest } from './transport.js';

export interface UndiciTransportOptions {
  /** Connections per origin; use the number of VUs of the run. */
  connections: number;
  /** Idle keep-alive timeout of a pooled connection (undici default 4 s). */
  keepAliveTimeoutMs?: number;
}

export class UndiciTransport implements HttpTransport {
  private readonly pools = new Map<string, Pool>();
  private readonly options: UndiciTransportOptions;

  constructor(options: UndiciTransportOptions) {
    this.options = options;
  }

  prepare(step: HttpStepSpec): PreparedRequest {
    const url = new URL(step.url);
    let pool = this.pools.get(url.origin);
    if (pool === undefined) {
      pool = new Pool(url.origin, {
        connections: Math.max(1, this.options.connections),
        pipelining: 1,
        keepAliveTimeout: this.options.keepAliveTimeoutMs ?? 4_000,
        // The executor enforces the step timeout itself (one scan per run, not a timer per request).
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      this.pools.set(url.origin, pool);
    }
    const headers: string[] = [];
    for (const [name, value] of Object.entries(step.headers)) headers.push(name, value);
    const dispatchOptions = {
      path: url.pathname + url.search,
      method: step.method,
      headers,
      body: step.body,
    };
    const target = pool;
    return {
      send(handler: ExchangeHandler): void {
        target.dispatch(dispatchOptions, handler);
      },
    };
  }

  async destroy(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.destroy()));
  }
}
