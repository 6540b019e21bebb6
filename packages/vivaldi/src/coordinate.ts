// The network coordinate: a point in a low-dimensional Euclidean space plus a height (the access
// link that every path from the node shares) and an adjustment (the node's average residual that
// the Euclidean part cannot model). The estimated RTT between two nodes is the distance between
// their points plus both heights plus both adjustments. It is a plain object so it can be logged,
// stored, compared in tests and piggybacked on SWIM messages (see encoding.ts).

/** A node's network coordinate. Every length is in milliseconds of round-trip time. */
export interface Coordinate {
  /** Euclidean position, ms. Its length is the configured dimensionality. */
  vec: number[];
  /** Height above the Euclidean plane, ms (≥ 0). */
  height: number;
  /** Per-node offset added to every estimate, ms (may be negative). */
  adjustment: number;
  /** Vivaldi's relative error estimate (dimensionless, 0 = perfect; starts at `errorMax`). */
  error: number;
  /** How many RTT samples shaped this coordinate. */
  sampleCount: number;
  /** When the coordinate last changed, on the owner's monotonic clock (ms). */
  updatedAtMs: number;
  /**
   * Smoothed absolute prediction error, ms (the σ of the RTT upper confidence bound). Optional so
   * coordinates built by hand stay valid; a coordinate without it counts as `sigmaDefaultMs`.
   */
  errorMs?: number;
}

/** Coordinates closer than this (ms) are treated as coincident (serf's zeroThreshold, 1e-6 s). */
export const COINCIDENT_MS = 1e-3;

/** A coordinate at the origin, as every node starts (serf NewCoordinate). */
export function originCoordinate(
  dimensions: number,
  error: number,
  heightMinMs: number,
  initialErrorMs: number,
  nowMs = 0,
): Coordinate {
  return {
    vec: new Array<number>(dimensions).fill(0),
    height: heightMinMs,
    adjustment: 0,
    error,
    sampleCount: 0,
    updatedAtMs: nowMs,
    errorMs: initialErrorMs,
  };
}

/** The Euclidean distance plus both heights, without adjustments (serf rawDistanceTo). */
export function rawDistanceMs(a: Coordinate, b: Coordinate): number {
  const av = a.vec;
  const bv = b.vec;
  let sum = 0;
  for (let i = 0; i < av.length; i++) {
    const d = (av[i] as number) - (bv[i] as number);
    sum += d * d;
  }
  return Math.sqrt(sum) + a.height + b.height;
}

/**
 * Estimated RTT between two coordinates, ms: raw distance plus both adjustments when that sum stays
 * positive (serf DistanceTo). Coordinates of different dimensionality cannot be compared: that is a
 * programming error (they come from different pools), so it throws.
 */
export function estimateRttMs(a: Coordinate, b: Coordinate): number {
  if (a.vec.length !== b.vec.length) {
    throw new RangeError(`estimateRttMs: dimensionality differs (${a.vec.length} vs ${b.vec.length})`);
  }
  const raw = rawDistanceMs(a, b);
  const adjusted = raw + a.adjustment + b.adjustment;
  return adjusted > 0 ? adjusted : raw;
}

/** A deep copy (the vector is not shared). */
export function cloneCoordinate(c: Coordinate): Coordinate {
  const copy: Coordinate = {
    vec: c.vec.slice(),
    height: c.height,
    adjustment: c.adjustment,
    error: c.error,
    sampleCount: c.sampleCount,
    updatedAtMs: c.updatedAtMs,
  };
  if (c.errorMs !== undefined) copy.errorMs = c.errorMs;
  return copy;
}

/**
 * Why a coordinate cannot be used, or undefined when it can. Checks every field for finiteness and
 * range so a malformed peer coordinate never reaches the arithmetic.
 */
export function coordinateProblem(c: Coordinate, dimensions?: number): string | undefined {
  if (c === null || typeof c !== 'object') return 'coordinate is not an object';
  if (!Array.isArray(c.vec)) return 'vec is not an array';
  if (dimensions !== undefined && c.vec.length !== dimensions) {
    return `vec has ${c.vec.length} dimensions, expected ${dimensions}`;
  }
  for (let i = 0; i < c.vec.length; i++) {
    const v = c.vec[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) return `vec[${i}] is not a finite number (${String(v)})`;
  }
  if (!isFiniteNumber(c.height) || c.height < 0) return `height must be a finite number ≥ 0 (${String(c.height)})`;
  if (!isFiniteNumber(c.adjustment)) return `adjustment is not a finite number (${String(c.adjustment)})`;
  if (!isFiniteNumber(c.error) || c.error < 0) return `error must be a finite number ≥ 0 (${String(c.error)})`;
  if (!isFiniteNumber(c.sampleCount) || c.sampleCount < 0) {
    return `sampleCount must be a finite number ≥ 0 (${String(c.sampleCount)})`;
  }
  if (!isFiniteNumber(c.updatedAtMs)) return `updatedAtMs is not a finite number (${String(c.updatedAtMs)})`;
  if (c.errorMs !== undefined && (!isFiniteNumber(c.errorMs) || c.errorMs < 0)) {
    return `errorMs must be a finite number ≥ 0 (${String(c.errorMs)})`;
  }
  return undefined;
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
