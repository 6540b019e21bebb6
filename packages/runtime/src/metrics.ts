// Every service exposes Prometheus metrics named hyperscale_<component>_<what>_<unit> (DESIGN.md §8).
// The registry starts with Node's default process metrics under the same prefix, and the event-loop
// lag monitor gives code (overload detection) a direct reading of the lag those metrics report.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { collectDefaultMetrics, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

export const METRIC_PREFIX = 'hyperscale_';

export interface CreateMetricsRegistryOptions {
  service: string;
  nodeId?: string;
  /** Node process metrics (CPU, memory, GC, event-loop lag); on by default. */
  collectDefaults?: boolean;
}

export function createMetricsRegistry(options: CreateMetricsRegistryOptions): Registry {
  const registry = new Registry();
  const labels: Record<string, string> = { service: options.service };
  if (options.nodeId !== undefined) labels['node_id'] = options.nodeId;
  registry.setDefaultLabels(labels);
  if (options.collectDefaults !== false) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}

export interface EventLoopLagSnapshot {
  meanMs: number;
  p99Ms: number;
  maxMs: number;
}

export interface EventLoopLagMonitor {
  /** Lag since start or the last reset; zeros before the first sample. */
  snapshot(): EventLoopLagSnapshot;
  reset(): void;
  stop(): void;
}

/** Samples event-loop delay every `resolutionMs` (default 20 ms) until stopped. */
export function startEventLoopLagMonitor(options: { resolutionMs?: number } = {}): EventLoopLagMonitor {
  const histogram = monitorEventLoopDelay({ resolution: options.resolutionMs ?? 20 });
  histogram.enable();
  const toMs = (ns: number): number => (Number.isFinite(ns) ? ns / 1e6 : 0);
  return {
    snapshot: () =>
      histogram.count === 0
        ? { meanMs: 0, p99Ms: 0, maxMs: 0 }
        : { meanMs: toMs(histogram.mean), p99Ms: toMs(histogram.percentile(99)), maxMs: toMs(histogram.max) },
    reset: () => histogram.reset(),
    stop: () => histogram.disable(),
  };
}
