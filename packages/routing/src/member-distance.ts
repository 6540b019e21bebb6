// A DistanceEstimator over per-member estimates, whatever produces them (a SWIM node's Vivaldi
// view, raw coordinates): a datacenter's distance is the median of its managers' RTT upper
// bounds and its quality the median of their qualities (Consul's GetDatacentersByDistance rule,
// anchors §2.5: robust to one manager with a bad coordinate). Members without an estimate are
// left out; a datacenter with none has missing coordinates, never an exclusion. RTTs the gate
// measured itself, when given, are blended in (AD-45, observed-latency.ts).
import type { DistanceEstimate, DistanceEstimator } from './distance.js';
import { blendObserved, type ObservedLatencyEstimate } from './observed-latency.js';

export interface MemberDistanceOptions<M> {
  /** The members (ids, coordinates, …) of a datacenter's managers. */
  readonly membersOf: (datacenterId: string) => readonly M[];
  /** The estimate to one member, or undefined when unknown. */
  readonly estimate: (member: M) => DistanceEstimate | undefined;
  /** A single manager's estimate, for ranking managers inside a datacenter. */
  readonly manager?: (managerId: string) => DistanceEstimate | undefined;
  /** False while the local coordinate is immature (bootstrap mode). */
  readonly localIsMature: () => boolean;
  /** What the gate measured itself towards the datacenter (AD-45), blended into its estimate. */
  readonly observed?: (datacenterId: string) => ObservedLatencyEstimate | undefined;
  /** RTT standing in for a datacenter with observations but no coordinate. facts §7.3: 100 ms. */
  readonly missingRttMs?: number;
}

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

export function memberDistanceEstimator<M>(options: MemberDistanceOptions<M>): DistanceEstimator {
  const estimator: DistanceEstimator = {
    datacenter(datacenterId) {
      const rtts: number[] = [];
      const qualities: number[] = [];
      for (const member of options.membersOf(datacenterId)) {
        const e = options.estimate(member);
        if (e === undefined) continue;
        rtts.push(e.rttUcbMs);
        qualities.push(e.quality);
      }
      const coordinate = rtts.length === 0 ? undefined : { rttUcbMs: median(rtts), quality: median(qualities) };
      return blendObserved(coordinate, options.observed?.(datacenterId), options.missingRttMs ?? 100);
    },
    localIsMature: () => options.localIsMature(),
  };
  if (options.manager !== undefined) estimator.manager = options.manager;
  return estimator;
}
