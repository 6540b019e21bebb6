// Test helpers: a counting HTTP target, hand-driven timers and an in-memory transport.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExchangeHandler, HttpStepSpec, HttpTransport, PreparedRequest, Timers } from '../src/index.js';

export interface CountingTarget {
  url: string;
  /** Requests received per path (counted when the request arrives). */
  count(path: string): number;
  total(): number;
  connections(): number;
  lastBody: string;
  lastHeaders: IncomingMessage['headers'];
  close(): Promise<void>;
}

/**
 * Routes: /ok → 200; /status/<code> → code; /slow/<ms> → 200 after ms; /hang → never answers.
 * Every request is counted on arrival by path (without the query).
 */
export async function startTarget(): Promise<CountingTarget> {
  const counts = new Map<string, number>();
  let total = 0;
  let connections = 0;
  const pending = new Set<ServerResponse>();
  const target = {} as CountingTarget;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    total++;
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      target.lastBody = body;
      target.lastHeaders = req.headers;
      const [, kind, arg] = path.split('/');
      if (kind === 'status') {
        res.statusCode = Number(arg);
        res.end('s');
      } else if (kind === 'slow') {
        pending.add(res);
        const t = setTimeout(() => {
          pending.delete(res);
          res.end('slow');
        }, Number(arg));
        res.on('close', () => clearTimeout(t));
      } else if (kind === 'hang') {
        pending.add(res);
        res.on('close', () => pending.delete(res));
      } else {
        res.end('ok');
      }
    });
  });
  server.on('connection', () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(target, {
    url: `http://127.0.0.1:${port}`,
    count: (path: string) => counts.get(path) ?? 0,
    total: () => total,
    connections: () => connections,
    lastBody: '',
    lastHeaders: {},
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return target;
}

/**
 * Timers driven by hand. `runTo(t)` sets the time to t and then runs every task due by t, all of
 * them seeing now() = t: stepping by 1 ms is a punctual event loop, one big step is a stall.
 */
export class ManualTimers implements Timers {
  private current = 0;
  private seq = 0;
  private tasks: { at: number; seq: number; fn: () => void }[] = [];

  now(): number {
    return this.current;
  }

  after(delayMs: number, fn: () => void): () => void {
    const task = { at: this.current + Math.max(0, delayMs), seq: this.seq++, fn };
    this.tasks.push(task);
    return () => {
      this.tasks = this.tasks.filter((t) => t !== task);
    };
  }

  runTo(t: number): void {
    this.current = Math.max(this.current, t);
    for (;;) {
      const due = this.tasks.filter((x) => x.at <= this.current);
      if (due.length === 0) return;
      due.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const first = due[0]!;
      this.tasks = this.tasks.filter((x) => x !== first);
      first.fn();
    }
  }

  /** Advances in 1 ms steps up to `t`. */
  stepTo(t: number): void {
    while (this.current < t) this.runTo(this.current + 1);
  }

  pending(): number {
    return this.tasks.length;
  }
}

export type FakeOutcome = { status: number; afterMs: number } | { error: string; afterMs: number } | 'hang';

/** An in-memory transport: `respond(step)` decides each exchange's outcome on the given timers. */
export class FakeTransport implements HttpTransport {
  sent = 0;
  aborted = 0;
  destroyed = false;
  private readonly timers: Timers;
  private readonly respond: (step: HttpStepSpec) => FakeOutcome;

  constructor(timers: Timers, respond: (step: HttpStepSpec) => FakeOutcome) {
    this.timers = timers;
    this.respond = respond;
  }

  prepare(step: HttpStepSpec): PreparedRequest {
    return {
      send: (handler: ExchangeHandler) => {
        this.sent++;
        let cancel: (() => void) | undefined;
        handler.onConnect(() => {
          this.aborted++;
          cancel?.();
        });
        const outcome = this.respond(step);
        if (outcome === 'hang') return;
        if (outcome.afterMs < 0 && 'error' in outcome) {
          handler.onError(new Error(outcome.error));
          return;
        }
        cancel = this.timers.after(outcome.afterMs, () => {
          if ('error' in outcome) {
            handler.onError(new Error(outcome.error));
            return;
          }
          handler.onHeaders(outcome.status, [], () => {}, '');
          handler.onData(Buffer.from('x'));
          handler.onComplete(null);
        });
      },
    };
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
  }
}
