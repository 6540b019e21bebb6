// Registers the backpressure metrics of one component (issue 7 item 6) in the service's registry.
// Names, help and labels come from BACKPRESSURE_METRICS (@hyperscale/backpressure); the values are
// read at scrape time from the classes that own them, so nothing has to remember to update a
// gauge. Counters mirror cumulative counts kept by those classes (reset, then set to the total).
// Shared by gate-svc, manager-svc and worker-svc.

import { type MetricReading, type Registry, registerScrapedMetric } from '@hyperscale/runtime';
import { BACKPRESSURE_METRICS, type BackpressureComponent } from '../metrics.js';

export type { MetricReading };

/** Readers keyed by the metric name after `hyperscale_<component>_` (e.g. `requests_in_flight`). */
export type MetricReaders = Partial<Record<string, () => MetricReading>>;

export function registerBackpressureMetrics(
  registry: Registry,
  component: BackpressureComponent,
  readers: MetricReaders,
): string[] {
  const prefix = `hyperscale_${component}_`;
  const registered: string[] = [];
  for (const spec of BACKPRESSURE_METRICS[component]) {
    const read = readers[spec.name.slice(prefix.length)];
    if (!read) continue;
    registerScrapedMetric(registry, {
      name: spec.name,
      help: spec.help,
      type: spec.type,
      labelNames: spec.labels,
      read,
    });
    registered.push(spec.name);
  }
  return registered;
}
