// pnpm bench vivaldi — accuracy and cost of @hyperscale/vivaldi against serf's plain algorithm
// (SERF_REFERENCE_CONFIG: the same client with every improvement off), measured side by side in one
// run. Accuracy: shared/data/azure-44-rtt.json plus synthetic topologies (so nothing is tuned to one
// matrix). Cost: ns per update and per estimate. The last stdout line is one JSON object.
import { readFileSync } from 'node:fs';
import { type Random, seededRandom } from '@hyperscale/deterministic';
import {
  type AccuracyReport,
  type Coordinate,
  estimateRttMs,
  evaluateMatrix,
  gaussian,
  type RttMatrix,
  SERF_REFERENCE_CONFIG,
  VivaldiClient,
  type VivaldiConfig,
  validateMatrix,
} from '@hyperscale/vivaldi';

const clock = { now: () => 0 };
const SEEDS = [1, 2, 3, 4, 5];
const ALGORITHMS: [string, Partial<VivaldiConfig>][] = [
  ['hyperscale', {}],
  ['serf', SERF_REFERENCE_CONFIG],
];

const azure = validateMatrix(
  (
    JSON.parse(readFileSync(new URL('../../shared/data/azure-44-rtt.json', import.meta.url), 'utf8')) as {
      rtt_ms: unknown;
    }
  ).rtt_ms,
);

function square(n: number): number[][] {
  return Array.from({ length: n }, () => new Array<number>(n).fill(0));
}

/** Nodes in clusters on a sphere: RTT = great-circle km / 100 × route inflation 1.2–1.8 + access 0.5–5.5 ms each. */
function geographic(n: number, seed: number, clusters: number): RttMatrix {
  const r: Random = seededRandom(seed);
  const centres = Array.from({ length: clusters }, () => [
    Math.acos(2 * r.next() - 1) - Math.PI / 2,
    2 * Math.PI * r.next(),
  ]);
  const nodes = Array.from({ length: n }, () => {
    const c = centres[Math.floor(r.next() * clusters)] as number[];
    return [(c[0] as number) + 0.05 * gaussian(r), (c[1] as number) + 0.05 * gaussian(r), 0.5 + 5 * r.next()];
  });
  const m = square(n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const [la1, lo1, a1] = nodes[i] as number[];
      const [la2, lo2, a2] = nodes[j] as number[];
      const cos =
        Math.sin(la1 as number) * Math.sin(la2 as number) +
        Math.cos(la1 as number) * Math.cos(la2 as number) * Math.cos((lo1 as number) - (lo2 as number));
      const km = Math.acos(Math.min(1, cos)) * 6371;
      const rtt = (km / 100) * (1.2 + 0.6 * r.next()) + (a1 as number) + (a2 as number);
      (m[i] as number[])[j] = rtt;
      (m[j] as number[])[i] = rtt;
    }
  }
  return m;
}

function randomMatrix(n: number, mean: number, dev: number, seed: number): RttMatrix {
  const r = seededRandom(seed);
  const m = square(n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = mean + dev * gaussian(r);
      (m[i] as number[])[j] = v;
      (m[j] as number[])[i] = v;
    }
  }
  return m;
}

function split(n: number, lan: number, wan: number): RttMatrix {
  const m = square(n);
  const half = Math.floor(n / 2);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) if (i !== j) (m[i] as number[])[j] = lan + (i <= half !== j <= half ? wan : 0);
  return m;
}

function grid(n: number, spacing: number): RttMatrix {
  const k = Math.floor(Math.sqrt(n));
  const m = square(n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      (m[i] as number[])[j] = Math.hypot((i % k) - (j % k), Math.floor(i / k) - Math.floor(j / k)) * spacing;
  return m;
}

function meanReport(matrix: RttMatrix, rounds: number, config: Partial<VivaldiConfig>, noise = 0, seeds = SEEDS) {
  const reports: AccuracyReport[] = seeds.map((seed) =>
    evaluateMatrix(matrix, { rounds, seed, noise, config: { ...config, clock } }),
  );
  const avg = (f: (r: AccuracyReport) => number) => reports.reduce((a, r) => a + f(r), 0) / reports.length;
  return {
    median_rel_err: round4(avg((r) => r.median_rel_err)),
    p90_rel_err: round4(avg((r) => r.p90_rel_err)),
    nearest_of_5_top1: round4(avg((r) => r.nearest_of_5_top1)),
    mean_stretch: round4(avg((r) => r.mean_stretch)),
  };
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

// ---- accuracy on Azure-44 -------------------------------------------------------------------------
const accuracy: Record<string, Record<string, ReturnType<typeof meanReport>>> = {};
console.log(`Azure-44 (${azure.length} regions), mean of seeds ${SEEDS.join(',')}`);
for (const [name, config] of ALGORITHMS) {
  accuracy[name] = {};
  for (const [label, rounds, noise] of [
    ['r100', 100, 0],
    ['r300', 300, 0],
    ['r300_noise0.1', 300, 0.1],
  ] as const) {
    const r = meanReport(azure, rounds, config, noise);
    (accuracy[name] as Record<string, ReturnType<typeof meanReport>>)[label] = r;
    console.log(
      `  ${name.padEnd(10)} ${label.padEnd(14)} median ${r.median_rel_err.toFixed(4)}  p90 ${r.p90_rel_err.toFixed(4)}  top1 ${r.nearest_of_5_top1.toFixed(3)}  stretch ${r.mean_stretch.toFixed(3)}`,
    );
  }
}
const seed1 = Object.fromEntries(
  ALGORITHMS.map(([name, config]) => [
    name,
    {
      r100: round4(evaluateMatrix(azure, { rounds: 100, seed: 1, config: { ...config, clock } }).median_rel_err),
      r300: round4(evaluateMatrix(azure, { rounds: 300, seed: 1, config: { ...config, clock } }).median_rel_err),
    },
  ]),
);
console.log(`  seed 1 only: hyperscale ${JSON.stringify(seed1.hyperscale)}  serf ${JSON.stringify(seed1.serf)}`);

// ---- other topologies -------------------------------------------------------------------------------
const topologies: [string, RttMatrix][] = [
  ['geo60', geographic(60, 7, 8)],
  ['geo100', geographic(100, 11, 12)],
  ['random25', randomMatrix(25, 100, 10, 1)],
  ['grid25', grid(25, 10)],
  ['split25', split(25, 1, 10)],
];
const synthetic: Record<string, Record<string, number>> = {};
console.log('Other topologies, median relative error after 100 / 300 rounds (mean of seeds 1-3)');
for (const [topo, matrix] of topologies) {
  const row: Record<string, number> = {};
  const parts: string[] = [];
  for (const [name, config] of ALGORITHMS) {
    for (const rounds of [100, 300]) {
      const r = meanReport(matrix, rounds, config, 0, [1, 2, 3]);
      row[`${name}_r${rounds}`] = r.median_rel_err;
      parts.push(`${name} r${rounds} ${r.median_rel_err.toFixed(4)}`);
    }
  }
  synthetic[topo] = row;
  console.log(`  ${topo.padEnd(9)} ${parts.join('  ')}`);
}

// ---- cost ---------------------------------------------------------------------------------------------
function peers(count: number, seed: number): { id: string; c: Coordinate; rtt: number }[] {
  const r = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    id: `peer-${i}`,
    c: {
      vec: Array.from({ length: 8 }, () => r.next() * 100),
      height: 1,
      adjustment: 0,
      error: 0.2,
      sampleCount: 50,
      updatedAtMs: 0,
      errorMs: 5,
    },
    rtt: 20 + r.next() * 200,
  }));
}

function timeUpdate(config: Partial<VivaldiConfig>): number {
  const ps = peers(64, 5);
  const client = new VivaldiClient({ ...config, clock });
  const n = 200_000;
  for (let i = 0; i < 50_000; i++) {
    const p = ps[i & 63] as (typeof ps)[number];
    client.update(p.id, p.c, p.rtt);
  }
  let best = Number.POSITIVE_INFINITY;
  for (let trial = 0; trial < 5; trial++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const p = ps[i & 63] as (typeof ps)[number];
      client.update(p.id, p.c, p.rtt);
    }
    best = Math.min(best, Number(process.hrtime.bigint() - start) / n);
  }
  return best;
}

function timeEstimate(): number {
  const ps = peers(64, 9).map((p) => p.c);
  const n = 1_000_000;
  let sink = 0;
  let best = Number.POSITIVE_INFINITY;
  for (let trial = 0; trial < 5; trial++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sink += estimateRttMs(ps[i & 63] as Coordinate, ps[(i + 17) & 63] as Coordinate);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / n);
  }
  if (sink < 0) console.log(sink);
  return best;
}

const updateNs = timeUpdate({});
const serfUpdateNs = timeUpdate(SERF_REFERENCE_CONFIG);
const estimateNs = timeEstimate();
console.log(
  `Cost (best of 5): update ${updateNs.toFixed(0)} ns (serf reference ${serfUpdateNs.toFixed(0)} ns), estimateRttMs ${estimateNs.toFixed(1)} ns`,
);

const ours = accuracy.hyperscale as Record<string, ReturnType<typeof meanReport>>;
const serf = accuracy.serf as Record<string, ReturnType<typeof meanReport>>;
console.log(
  JSON.stringify({
    bench: 'vivaldi',
    azure44_median_rel_err_r100: ours.r100?.median_rel_err,
    azure44_median_rel_err_r300: ours.r300?.median_rel_err,
    azure44_p90_rel_err_r300: ours.r300?.p90_rel_err,
    azure44_nearest_of_5_top1_r300: ours.r300?.nearest_of_5_top1,
    azure44_mean_stretch_r300: ours.r300?.mean_stretch,
    azure44_median_rel_err_r300_noise01: ours['r300_noise0.1']?.median_rel_err,
    serf_azure44_median_rel_err_r100: serf.r100?.median_rel_err,
    serf_azure44_median_rel_err_r300: serf.r300?.median_rel_err,
    serf_azure44_nearest_of_5_top1_r300: serf.r300?.nearest_of_5_top1,
    serf_azure44_median_rel_err_r300_noise01: serf['r300_noise0.1']?.median_rel_err,
    azure44_seed1: seed1,
    synthetic_median_rel_err: synthetic,
    update_ns: Math.round(updateNs),
    serf_update_ns: Math.round(serfUpdateNs),
    estimate_ns: round4(estimateNs),
    seeds: SEEDS,
  }),
);
