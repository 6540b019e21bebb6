// Accuracy of coordinates against a known RTT matrix, the way serf's phantom.go measures it: every
// round each node probes one random peer with the matrix RTT (optionally jittered) and updates its
// coordinate; then every pair's estimate is compared with the truth. Pure and seeded, so the CLI,
// the tests and the benchmark all measure exactly the same thing.
import { type Random, randomInt, seededRandom } from '@hyperscale/deterministic';
import { VivaldiClient, type VivaldiClientOptions } from './client.js';
import { type Coordinate, estimateRttMs } from './coordinate.js';

/** A square RTT matrix in ms; `rtt[i][j]` is the RTT between node i and node j. */
export type RttMatrix = readonly (readonly number[])[];

export interface SimulationOptions {
  rounds: number;
  seed: number;
  /** Jitter as a fraction of the RTT: each sample is rtt × max(0, 1 + noise × N(0,1)). Default 0. */
  noise?: number;
  /** Client configuration (the same for every node). */
  config?: Partial<VivaldiClientOptions>;
}

export interface AccuracyReport {
  /** Median over all pairs of |estimate − true| / true. */
  median_rel_err: number;
  /** 90th percentile of the same. */
  p90_rel_err: number;
  /** How often the nearest of 5 random candidates by estimate is the truly nearest. */
  nearest_of_5_top1: number;
  /** Mean of true RTT of the chosen candidate ÷ true RTT of the best one. */
  mean_stretch: number;
  rounds: number;
}

/** Checks a matrix is square, finite, non-negative and has a zero-free off-diagonal. */
export function validateMatrix(matrix: unknown): RttMatrix {
  if (!Array.isArray(matrix) || matrix.length < 2) throw new RangeError('rtt matrix must be an array of ≥ 2 rows');
  const n = matrix.length;
  for (let i = 0; i < n; i++) {
    const row: unknown = matrix[i];
    if (!Array.isArray(row) || row.length !== n) throw new RangeError(`rtt matrix row ${i} must have ${n} entries`);
    for (let j = 0; j < n; j++) {
      const v: unknown = row[j];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new RangeError(`rtt matrix [${i}][${j}] must be a finite number ≥ 0, got ${String(v)}`);
      }
      if (i !== j && v === 0) throw new RangeError(`rtt matrix [${i}][${j}] is 0: relative error is undefined`);
    }
  }
  return matrix as RttMatrix;
}

/** A standard normal deviate (Box–Muller). */
export function gaussian(random: Random): number {
  const u = 1 - random.next();
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** One client per node, seeded per node so coincident starts break symmetry differently. */
export function createClients(n: number, seed: number, config: Partial<VivaldiClientOptions> = {}): VivaldiClient[] {
  const clients: VivaldiClient[] = [];
  for (let i = 0; i < n; i++) {
    clients.push(new VivaldiClient({ ...config, random: seededRandom((seed * 7919 + i * 104_729 + 1) >>> 0) }));
  }
  return clients;
}

/**
 * Runs `rounds` rounds: in each, every node in order probes one uniformly random other node and
 * updates with that node's current coordinate (serf Simulate, without its self-pick no-op).
 */
export function simulate(
  clients: VivaldiClient[],
  matrix: RttMatrix,
  rounds: number,
  random: Random,
  noise = 0,
  onRound?: (round: number) => void,
): void {
  const n = clients.length;
  const names = clients.map((_, i) => `n${i}`);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < n; i++) {
      let j = randomInt(random, n - 1);
      if (j >= i) j++;
      const truth = (matrix[i] as readonly number[])[j] as number;
      const rtt = noise > 0 ? Math.min(truth * Math.max(0, 1 + noise * gaussian(random)), 10_000) : truth;
      (clients[i] as VivaldiClient).update(names[j] as string, (clients[j] as VivaldiClient).coordinate(), rtt);
    }
    onRound?.(round + 1);
  }
}

/** Relative errors over all unordered pairs, sorted ascending. */
export function relativeErrors(coordinates: readonly Coordinate[], matrix: RttMatrix): Float64Array {
  const n = coordinates.length;
  const errors = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const truth = (matrix[i] as readonly number[])[j] as number;
      const estimate = estimateRttMs(coordinates[i] as Coordinate, coordinates[j] as Coordinate);
      errors[k++] = Math.abs(estimate - truth) / truth;
    }
  }
  return errors.sort();
}

/** The q-quantile (0..1) of an ascending array, nearest-rank. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] as number;
}

/**
 * Nearest-of-5: for each node, `trialsPerNode` times, pick 5 distinct random other nodes, choose the
 * one with the smallest estimated RTT and compare with the truly nearest (ties in truth count as hits).
 */
export function nearestOfFive(
  coordinates: readonly Coordinate[],
  matrix: RttMatrix,
  random: Random,
  trialsPerNode = 100,
): { top1: number; meanStretch: number } {
  const n = coordinates.length;
  const candidates = Math.min(5, n - 1);
  let hits = 0;
  let stretchSum = 0;
  let trials = 0;
  const picked: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = matrix[i] as readonly number[];
    for (let t = 0; t < trialsPerNode; t++) {
      picked.length = 0;
      while (picked.length < candidates) {
        let j = randomInt(random, n - 1);
        if (j >= i) j++;
        if (!picked.includes(j)) picked.push(j);
      }
      let chosen = picked[0] as number;
      let chosenEstimate = Number.POSITIVE_INFINITY;
      let best = Number.POSITIVE_INFINITY;
      for (const j of picked) {
        const estimate = estimateRttMs(coordinates[i] as Coordinate, coordinates[j] as Coordinate);
        if (estimate < chosenEstimate) {
          chosenEstimate = estimate;
          chosen = j;
        }
        best = Math.min(best, row[j] as number);
      }
      const chosenTruth = row[chosen] as number;
      if (chosenTruth <= best) hits++;
      stretchSum += chosenTruth / best;
      trials++;
    }
  }
  return { top1: hits / trials, meanStretch: stretchSum / trials };
}

/** The whole evaluation: simulate `rounds` from scratch, then report accuracy. */
export function evaluateMatrix(matrix: RttMatrix, options: SimulationOptions): AccuracyReport {
  const clients = createClients(matrix.length, options.seed, options.config);
  simulate(clients, matrix, options.rounds, seededRandom(options.seed), options.noise ?? 0);
  return report(
    clients.map((c) => c.coordinate()),
    matrix,
    options.rounds,
    options.seed,
  );
}

/** Accuracy figures of a set of coordinates (index i ↔ matrix row i). */
export function report(coordinates: readonly Coordinate[], matrix: RttMatrix, rounds: number, seed: number) {
  const errors = relativeErrors(coordinates, matrix);
  const nearest = nearestOfFive(coordinates, matrix, seededRandom(seed ^ 0x5f3759df));
  return {
    median_rel_err: quantile(errors, 0.5),
    p90_rel_err: quantile(errors, 0.9),
    nearest_of_5_top1: nearest.top1,
    mean_stretch: nearest.meanStretch,
    rounds,
  } satisfies AccuracyReport;
}
