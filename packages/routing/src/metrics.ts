// AD-36 part 11 counters, kept by the router so the gate only has to export them. Names follow
// DESIGN.md §8 (`hyperscale_<component>_<what>_<unit>`); gauges (scores, components, tracked jobs,
// bootstrap mode) are read from `GateJobRouter.describeDatacenters()` / `trackedJobs` at scrape time.
// Label sets are bounded: beyond MAX_LABEL_SETS distinct sets new ones are folded into "other".
import type { HealthBucket } from './health-bucket.js';
import type { RoutingReason } from './routing-decision.js';

export const ROUTING_METRIC_NAMES = Object.freeze({
  decisionsTotal: 'hyperscale_routing_decisions_total', // {bucket, reason}
  switchesTotal: 'hyperscale_routing_switches_total', // {reason}
  holdDownBlocksTotal: 'hyperscale_routing_hold_down_blocks_total',
  fallbackUsedTotal: 'hyperscale_routing_fallback_used_total', // {from_datacenter, to_datacenter}
  dispatchFailuresTotal: 'hyperscale_routing_dispatch_failures_total', // {datacenter}
  score: 'hyperscale_routing_score', // gauge {datacenter}
  scoreComponent: 'hyperscale_routing_score_component', // gauge {datacenter, component=rtt_ucb_ms|load_factor|quality_penalty}
  trackedJobs: 'hyperscale_routing_tracked_jobs', // gauge
  bootstrapMode: 'hyperscale_routing_bootstrap_mode', // gauge 0/1
});

export const MAX_LABEL_SETS = 1024;

class LabelledCounter {
  private readonly values = new Map<string, number>();

  inc(key: string, by = 1): void {
    const k = this.values.has(key) || this.values.size < MAX_LABEL_SETS ? key : 'other';
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }

  get(key: string): number {
    return this.values.get(key) ?? 0;
  }

  entries(): [string, number][] {
    return [...this.values];
  }
}

export interface RoutingMetricsSnapshot {
  /** key `${bucket}|${reason}` (bucket "none" when nothing was eligible). */
  readonly decisionsTotal: Record<string, number>;
  readonly switchesTotal: Record<string, number>;
  readonly holdDownBlocksTotal: number;
  /** key `${from}|${to}`. */
  readonly fallbackUsedTotal: Record<string, number>;
  readonly dispatchFailuresTotal: Record<string, number>;
}

export class RoutingMetrics {
  private readonly decisions = new LabelledCounter();
  private readonly switches = new LabelledCounter();
  private readonly fallbacks = new LabelledCounter();
  private readonly failures = new LabelledCounter();
  private holdDownBlocks = 0;

  decision(bucket: HealthBucket | null, reason: RoutingReason): void {
    this.decisions.inc(`${bucket ?? 'none'}|${reason}`);
  }

  switched(reason: RoutingReason): void {
    this.switches.inc(reason);
  }

  holdDownBlocked(): void {
    this.holdDownBlocks++;
  }

  fallbackUsed(fromDatacenter: string, toDatacenter: string): void {
    this.fallbacks.inc(`${fromDatacenter}|${toDatacenter}`);
  }

  dispatchFailed(datacenter: string): void {
    this.failures.inc(datacenter);
  }

  snapshot(): RoutingMetricsSnapshot {
    return {
      decisionsTotal: Object.fromEntries(this.decisions.entries()),
      switchesTotal: Object.fromEntries(this.switches.entries()),
      holdDownBlocksTotal: this.holdDownBlocks,
      fallbackUsedTotal: Object.fromEntries(this.fallbacks.entries()),
      dispatchFailuresTotal: Object.fromEntries(this.failures.entries()),
    };
  }
}
