// The one bridge from @hyperscale/vivaldi coordinates to the router's DistanceEstimator. A
// datacenter's distance is the median of the RTT upper confidence bounds to its managers (Consul's
// GetDatacentersByDistance rule, anchors §2.5: robust to one manager with a bad coordinate); its
// quality is the median of their coordinate qualities. Coordinates must all come from one pool (the
// global pool): they are only comparable inside it.
import type { Clock } from '@hyperscale/deterministic';
import { type Coordinate, coordinateQuality, errorMsOf, rttUcbMs } from '@hyperscale/vivaldi';
import type { DistanceEstimate, DistanceEstimator } from './distance.js';
import { MaturityLatch } from './maturity-latch.js';
import { memberDistanceEstimator } from './member-distance.js';
import type { ObservedLatencyEstimate } from './observed-latency.js';

export interface VivaldiDistanceOptions {
  readonly clock: Clock;
  /** The gate's own coordinate in the global pool. */
  readonly localCoordinate: () => Coordinate | undefined;
  /** Coordinates of the datacenter's managers (known ones only; empty ⇒ missing coordinates). */
  readonly datacenterCoordinates: (datacenterId: string) => readonly Coordinate[];
  /** A single manager's coordinate, for ranking managers inside a datacenter. */
  readonly managerCoordinate?: (managerId: string) => Coordinate | undefined;
  /** facts §7.2 MIN_SAMPLES_FOR_ROUTING. */
  readonly minSamplesForRouting?: number;
  /** facts §7.2 "converged: error ≤ 0.5 s" as the coordinate's absolute error, ms; leaving needs twice that (MaturityLatch). */
  readonly maxErrorMsForRouting?: number;
  /** Direct RTT observations per datacenter (AD-45), blended into the estimate. */
  readonly observed?: (datacenterId: string) => ObservedLatencyEstimate | undefined;
}

export function vivaldiDistanceEstimator(options: VivaldiDistanceOptions): DistanceEstimator {
  const maturity = new MaturityLatch({
    minSamples: options.minSamplesForRouting ?? 10,
    enterMaxErrorMs: options.maxErrorMsForRouting ?? 500,
  });
  const estimate = (remote: Coordinate | undefined): DistanceEstimate | undefined => {
    const local = options.localCoordinate();
    if (local === undefined || remote === undefined) return undefined;
    return { rttUcbMs: rttUcbMs(local, remote), quality: coordinateQuality(remote, options.clock.now()) };
  };
  const managerCoordinate = options.managerCoordinate;
  return memberDistanceEstimator<Coordinate>({
    membersOf: options.datacenterCoordinates,
    estimate,
    ...(managerCoordinate ? { manager: (managerId: string) => estimate(managerCoordinate(managerId)) } : {}),
    localIsMature: () => {
      const local = options.localCoordinate();
      return local !== undefined && maturity.update(local.sampleCount, errorMsOf(local));
    },
    ...(options.observed ? { observed: options.observed } : {}),
  });
}
