// Metrics read at scrape time from the object that owns the value, so nothing has to remember to
// update a gauge. Counters mirror a cumulative count the owner keeps (reset, then set to the total).
import { Counter, Gauge, type Registry } from 'prom-client';

/** One unlabelled value, or values per label set. */
export type MetricReading = number | readonly (readonly [Record<string, string>, number])[];

export interface ScrapedMetric {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  labelNames?: readonly string[];
  read: () => MetricReading;
}

export function registerScrapedMetric(registry: Registry, metric: ScrapedMetric): void {
  const { read } = metric;
  const options = {
    name: metric.name,
    help: metric.help,
    labelNames: [...(metric.labelNames ?? [])],
    registers: [registry],
  };
  if (metric.type === 'gauge') {
    new Gauge({
      ...options,
      collect() {
        this.reset();
        const value = read();
        if (typeof value === 'number') this.set(value);
        else for (const [labels, v] of value) this.set(labels, v);
      },
    });
  } else {
    new Counter({
      ...options,
      collect() {
        this.reset();
        const value = read();
        if (typeof value === 'number') this.inc(value);
        else for (const [labels, v] of value) this.inc(labels, v);
      },
    });
  }
}
