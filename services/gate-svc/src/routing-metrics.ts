// The router's metrics (AD-36 part 11) in the gate's Prometheus registry, read at scrape time
// from the router's own counters and its current view of every datacenter.
import { type GateJobRouter, ROUTING_METRIC_NAMES } from '@hyperscale/routing';
import { type MetricReading, type Registry, registerScrapedMetric } from '@hyperscale/runtime';

function byKey(values: Record<string, number>, labels: (key: string) => Record<string, string>): MetricReading {
  return Object.entries(values).map(([key, value]) => [labels(key), value] as const);
}

const pair = (key: string): [string, string] => {
  const at = key.indexOf('|');
  return [key.slice(0, at), key.slice(at + 1)];
};

export function registerRoutingMetrics(registry: Registry, router: GateJobRouter, bootstrapMode: () => boolean): void {
  const counters = () => router.metrics.snapshot();
  const names = ROUTING_METRIC_NAMES;
  registerScrapedMetric(registry, {
    name: names.decisionsTotal,
    help: 'routing decisions by primary bucket and reason',
    type: 'counter',
    labelNames: ['bucket', 'reason'],
    read: () =>
      byKey(counters().decisionsTotal, (k) => {
        const [bucket, reason] = pair(k);
        return { bucket, reason };
      }),
  });
  registerScrapedMetric(registry, {
    name: names.switchesTotal,
    help: 'primary datacenter switches by reason',
    type: 'counter',
    labelNames: ['reason'],
    read: () => byKey(counters().switchesTotal, (reason) => ({ reason })),
  });
  registerScrapedMetric(registry, {
    name: names.holdDownBlocksTotal,
    help: 'better datacenters not taken because the hold-down had not passed',
    type: 'counter',
    read: () => counters().holdDownBlocksTotal,
  });
  registerScrapedMetric(registry, {
    name: names.fallbackUsedTotal,
    help: 'job shares moved from a datacenter to a fallback',
    type: 'counter',
    labelNames: ['from_datacenter', 'to_datacenter'],
    read: () =>
      byKey(counters().fallbackUsedTotal, (k) => {
        const [from, to] = pair(k);
        return { from_datacenter: from, to_datacenter: to };
      }),
  });
  registerScrapedMetric(registry, {
    name: names.dispatchFailuresTotal,
    help: 'dispatches no manager of the datacenter accepted',
    type: 'counter',
    labelNames: ['datacenter'],
    read: () => byKey(counters().dispatchFailuresTotal, (datacenter) => ({ datacenter })),
  });
  registerScrapedMetric(registry, {
    name: names.score,
    help: 'routing score per datacenter (lower is better)',
    type: 'gauge',
    labelNames: ['datacenter'],
    read: () => router.describeDatacenters().map((d) => [{ datacenter: d.datacenterId }, d.score] as const),
  });
  registerScrapedMetric(registry, {
    name: names.scoreComponent,
    help: 'routing score components per datacenter',
    type: 'gauge',
    labelNames: ['datacenter', 'component'],
    read: () =>
      router
        .describeDatacenters()
        .flatMap((d) => [
          [{ datacenter: d.datacenterId, component: 'rtt_ucb_ms' }, d.rttUcbMs] as const,
          [{ datacenter: d.datacenterId, component: 'load_factor' }, d.loadFactor] as const,
          [{ datacenter: d.datacenterId, component: 'quality_penalty' }, d.qualityPenalty] as const,
        ]),
  });
  registerScrapedMetric(registry, {
    name: names.trackedJobs,
    help: 'jobs whose routing state the gate keeps',
    type: 'gauge',
    read: () => router.trackedJobs,
  });
  registerScrapedMetric(registry, {
    name: names.bootstrapMode,
    help: '1 while the gate ranks by capacity because its coordinate is immature',
    type: 'gauge',
    read: () => (bootstrapMode() ? 1 : 0),
  });
}
