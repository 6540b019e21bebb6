// How far away a datacenter (or one of its managers) is, as the gate believes. The router only sees
// this interface, so its rules are testable without coordinates; `vivaldi-distance.ts` is the one
// adapter that computes it from @hyperscale/vivaldi coordinates.

export interface DistanceEstimate {
  /** Upper confidence bound of the RTT in milliseconds (AD-35). */
  readonly rttUcbMs: number;
  /** Coordinate quality in [0, 1] (AD-35: samples × error × staleness). */
  readonly quality: number;
}

export interface DistanceEstimator {
  /** The datacenter's estimate, or undefined when no coordinate is known (never an exclusion). */
  datacenter(datacenterId: string): DistanceEstimate | undefined;
  /** A manager's estimate, for ranking managers inside a datacenter; optional. */
  manager?(managerId: string): DistanceEstimate | undefined;
  /** False while the gate's own coordinate is immature: the router then ranks by capacity (bootstrap mode). */
  localIsMature(): boolean;
}

/** An estimator that knows nothing: every datacenter is "missing coordinates", always bootstrap. */
export const NO_DISTANCE: DistanceEstimator = Object.freeze({
  datacenter: () => undefined,
  localIsMature: () => false,
});
