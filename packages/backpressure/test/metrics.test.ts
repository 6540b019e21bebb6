import { describe, expect, it } from 'vitest';
import { BACKPRESSURE_METRICS } from '../src/index.js';

describe('BACKPRESSURE_METRICS', () => {
  it('names every metric hyperscale_<component>_<what>[_<unit>], unique per component', () => {
    for (const [component, specs] of Object.entries(BACKPRESSURE_METRICS)) {
      const names = specs.map((s) => s.name);
      expect(new Set(names).size).toBe(names.length);
      for (const spec of specs) {
        expect(spec.name).toMatch(new RegExp(`^hyperscale_${component}_[a-z_]+$`));
        if (spec.type === 'counter') expect(spec.name).toMatch(/_total$/);
      }
    }
  });

  it('covers the issue 7 item 6 list: level, throttled / batched / dropped, shed by priority, in-flight by priority', () => {
    const worker = BACKPRESSURE_METRICS.worker.map((s) => s.name);
    expect(worker).toEqual(
      expect.arrayContaining([
        'hyperscale_worker_backpressure_level',
        'hyperscale_worker_progress_updates_throttled_total',
        'hyperscale_worker_progress_updates_batched_total',
        'hyperscale_worker_progress_updates_dropped_total',
      ]),
    );
    const manager = BACKPRESSURE_METRICS.manager;
    expect(manager.find((s) => s.name === 'hyperscale_manager_requests_shed_total')?.labels).toEqual(['priority']);
    expect(manager.find((s) => s.name === 'hyperscale_manager_requests_in_flight')?.labels).toEqual(['priority']);
    expect(BACKPRESSURE_METRICS.gate.find((s) => s.name === 'hyperscale_gate_backpressure_level')?.labels).toEqual([
      'datacenter',
    ]);
  });
});
