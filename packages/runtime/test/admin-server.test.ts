import { afterEach, describe, expect, it } from 'vitest';
import { type AdminServer, Counter, createMetricsRegistry, startAdminServer, toJsonSafe } from '../src/index.js';
import { captureLogger } from './helpers.js';

describe('admin server', () => {
  let server: AdminServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves healthz, readyz that flips, metrics and bigint-safe debug state', async () => {
    const { logger } = captureLogger();
    const registry = createMetricsRegistry({ service: 'gate', nodeId: 'gate-1' });
    const submitted = new Counter({
      name: 'hyperscale_gate_jobs_submitted_total',
      help: 'jobs accepted',
      registers: [registry],
    });
    submitted.inc(3);
    let readiness: { ready: boolean; reason?: string } = { ready: false, reason: 'no quorum' };
    server = await startAdminServer({
      host: '127.0.0.1',
      port: 0,
      logger,
      registry,
      isReady: () => readiness,
      debugState: () => ({ fence: (7n << 32n) | 1n, peers: new Map([['m1', { alive: true }]]), jobs: new Set(['j1']) }),
    });
    expect(server.address.host).toBe('127.0.0.1');
    expect(server.address.port).toBeGreaterThan(0);
    const base = `http://127.0.0.1:${server.address.port}`;

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'not-ready', reason: 'no quorum' });
    readiness = { ready: true };
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });

    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toContain('hyperscale_gate_jobs_submitted_total{service="gate",node_id="gate-1"} 3');
    expect(text).toContain('hyperscale_process_cpu_user_seconds_total');
    expect(text).toContain('hyperscale_nodejs_eventloop_lag_seconds');

    const state = await fetch(`${base}/debug/state`);
    expect(state.status).toBe(200);
    expect(await state.json()).toEqual({ fence: '30064771073', peers: { m1: { alive: true } }, jobs: ['j1'] });
  });

  it('answers 503 when the readiness check throws and 500 when debug state throws', async () => {
    const { logger } = captureLogger();
    server = await startAdminServer({
      host: '127.0.0.1',
      port: 0,
      logger,
      registry: createMetricsRegistry({ service: 'worker', collectDefaults: false }),
      isReady: () => {
        throw new Error('membership not started');
      },
      debugState: () => {
        throw new Error('state unavailable');
      },
    });
    const base = `http://127.0.0.1:${server.address.port}`;
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      status: 'not-ready',
      reason: 'readiness check failed: membership not started',
    });
    const state = await fetch(`${base}/debug/state`);
    expect(state.status).toBe(500);
    expect(await state.json()).toEqual({ error: 'state unavailable' });
  });

  it('closes idempotently and stops listening', async () => {
    const { logger } = captureLogger();
    const admin = await startAdminServer({
      host: '127.0.0.1',
      port: 0,
      logger,
      registry: createMetricsRegistry({ service: 'worker', collectDefaults: false }),
      isReady: () => ({ ready: true }),
      debugState: () => null,
    });
    await Promise.all([admin.close(), admin.close()]);
    await expect(fetch(`http://127.0.0.1:${admin.address.port}/healthz`)).rejects.toThrow();
  });
});

describe('toJsonSafe', () => {
  it('converts bigints, maps, sets, dates, errors and cycles', () => {
    const cyclic: Record<string, unknown> = { name: 'root' };
    cyclic['self'] = cyclic;
    expect(
      toJsonSafe({
        big: 2n ** 64n,
        map: new Map<number, bigint>([[1, 2n]]),
        set: new Set([1n]),
        at: new Date(0),
        err: new RangeError('bad'),
        cyclic,
        fn: () => 1,
        inf: Number.POSITIVE_INFINITY,
        shared: [cyclic['name'], cyclic['name']],
      }),
    ).toEqual({
      big: '18446744073709551616',
      map: { '1': '2' },
      set: ['1'],
      at: '1970-01-01T00:00:00.000Z',
      err: { name: 'RangeError', message: 'bad' },
      cyclic: { name: 'root', self: '[Circular]' },
      inf: 'Infinity',
      shared: ['root', 'root'],
    });
  });
});
