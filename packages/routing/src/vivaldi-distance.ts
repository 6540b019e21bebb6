// The one bridge from @hyperscale/vivaldi coordinates to the router's DistanceEstimator. A
// datacenter's distance is the median of the RTT upper confidence bounds to its managers (Consul's
// GetDatacentersByDistance rule, anchors §2.5: robust to one manager with a bad coordinate); its
// quality is the median of their coordinate qualities. Coordinates must all come from one pool (the
// global pool): they are only comparable inside it.
import type { Clock } from '@hyperscale/deterministic';
import { type Coordinate, coordinateQuality, rttUcbMs } from '@hyperscale/vivaldi';
import { coordinateIsMature } from './bootstrap.js';
import type { DistanceEstimate, DistanceEstimator } from './distance.js';

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
  /** facts §7.2 "converged: error ≤ 0.5". */
  readonly maxErrorForRouting?: number;
}

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

export function vivaldiDistanceEstimator(options: VivaldiDistanceOptions): DistanceEstimator {
  const minSamples = options.minSamplesForRouting ?? 10;
  const maxError = options.maxErrorForRouting ?? 0.5;
  const estimate = (local: Coordinate, remote: Coordinate, nowMs: number): DistanceEstimate => ({
    rttUcbMs: rttUcbMs(local, remote),
    quality: coordinateQuality(remote, nowMs),
  });
  const estimator: DistanceEstimator = {
    datacenter(datacenterId) {
      const local = options.localCoordinate();
      const remotes = options.datacenterCoordinates(datacenterId);
      if (local === undefined || remotes.length === 0) return undefined;
      const now = options.clock.now();
      const rtts: number[] = [];
      const qualities: number[] = [];
      for (const remote of remotes) {
        const e = estimate(local, remote, now);
        rtts.push(e.rttUcbMs);
        qualities.push(e.quality);
      }
      return { rttUcbMs: median(rtts), quality: median(qualities) };
    },
    localIsMature() {
      const local = options.localCoordinate();
      return local !== undefined && coordinateIsMature(local.sampleCount, local.error, minSamples, maxError);
    },
  };
  const managerCoordinate = options.managerCoordinate;
  if (managerCoordinate !== undefined) {
    estimator.manager = (managerId) => {
      const local = options.localCoordinate();
      const remote = managerCoordinate(managerId);
      if (local === undefined || remote === undefined) return undefined;
      return estimate(local, remote, options.clock.now());
    };
  }
  return estimator;
}
