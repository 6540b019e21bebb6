import { describe, expect, it } from 'vitest';
import { Counter, createMetricsRegistry, sleep, startEventLoopLagMonitor } from '../src/index.js';

describe('createMetricsRegistry', () => {
  it('labels every metric with the service and prefixes Node defaults with hyperscale_', async () => {
    const registry = createMetricsRegistry({ service: 'manager' });
    new Counter({ name: 'hyperscale_manager_dispatches_total', help: 'dispatches', registers: [registry] }).inc();
    const text = await registry.metrics();
    expect(text).toContain('hyperscale_manager_dispatches_total{service="manager"} 1');
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect(name.startsWith('hyperscale_')).toBe(true);
  });

  it('leaves Node defaults out when asked', async () => {
    const registry = createMetricsRegistry({ service: 'worker', collectDefaults: false });
    expect(await registry.getMetricsAsJSON()).toEqual([]);
  });
});

describe('startEventLoopLagMonitor', () => {
  it('sees the event loop blocked', async () => {
    const monitor = startEventLoopLagMonitor({ resolutionMs: 10 });
    try {
      await sleep(30);
      const blockedUntil = performance.now() + 80;
      while (performance.now() < blockedUntil) {
        // block the event loop
      }
      await sleep(30);
      const lag = monitor.snapshot();
      expect(lag.maxMs).toBeGreaterThanOrEqual(40);
      expect(lag.p99Ms).toBeGreaterThan(0);
      monitor.reset();
    } finally {
      monitor.stop();
    }
  });
});
