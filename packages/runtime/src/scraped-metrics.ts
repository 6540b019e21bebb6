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

const snake = (camel: string): string => camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Exports a counters object (`{ extensionsGranted: 3, timeoutsByReason: { stuck: 1 } }`) as
 * Prometheus counters read at scrape time: a number becomes `<prefix>_<snake_key>_total`, a
 * `<name>By<Label>` record becomes `<prefix>_<snake_name>_total{<label>}`. The keys are read once,
 * at registration, so the object's shape must not change.
 */
export function registerCounterSnapshot(
  registry: Registry,
  prefix: string,
  help: string,
  read: () => object,
): string[] {
  const field = (key: string): unknown => (read() as Record<string, unknown>)[key];
  const names: string[] = [];
  for (const [key, value] of Object.entries(read())) {
    if (typeof value === 'number') {
      const name = `${prefix}_${snake(key)}_total`;
      registerScrapedMetric(registry, {
        name,
        help: `${help}: ${key}`,
        type: 'counter',
        read: () => Number(field(key) ?? 0),
      });
      names.push(name);
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    const match = /^(.*)By([A-Z][A-Za-z]*)$/.exec(key);
    const base = match ? match[1]! : key;
    const label = match ? snake(match[2]!).replace(/^_/, '') : 'key';
    const name = `${prefix}_${snake(base)}_total`;
    registerScrapedMetric(registry, {
      name,
      help: `${help}: ${key}`,
      type: 'counter',
      labelNames: [label],
      read: () =>
        Object.entries((field(key) ?? {}) as Record<string, number>).map(([k, v]) => [{ [label]: k }, v] as const),
    });
    names.push(name);
  }
  return names;
}
