// Registers the backpressure metrics of one component (issue 7 item 6) in the service's registry.
// Names, help and labels come from BACKPRESSURE_METRICS (@hyperscale/backpressure); the values are
// read at scrape time from the classes that own them, so nothing has to remember to update a
// gauge. Counters mirror cumulative counts kept by those classes (reset, then set to the total).
// Shared by gate-svc, manager-svc and worker-svc.

import { Counter, Gauge, type Registry } from '@hyperscale/runtime';
import { BACKPRESSURE_METRICS, type BackpressureComponent } from '../metrics.js';

/** One unlabelled value, or values per label set. */
export type MetricReading = number | readonly (readonly [Record<string, string>, number])[];

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
    const labelNames = [...spec.labels];
    if (spec.type === 'gauge') {
      new Gauge({
        name: spec.name,
        help: spec.help,
        labelNames,
        registers: [registry],
        collect() {
          this.reset();
          const value = read();
          if (typeof value === 'number') this.set(value);
          else for (const [labels, v] of value) this.set(labels, v);
        },
      });
    } else {
      new Counter({
        name: spec.name,
        help: spec.help,
        labelNames,
        registers: [registry],
        collect() {
          this.reset();
          const value = read();
          if (typeof value === 'number') this.inc(value);
          else for (const [labels, v] of value) this.inc(labels, v);
        },
      });
    }
    registered.push(spec.name);
  }
  return registered;
}
