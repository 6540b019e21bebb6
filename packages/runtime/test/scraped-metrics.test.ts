import { describe, expect, it } from 'vitest';
import { createMetricsRegistry, registerCounterSnapshot, registerScrapedMetric } from '../src/index.js';

describe('metrics read at scrape time', () => {
  it('exports a counters object: numbers as counters, <name>By<Label> records as labelled counters', async () => {
    const registry = createMetricsRegistry({ service: 'test', collectDefaults: false });
    const counters = { extensionsGranted: 2, timeoutsByReason: { stuck: 1 } as Record<string, number> };
    const names = registerCounterSnapshot(registry, 'hyperscale_timeout_manager', 'test', () => counters);
    expect(names).toEqual([
      'hyperscale_timeout_manager_extensions_granted_total',
      'hyperscale_timeout_manager_timeouts_total',
    ]);
    counters.extensionsGranted = 5;
    counters.timeoutsByReason['overall'] = 3;
    const text = await registry.metrics();
    expect(text).toMatch(/hyperscale_timeout_manager_extensions_granted_total\{service="test"\} 5/);
    expect(text).toMatch(/hyperscale_timeout_manager_timeouts_total\{reason="stuck",service="test"\} 1/);
    expect(text).toMatch(/hyperscale_timeout_manager_timeouts_total\{reason="overall",service="test"\} 3/);
  });

  it('reads a gauge from its owner on every scrape', async () => {
    const registry = createMetricsRegistry({ service: 'test', collectDefaults: false });
    let depth = 1;
    registerScrapedMetric(registry, { name: 'hyperscale_test_depth', help: 'd', type: 'gauge', read: () => depth });
    expect(await registry.metrics()).toMatch(/hyperscale_test_depth\{service="test"\} 1/);
    depth = 7;
    expect(await registry.metrics()).toMatch(/hyperscale_test_depth\{service="test"\} 7/);
  });
});
