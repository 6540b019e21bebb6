// Benchmark of @hyperscale/routing (issue 5 "Figures"): gates and datacenters placed at Azure
// regions (shared/data/azure-44-rtt.json), coordinates learned by @hyperscale/vivaldi from simulated
// probes, the RTTs of the gates' own probes blended in (AD-45), datacenter load rising and falling
// with accepted jobs, random datacenter failures and recoveries — routed by GateJobRouter, by an
// oracle (true RTTs, loads and liveness, same score formula, no hysteresis) and at random, each on
// the same arrivals and failures. Then the latency of one routing decision over 50 datacenters.
// Virtual time only; no network traffic at all.
//
// Two demand scenarios on the same datacenters:
//   anywhere  8 gates at random regions (demand from anywhere, as users submit wherever they are):
//             the RTT figures, switches and failover. Demand is not uniform across datacenters
//             here, so even the oracle's load is uneven (oracle_load_cv).
//   uniform   one gate in each datacenter's region, equal demand per gate — the issue's "uniform
//             demand": the load CV figure, with RTT figures reported too.
// Routing follows the gate: a job is placed when submitted (routeJob), and every running job is
// reviewed at the heartbeat cadence (routeJob with `running`), which moves it only when its
// datacenter can no longer run it; a job lost with its datacenter is placed again.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Random, randomInt, seededRandom, shuffle, VirtualClock } from '@hyperscale/deterministic';
import {
  type DatacenterInput,
  type DistanceEstimate,
  type DistanceEstimator,
  GateJobRouter,
  type HealthBucket,
  type ManagerInput,
  ObservedLatency,
  type RoutingConfig,
  vivaldiDistanceEstimator,
} from '@hyperscale/routing';
import { VivaldiClient } from '@hyperscale/vivaldi';

// ---------------------------------------------------------------- scenario constants
const SEED = Number(process.env['SEED'] ?? 7);
const DATACENTERS = 10; // issue: 8–12
const ANYWHERE_GATES = 8; // demand sources of the "anywhere" scenario, uniform share each
const MANAGERS_PER_DC = 3;
const CORES_PER_DC = 64;
const JOB_CORES = 8;
const JOB_MEAN_S = 120;
const OFFERED_LOAD = 0.5; // mean share of all cores that demand asks for
const ARRIVALS_PER_S = (OFFERED_LOAD * DATACENTERS * CORES_PER_DC) / (JOB_CORES * JOB_MEAN_S);
const SIM_S = 2 * 3600;
const PROBE_INTERVAL_S = 5; // memberlist WAN ProbeInterval (anchors §1.1)
const HEARTBEAT_INTERVAL_S = 5; // facts §2 MANAGER_HEARTBEAT_INTERVAL
const XPROBE_INTERVAL_S = 2; // facts §5 AD-33 xprobe every 2 s
const XPROBE_SUSPECT_FAILURES = 5; // facts §5 AD-33: SUSPECTED after 5 failures
const REEVALUATE_S = 5; // a running job's routing is re-checked at the heartbeat cadence (AD-36 part 13)
const FAILURE_MEAN_GAP_S = 600;
const FAILURE_MIN_S = 120;
const FAILURE_MAX_S = 300;
const CIRCUIT_HALF_OPEN_S = 10; // facts §5 gate→manager circuit half-open after 10 s
const JITTER = 0.05; // ± share of RTT per probe sample

interface Matrix {
  regions: string[];
  rtt_ms: number[][];
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const matrixPath = process.env['RTT_MATRIX'] ?? join(root, '..', 'shared', 'data', 'azure-44-rtt.json');
const matrix = JSON.parse(readFileSync(matrixPath, 'utf8')) as Matrix;
const regionCount = matrix.regions.length;
const trueRtt = (a: number, b: number): number => (a === b ? 1 : matrix.rtt_ms[a]![b]!);

// ---------------------------------------------------------------- placement
const placement = seededRandom(SEED);
function distinctRegions(random: Random, n: number): number[] {
  return shuffle(
    random,
    Array.from({ length: regionCount }, (_, i) => i),
  ).slice(0, n);
}
const dcRegion = distinctRegions(placement, DATACENTERS);
const dcName = (i: number): string => matrix.regions[dcRegion[i]!]!;
const dcIndexByName = new Map(dcRegion.map((_, i) => [dcName(i), i]));

interface Scenario {
  name: 'anywhere' | 'uniform';
  gateRegion: number[];
}
const scenarios: Scenario[] = [
  { name: 'anywhere', gateRegion: distinctRegions(placement, ANYWHERE_GATES) },
  { name: 'uniform', gateRegion: [...dcRegion] },
];

// ---------------------------------------------------------------- arrivals and failures (shared)
interface Arrival {
  atS: number;
  gate: number;
  durationS: number;
}
interface Outage {
  dc: number;
  fromS: number;
  toS: number;
}
function schedule(gates: number): { arrivals: Arrival[]; outages: Outage[] } {
  const r = seededRandom(SEED * 7919 + 1);
  const arrivals: Arrival[] = [];
  for (let t = 0; ; ) {
    t += -Math.log(1 - r.next()) / ARRIVALS_PER_S;
    if (t >= SIM_S) break;
    arrivals.push({ atS: t, gate: randomInt(r, gates), durationS: -Math.log(1 - r.next()) * JOB_MEAN_S });
  }
  const outages: Outage[] = [];
  for (let t = 300; ; ) {
    t += -Math.log(1 - r.next()) * FAILURE_MEAN_GAP_S;
    if (t >= SIM_S - FAILURE_MAX_S) break;
    const dc = randomInt(r, DATACENTERS);
    const toS = t + FAILURE_MIN_S + r.next() * (FAILURE_MAX_S - FAILURE_MIN_S);
    if (!outages.some((o) => o.dc === dc && o.toS > t)) outages.push({ dc, fromS: t, toS });
    t = toS;
  }
  return { arrivals, outages };
}

// ---------------------------------------------------------------- datacenter model
interface RunningJob {
  id: string;
  gate: number;
  dc: number;
  endS: number;
}
class DatacenterModel {
  usedCores = 0;
  queue: RunningJob[] = [];
  running = new Set<RunningJob>();
  alive = true;
  busyCoreSeconds = 0;
  // what the gate last heard (heartbeat every 5 s)
  reportedAvailable = CORES_PER_DC;
  reportedQueue = 0;
  lastHeartbeatS = 0;
  xprobeFailures = 0;
  circuitOpenUntilS = -1;
  circuitHalfOpen = false;

  constructor(readonly index: number) {}

  get trueAvailable(): number {
    return CORES_PER_DC - this.usedCores;
  }
}

type Policy = 'router' | 'oracle' | 'random';
interface RunResult {
  policy: Policy;
  rtts: number[];
  utilization: number[];
  decisions: number;
  switches: number;
  /** Decisions that placed a job (submission, or again after its datacenter was lost), and their switches. */
  placements: number;
  placementSwitches: number;
  voluntarySwitches: number;
  failedDispatches: number;
  failoverS: number[];
  bootstrapDecisions: number;
  unroutable: number;
}

function classify(available: number, queue: number): HealthBucket {
  const used = 1 - available / CORES_PER_DC;
  if (used >= 0.95 && queue > 0) return 'unhealthy';
  if (used >= 0.85) return 'degraded';
  if (used >= 0.7) return 'busy';
  return 'healthy';
}

// ---------------------------------------------------------------- vivaldi: one global pool
interface PoolNode {
  region: number;
  client: VivaldiClient;
}
function makePool(clock: VirtualClock, gateRegion: readonly number[]): { gates: PoolNode[]; managers: PoolNode[][] } {
  let seed = SEED * 104729;
  const node = (region: number): PoolNode => ({
    region,
    client: new VivaldiClient({ clock, random: seededRandom(seed++) }),
  });
  return {
    gates: gateRegion.map(node),
    managers: dcRegion.map((r) => Array.from({ length: MANAGERS_PER_DC }, () => node(r))),
  };
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

// ---------------------------------------------------------------- one simulation
function simulate(
  policy: Policy,
  scenario: Scenario,
  routerConfig: Partial<RoutingConfig> = {},
  options: { reviewAsPlacement?: boolean } = {},
): RunResult {
  const { gateRegion } = scenario;
  const { arrivals, outages } = schedule(gateRegion.length);
  const clock = new VirtualClock(0);
  const dcs = Array.from({ length: DATACENTERS }, (_, i) => new DatacenterModel(i));
  const pool = makePool(clock, gateRegion);
  const probeRandom = seededRandom(SEED * 31 + 5);
  const policyRandom = seededRandom(SEED * 17 + 3);
  const result: RunResult = {
    policy,
    rtts: [],
    utilization: [],
    decisions: 0,
    switches: 0,
    placements: 0,
    placementSwitches: 0,
    voluntarySwitches: 0,
    failedDispatches: 0,
    failoverS: [],
    bootstrapDecisions: 0,
    unroutable: 0,
  };
  const outageOpen = new Map<number, { fromS: number; lastPrimaryS: number }>();

  // the gate-side view, as DatacenterInput
  const nowS = (): number => clock.now() / 1000;
  const inputs = (): DatacenterInput[] =>
    dcs.map((d) => {
      const hbAgeMs = (nowS() - d.lastHeartbeatS) * 1000;
      const circuit: ManagerInput['circuit'] =
        d.circuitOpenUntilS > nowS() ? 'open' : d.circuitHalfOpen ? 'half_open' : 'closed';
      const suspected = d.xprobeFailures >= XPROBE_SUSPECT_FAILURES;
      return {
        datacenterId: dcName(d.index),
        health: suspected ? 'unhealthy' : classify(d.reportedAvailable, d.reportedQueue),
        healthAgeMs: hbAgeMs,
        managers: Array.from({ length: MANAGERS_PER_DC }, (_, m) => ({
          managerId: `${dcName(d.index)}-m${m}`,
          circuit,
          heartbeatAgeMs: hbAgeMs,
          isLeader: m === 0,
        })),
        availableCores: d.reportedAvailable,
        totalCores: CORES_PER_DC,
        queueDepth: d.reportedQueue,
      };
    });

  // one router per gate (each gate routes from its own coordinate and its own probes' RTTs)
  const observed = pool.gates.map(() => new ObservedLatency());
  const routers = pool.gates.map((gate, g) => {
    const distance = vivaldiDistanceEstimator({
      clock,
      localCoordinate: () => gate.client.coordinate(),
      datacenterCoordinates: (id) =>
        (pool.managers[dcIndexByName.get(id) ?? -1] ?? []).map((m) => m.client.coordinate()),
      observed: (id) => observed[g]!.estimate(id, clock.now()),
    });
    return new GateJobRouter({ clock, distance, candidates: inputs, config: routerConfig });
  });

  const jobs = new Map<string, RunningJob>();
  let jobSeq = 0;

  const start = (job: RunningJob): void => {
    const d = dcs[job.dc]!;
    if (d.trueAvailable >= JOB_CORES) {
      d.usedCores += JOB_CORES;
      d.running.add(job);
    } else {
      d.queue.push(job);
    }
  };

  const oracleOrder = (gate: number): number[] => {
    const order = dcs
      .filter((d) => d.alive)
      .map((d) => {
        const bucket = classify(d.trueAvailable, d.queue.length);
        const util = 1 - d.trueAvailable / CORES_PER_DC;
        const q = d.queue.length / (d.queue.length + 10);
        const rank = { healthy: 0, busy: 1, degraded: 2, unhealthy: 3 }[bucket];
        const severity = [1, 1.5, 3, 1e9][rank]!;
        return {
          i: d.index,
          rank,
          score: trueRtt(gateRegion[gate]!, dcRegion[d.index]!) * (1 + 0.5 * util + 0.3 * q) * severity,
        };
      })
      .filter((x) => x.rank < 3);
    order.sort((a, b) => a.rank - b.rank || a.score - b.score);
    return order.map((x) => x.i);
  };

  const route = (job: { id: string; gate: number }, running: boolean): number | undefined => {
    if (policy === 'oracle') return oracleOrder(job.gate)[0];
    if (policy === 'random') {
      const alive = dcs.filter((d) => d.alive);
      return alive.length === 0 ? undefined : alive[randomInt(policyRandom, alive.length)]!.index;
    }
    const router = routers[job.gate]!;
    const decision = router.routeJob(job.id, { running: running && options.reviewAsPlacement !== true });
    result.decisions++;
    if (decision.bootstrapMode) result.bootstrapDecisions++;
    if (!running) result.placements++;
    if (decision.switched) {
      result.switches++;
      if (!running) result.placementSwitches++;
      if (decision.reason === 'improved') result.voluntarySwitches++;
    }
    if (!running || decision.switched) {
      // dispatch along the chain until a live datacenter accepts
      for (const id of [...decision.primaryDatacenters, ...decision.fallbackDatacenters]) {
        const index = dcIndexByName.get(id)!;
        const d = dcs[index]!;
        const o = outageOpen.get(index);
        if (o !== undefined && id === decision.primaryDatacenters[0]) o.lastPrimaryS = nowS();
        if (d.alive) return index;
        result.failedDispatches++;
        router.recordDispatchFailure(job.id, id);
        d.circuitOpenUntilS = nowS() + CIRCUIT_HALF_OPEN_S;
        d.circuitHalfOpen = true;
      }
      return undefined;
    }
    return undefined;
  };

  // ---- event loop at 100 ms resolution
  const STEP_MS = 100;
  let arrivalIndex = 0;
  const outageQueue = [...outages];
  let lastUtilSampleS = 0;
  const busyAt = new Float64Array(DATACENTERS);
  for (let tMs = 0; tMs <= SIM_S * 1000; tMs += STEP_MS) {
    clock.set(tMs);
    const t = tMs / 1000;

    // failures and recoveries
    for (const o of outageQueue) {
      const d = dcs[o.dc]!;
      if (d.alive && t >= o.fromS && t < o.toS) {
        d.alive = false;
        outageOpen.set(o.dc, { fromS: t, lastPrimaryS: t });
        // everything running there is lost: re-route it (new jobs of the same ids)
        const lost = [...d.running, ...d.queue];
        d.running.clear();
        d.queue = [];
        d.usedCores = 0;
        for (const job of lost) {
          const target = route(job, false);
          if (target === undefined) jobs.delete(job.id);
          else {
            job.dc = target;
            start(job);
          }
        }
      } else if (!d.alive && t >= o.toS && o.toS > o.fromS && outageOpen.has(o.dc)) {
        d.alive = true;
        const open = outageOpen.get(o.dc)!;
        result.failoverS.push(open.lastPrimaryS - open.fromS);
        outageOpen.delete(o.dc);
        o.fromS = Number.POSITIVE_INFINITY;
      }
    }

    // completions (and queued jobs start)
    for (const d of dcs) {
      for (const job of d.running) {
        if (job.endS <= t) {
          d.running.delete(job);
          d.usedCores -= JOB_CORES;
          jobs.delete(job.id);
          if (policy === 'router') routers[job.gate]!.jobCompleted(job.id);
        }
      }
      while (d.queue.length > 0 && d.trueAvailable >= JOB_CORES) {
        const job = d.queue.shift()!;
        d.usedCores += JOB_CORES;
        d.running.add(job);
      }
      busyAt[d.index]! += (d.usedCores / CORES_PER_DC) * (STEP_MS / 1000);
    }

    // heartbeats, xprobes, circuits
    if (tMs % (HEARTBEAT_INTERVAL_S * 1000) === 0) {
      for (const d of dcs) {
        if (!d.alive) continue;
        d.reportedAvailable = d.trueAvailable;
        d.reportedQueue = d.queue.length;
        d.lastHeartbeatS = t;
      }
    }
    if (tMs % (XPROBE_INTERVAL_S * 1000) === 0) {
      for (const d of dcs) d.xprobeFailures = d.alive ? 0 : d.xprobeFailures + 1;
    }
    for (const d of dcs) {
      if (d.circuitHalfOpen && d.circuitOpenUntilS <= t && d.alive) {
        // the half-open trial happens with the next heartbeat-confirmed dispatch; a live DC closes it
        d.circuitHalfOpen = false;
      }
    }

    // vivaldi probes: each node probes one random peer every PROBE_INTERVAL_S (staggered)
    const all = [...pool.gates, ...pool.managers.flat()];
    const slot = Math.round(tMs / STEP_MS) % ((PROBE_INTERVAL_S * 1000) / STEP_MS);
    for (let n = slot; n < all.length; n += (PROBE_INTERVAL_S * 1000) / STEP_MS) {
      const self = all[n]!;
      const peer = all[randomInt(probeRandom, all.length)]!;
      if (peer === self) continue;
      const peerDc = pool.managers.findIndex((ms) => ms.includes(peer));
      if (peerDc >= 0 && !dcs[peerDc]!.alive) continue;
      const rtt = trueRtt(self.region, peer.region) * (1 + JITTER * (2 * probeRandom.next() - 1));
      self.client.update(`p${all.indexOf(peer)}`, peer.client.coordinate(), rtt);
      const gate = pool.gates.indexOf(self);
      if (gate >= 0 && peerDc >= 0) observed[gate]!.record(dcName(peerDc), rtt, clock.now());
    }

    // arrivals
    while (arrivalIndex < arrivals.length && arrivals[arrivalIndex]!.atS <= t) {
      const a = arrivals[arrivalIndex++]!;
      const job: RunningJob = { id: `job-${jobSeq++}`, gate: a.gate, dc: -1, endS: a.atS + a.durationS };
      const target = route(job, false);
      if (target === undefined) {
        result.unroutable++;
        if (policy === 'router') routers[job.gate]!.jobCompleted(job.id);
        continue;
      }
      job.dc = target;
      jobs.set(job.id, job);
      result.rtts.push(trueRtt(gateRegion[a.gate]!, dcRegion[target]!));
      start(job);
    }

    // the gate's review of running jobs at the heartbeat cadence (switch rate), router only
    if (policy === 'router' && tMs % (REEVALUATE_S * 1000) === 0) {
      for (const job of jobs.values()) route(job, true);
    }
    if (t - lastUtilSampleS >= 1) lastUtilSampleS = t;
  }
  result.utilization = Array.from(busyAt, (b) => b / SIM_S);
  if (policy === 'router' && process.env['DEBUG_ROUTING'] !== undefined) {
    const totals: Record<string, number> = {};
    for (const r of routers) {
      for (const [k, v] of Object.entries(r.metrics.snapshot().switchesTotal)) totals[k] = (totals[k] ?? 0) + v;
    }
    console.log('switches by reason', JSON.stringify(totals));
  }
  return result;
}

function quantiles(values: readonly number[], qs: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  return qs.map((q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
}

function cv(values: readonly number[]): number {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  return Math.sqrt(variance) / mean;
}

// ---------------------------------------------------------------- decision latency, 50 DCs
function decisionLatency(): { p50: number; p99: number } {
  const r = seededRandom(SEED + 99);
  const clock = new VirtualClock(0);
  const estimates = new Map<string, DistanceEstimate>();
  const candidates: DatacenterInput[] = Array.from({ length: 50 }, (_, i) => {
    const id = `dc-${i}`;
    estimates.set(id, { rttUcbMs: 5 + r.next() * 300, quality: r.next() });
    const health: HealthBucket = (['healthy', 'healthy', 'busy', 'degraded', 'unhealthy'] as const)[randomInt(r, 5)]!;
    return {
      datacenterId: id,
      health,
      healthAgeMs: r.next() * 40_000,
      managers: Array.from({ length: 3 }, (_, m) => ({
        managerId: `${id}-m${m}`,
        circuit: r.next() < 0.1 ? ('open' as const) : ('closed' as const),
        heartbeatAgeMs: r.next() * 20_000,
        isLeader: m === 0,
      })),
      availableCores: randomInt(r, 65),
      totalCores: 64,
      queueDepth: randomInt(r, 20),
    };
  });
  const distance: DistanceEstimator = { datacenter: (id) => estimates.get(id), localIsMature: () => true };
  const router = new GateJobRouter({ clock, distance, candidates: () => candidates });
  const samples: number[] = [];
  // A gate's router runs for days: measure the steady state, after the JIT has settled (20k decisions).
  const WARMUP = 20_000;
  const N = WARMUP + 100_000;
  for (let i = 0; i < N; i++) {
    clock.advance(50);
    const job = `job-${i % 2000}`; // re-routing existing jobs exercises hysteresis state
    const t0 = process.hrtime.bigint();
    router.routeJob(job);
    const t1 = process.hrtime.bigint();
    if (i >= WARMUP) samples.push(Number(t1 - t0) / 1000);
  }
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length * 0.5)]!, p99: samples[Math.floor(samples.length * 0.99)]! };
}

// ---------------------------------------------------------------- run
const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const ratio = (a: number, b: number): number => Number((a / b).toFixed(3));
const regionsOf = (regions: readonly number[]): string => regions.map((r) => matrix.regions[r]).join(', ');

console.log(`routing bench: seed ${SEED}, ${DATACENTERS} DCs [${regionsOf(dcRegion)}]`);
const { arrivals: sampleArrivals, outages: sampleOutages } = schedule(1);
console.log(
  `demand ${ARRIVALS_PER_S.toFixed(3)} jobs/s × ${JOB_CORES} cores × ${JOB_MEAN_S} s mean = ${(OFFERED_LOAD * 100).toFixed(0)} % of ${DATACENTERS}×${CORES_PER_DC} cores, ` +
    `${sampleArrivals.length} jobs over ${SIM_S} s, ${sampleOutages.length} DC outages`,
);

function runScenario(scenario: Scenario) {
  console.log(`\n[${scenario.name}] ${scenario.gateRegion.length} gates [${regionsOf(scenario.gateRegion)}]`);
  const router = simulate('router', scenario);
  const oracle = simulate('oracle', scenario);
  const random = simulate('random', scenario);
  // The same router if a review were a placement (load moves running jobs): what `running` saves.
  const reviewAsPlacement = simulate('router', scenario, {}, { reviewAsPlacement: true });
  for (const r of [router, oracle, random]) {
    console.log(
      `${r.policy.padEnd(7)} RTT p25/p50/p75 ${quantiles(r.rtts, [0.25, 0.5, 0.75]).join('/')} ms, mean ${mean(r.rtts).toFixed(1)} ms, load CV ${cv(r.utilization).toFixed(3)}, ` +
        `utilisation [${r.utilization.map((u) => u.toFixed(2)).join(' ')}], unroutable ${r.unroutable}`,
    );
  }
  console.log(
    `router: ${router.decisions} decisions (${router.bootstrapDecisions} in bootstrap), ${router.switches} switches ` +
      `(${router.voluntarySwitches} voluntary), ${router.failedDispatches} failed dispatches, ` +
      `failover per outage [${router.failoverS.map((s) => s.toFixed(1)).join(' ')}] s`,
  );
  console.log(
    `reviews as placements: ${reviewAsPlacement.switches} switches / ${reviewAsPlacement.decisions} decisions ` +
      `(${reviewAsPlacement.voluntarySwitches} voluntary)`,
  );
  return {
    gates: scenario.gateRegion.length,
    median_rtt_ms: median(router.rtts),
    median_rtt_vs_random: ratio(median(router.rtts), median(random.rtts)),
    median_rtt_vs_oracle: ratio(median(router.rtts), median(oracle.rtts)),
    oracle_median_rtt_vs_random: ratio(median(oracle.rtts), median(random.rtts)),
    mean_rtt_vs_random: ratio(mean(router.rtts), mean(random.rtts)),
    mean_rtt_vs_oracle: ratio(mean(router.rtts), mean(oracle.rtts)),
    load_cv: ratio(cv(router.utilization), 1),
    oracle_load_cv: ratio(cv(oracle.utilization), 1),
    decisions: router.decisions,
    switches: router.switches,
    switch_rate: Number((router.switches / router.decisions).toFixed(5)),
    placements: router.placements,
    placement_switch_rate: Number((router.placementSwitches / router.placements).toFixed(5)),
    switch_rate_reviews_as_placements: Number((reviewAsPlacement.switches / reviewAsPlacement.decisions).toFixed(5)),
    failover_s: Number(Math.max(0, ...router.failoverS).toFixed(1)),
  };
}

// Decision latency first, on a fresh heap: the simulations' own garbage is not the gate's.
const latency = decisionLatency();
const anywhere = runScenario(scenarios[0]!);
const uniform = runScenario(scenarios[1]!);
console.log(`\ndecision over 50 DCs: p50 ${latency.p50.toFixed(2)} µs, p99 ${latency.p99.toFixed(2)} µs`);

// Headline figures: RTT, switches and failover from demand anywhere; load CV under uniform demand.
const figures = {
  seed: SEED,
  datacenters: DATACENTERS,
  jobs: sampleArrivals.length,
  outages: sampleOutages.length,
  median_rtt_vs_random: anywhere.median_rtt_vs_random,
  median_rtt_vs_oracle: anywhere.median_rtt_vs_oracle,
  load_cv: uniform.load_cv,
  switch_rate: anywhere.switch_rate,
  failover_s: Math.max(anywhere.failover_s, uniform.failover_s),
  decision_p50_us: Number(latency.p50.toFixed(2)),
  decision_p99_us: Number(latency.p99.toFixed(2)),
  anywhere,
  uniform,
};
console.log(JSON.stringify(figures));
