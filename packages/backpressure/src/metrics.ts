// Prometheus metric names for backpressure (issue 7 item 6), declared once so every service
// registers the same names: `hyperscale_<component>_<what>_<unit>` (DESIGN.md §8). This package
// only names them; the services own the registry and update the values from the counters the
// classes here expose.

export type BackpressureComponent = 'gate' | 'manager' | 'worker';

export interface MetricSpec {
  readonly name: string;
  readonly type: 'gauge' | 'counter';
  readonly help: string;
  readonly labels: readonly string[];
  /** Where the value comes from in this package. */
  readonly source: string;
}

export function backpressureMetrics(component: BackpressureComponent): readonly MetricSpec[] {
  const p = `hyperscale_${component}`;
  const common: MetricSpec[] = [
    {
      name: `${p}_backpressure_level`,
      type: 'gauge',
      help: 'Backpressure level: 0 none, 1 throttle, 2 batch, 3 reject',
      labels: component === 'gate' ? ['datacenter'] : [],
      source:
        component === 'manager'
          ? 'StatsBuffer.level'
          : component === 'worker'
            ? 'WorkerFlushPolicy.level()'
            : 'BackpressureView.datacenters()',
    },
    {
      name: `${p}_requests_shed_total`,
      type: 'counter',
      help: 'Requests refused by the load shedder',
      labels: ['priority'],
      source: 'LoadShedder.shedCount(priority)',
    },
    {
      name: `${p}_requests_in_flight`,
      type: 'gauge',
      help: 'Requests being handled',
      labels: ['priority'],
      source: 'InFlightTracker.inFlight(priority)',
    },
    {
      name: `${p}_in_flight_rejected_total`,
      type: 'counter',
      help: 'Requests refused by the in-flight limits',
      labels: ['priority'],
      source: 'InFlightTracker.refusedCount(priority)',
    },
    {
      name: `${p}_overload_state`,
      type: 'gauge',
      help: 'Overload detector state: 0 healthy, 1 busy, 2 stressed, 3 overloaded',
      labels: [],
      source: 'OverloadDetector.state',
    },
    {
      name: `${p}_rate_limited_total`,
      type: 'counter',
      help: 'Requests refused by a rate limit',
      labels: ['operation'],
      source: 'RateLimiter.limitedCount(operation)',
    },
  ];
  if (component === 'worker') {
    for (const [what, counter] of [
      ['throttled', 'throttled'],
      ['batched', 'batched'],
      ['dropped', 'dropped'],
    ] as const) {
      common.push({
        name: `${p}_progress_updates_${what}_total`,
        type: 'counter',
        help: `Progress updates ${what} by backpressure`,
        labels: [],
        source: `WorkerFlushPolicy.counters.${counter}`,
      });
    }
  }
  if (component === 'manager') {
    common.push({
      name: `${p}_stats_records_dropped_total`,
      type: 'counter',
      help: 'Stats records refused by the stats buffer (REJECT or full)',
      labels: [],
      source: 'StatsBuffer.rejectedCount',
    });
  }
  if (component === 'gate') {
    common.push({
      name: `${p}_progress_forwards_throttled_total`,
      type: 'counter',
      help: 'Forwarded progress updates held or dropped because of datacenter backpressure',
      labels: ['decision'],
      source: 'BackpressureView.forwardCounts',
    });
  }
  return common;
}

/** Every metric of every component. */
export const BACKPRESSURE_METRICS: Readonly<Record<BackpressureComponent, readonly MetricSpec[]>> = {
  gate: backpressureMetrics('gate'),
  manager: backpressureMetrics('manager'),
  worker: backpressureMetrics('worker'),
};
