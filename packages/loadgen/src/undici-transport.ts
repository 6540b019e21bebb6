// The real HTTP transport over undici keep-alive connections, sized to the VUs of the run (one
// request in flight per VU, so connections = VUs means no VU ever waits for a socket). Two modes:
// - 'pool' (default): one undici Pool per origin; safe to share between runs.
// - 'per-vu': one undici Client per VU lane and origin, so a VU always finds its own idle
//   connection and the pool's client selection and queue are skipped (measured 5-10 % less CPU
//   per request, bench/loadgen.ts). A run uses it for the transport it creates and owns.
import { Client, Pool } from 'undici';
import type { HttpStepSpec } from './spec-types.js';
import type { ExchangeHandler, HttpTransport, PreparedRequest } from './transport.js';

export interface UndiciTransportOptions {
  /** Connections per origin; use the number of VUs of the run (or of all runs sharing it). */
  connections: number;
  /** 'pool' (default, shareable) or 'per-vu' (one connection per VU lane; one run only). */
  mode?: 'pool' | 'per-vu';
  /** Idle keep-alive timeout of a pooled connection (undici default 4 s). */
  keepAliveTimeoutMs?: number;
}

/** The executor enforces the step timeout itself (one scan per run, not a timer per request). */
const NO_UNDICI_TIMEOUTS = { headersTimeout: 0, bodyTimeout: 0 } as const;

export class UndiciTransport implements HttpTransport {
  private readonly pools = new Map<string, Pool>();
  private readonly lanes = new Map<string, (Client | undefined)[]>();
  private readonly options: UndiciTransportOptions;

  constructor(options: UndiciTransportOptions) {
    this.options = options;
  }

  prepare(step: HttpStepSpec): PreparedRequest {
    const url = new URL(step.url);
    const headers: string[] = [];
    for (const [name, value] of Object.entries(step.headers)) headers.push(name, value);
    const dispatchOptions = { path: url.pathname + url.search, method: step.method, headers, body: step.body };
    const connections = Math.max(1, this.options.connections);
    const keepAliveTimeout = this.options.keepAliveTimeoutMs ?? 4_000;
    if (this.options.mode === 'per-vu') {
      let lanes = this.lanes.get(url.origin);
      if (lanes === undefined) {
        lanes = new Array<Client | undefined>(connections);
        this.lanes.set(url.origin, lanes);
      }
      const origin = url.origin;
      const clients = lanes;
      return {
        send(handler: ExchangeHandler, lane: number): void {
          const i = lane % connections;
          let client = clients[i];
          if (client === undefined) {
            client = new Client(origin, { pipelining: 1, keepAliveTimeout, ...NO_UNDICI_TIMEOUTS });
            clients[i] = client;
          }
          client.dispatch(dispatchOptions, handler);
        },
      };
    }
    let pool = this.pools.get(url.origin);
    if (pool === undefined) {
      pool = new Pool(url.origin, { connections, pipelining: 1, keepAliveTimeout, ...NO_UNDICI_TIMEOUTS });
      this.pools.set(url.origin, pool);
    }
    const target = pool;
    return {
      send(handler: ExchangeHandler): void {
        target.dispatch(dispatchOptions, handler);
      },
    };
  }

  async destroy(): Promise<void> {
    const dispatchers: (Pool | Client)[] = [...this.pools.values()];
    for (const lanes of this.lanes.values()) for (const c of lanes) if (c !== undefined) dispatchers.push(c);
    this.pools.clear();
    this.lanes.clear();
    await Promise.all(dispatchers.map((d) => d.destroy()));
  }
}
