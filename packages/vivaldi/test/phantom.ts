// Test topologies ported from serf coordinate/phantom.go (anchors §2.3), in ms.
import { type Random, randomInt, seededRandom } from '@hyperscale/deterministic';
import { type Coordinate, estimateRttMs, gaussian, type VivaldiClient } from '../src/index.js';

export type Matrix = number[][];

function square(n: number): Matrix {
  return Array.from({ length: n }, () => new Array<number>(n).fill(0));
}

export function generateLine(nodes: number, spacingMs: number): Matrix {
  const m = square(nodes);
  for (let i = 0; i < nodes; i++) for (let j = 0; j < nodes; j++) (m[i] as number[])[j] = Math.abs(i - j) * spacingMs;
  return m;
}

export function generateGrid(nodes: number, spacingMs: number): Matrix {
  const m = square(nodes);
  const n = Math.floor(Math.sqrt(nodes));
  for (let i = 0; i < nodes; i++) {
    for (let j = 0; j < nodes; j++) {
      const dx = (i % n) - (j % n);
      const dy = Math.floor(i / n) - Math.floor(j / n);
      (m[i] as number[])[j] = Math.sqrt(dx * dx + dy * dy) * spacingMs;
    }
  }
  return m;
}

export function generateSplit(nodes: number, lanMs: number, wanMs: number): Matrix {
  const m = square(nodes);
  const split = Math.floor(nodes / 2);
  for (let i = 0; i < nodes; i++) {
    for (let j = 0; j < nodes; j++) {
      if (i === j) continue;
      const across = (i <= split && j > split) || (i > split && j <= split);
      (m[i] as number[])[j] = lanMs + (across ? wanMs : 0);
    }
  }
  return m;
}

export function generateCircle(nodes: number, radiusMs: number): Matrix {
  const m = square(nodes);
  for (let i = 0; i < nodes; i++) {
    for (let j = i + 1; j < nodes; j++) {
      let rtt: number;
      if (i === 0) {
        rtt = 2 * radiusMs;
      } else {
        const t1 = (2 * Math.PI * i) / nodes;
        const t2 = (2 * Math.PI * j) / nodes;
        rtt = Math.hypot(Math.cos(t1) - Math.cos(t2), Math.sin(t1) - Math.sin(t2)) * radiusMs;
      }
      (m[i] as number[])[j] = rtt;
      (m[j] as number[])[i] = rtt;
    }
  }
  return m;
}

export function generateRandom(nodes: number, meanMs: number, deviationMs: number, seed = 1): Matrix {
  const random = seededRandom(seed);
  const m = square(nodes);
  for (let i = 0; i < nodes; i++) {
    for (let j = i + 1; j < nodes; j++) {
      const rtt = meanMs + deviationMs * gaussian(random);
      (m[i] as number[])[j] = rtt;
      (m[j] as number[])[i] = rtt;
    }
  }
  return m;
}

/** serf Simulate: each cycle each client probes one random node (a self-pick is skipped). */
export function serfSimulate(clients: VivaldiClient[], truth: Matrix, cycles: number, random: Random): void {
  const n = clients.length;
  for (let cycle = 0; cycle < cycles; cycle++) {
    for (let i = 0; i < n; i++) {
      const j = randomInt(random, n);
      if (j === i) continue;
      (clients[i] as VivaldiClient).update(
        `n${j}`,
        (clients[j] as VivaldiClient).coordinate(),
        (truth[i] as number[])[j] as number,
      );
    }
  }
}

/** serf Evaluate: mean and max relative error over all pairs. */
export function serfEvaluate(coordinates: Coordinate[], truth: Matrix): { avg: number; max: number } {
  let sum = 0;
  let max = 0;
  let count = 0;
  for (let i = 0; i < coordinates.length; i++) {
    for (let j = i + 1; j < coordinates.length; j++) {
      const actual = (truth[i] as number[])[j] as number;
      const error =
        Math.abs(estimateRttMs(coordinates[i] as Coordinate, coordinates[j] as Coordinate) - actual) / actual;
      sum += error;
      max = Math.max(max, error);
      count++;
    }
  }
  return { avg: sum / count, max };
}
