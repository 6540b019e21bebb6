// The wire-ready statistics of a workflow run and their exact algebra. A StatsSnapshot is plain
// data (histograms encoded as bytes) so it crosses gRPC and worker_threads unchanged; mergeStats is
// associative and commutative and loses nothing (counters add, HdrHistogram counts add), so a
// worker's cores, a datacenter's workers and a job's datacenters merge in any order to the same
// result. deltaSince turns two cumulative snapshots into one window.
import { createHistogram, decodeHistogram, emptyHistogramBytes, encodeHistogram } from './histogram.js';

export interface StepStats {
  name: string;
  /** Position among the workflow's HTTP steps; orders steps after a merge. */
  index: number;
  /** Finished requests, errors included; interrupted ones excluded. */
  requests: number;
  /** timeouts + transportErrors + unexpectedStatus. */
  errors: number;
  timeouts: number;
  transportErrors: number;
  unexpectedStatus: number;
  /** Aborted by cancel or by the end of the graceful stop; not errors. */
  interrupted: number;
  /** Status code → count, for every response received. */
  statusCounts: Record<string, number>;
  /** HdrHistogram (µs) of latency from the intended start (coordinated-omission corrected). */
  latency: Uint8Array;
  /** HdrHistogram (µs) of raw service time: send → last byte. */
  serviceTime: Uint8Array;
}

export interface StatsSnapshot {
  workflow: string;
  /** Unix ms when the run started; merge = min. */
  startedAtMs: number;
  /** Unix ms of the snapshot, or of the end of the run; merge = max. */
  endedAtMs: number;
  /** Completed iterations. */
  iterations: number;
  /** Arrival-rate iterations that found no free VU (k6 `dropped_iterations`). */
  droppedIterations: number;
  steps: StepStats[];
}

/** Counter fields of StepStats, summed on merge and subtracted by deltaSince. */
const STEP_COUNTERS = ['requests', 'errors', 'timeouts', 'transportErrors', 'unexpectedStatus', 'interrupted'] as const;

export function emptyStepStats(name: string, index: number): StepStats {
  return {
    name,
    index,
    requests: 0,
    errors: 0,
    timeouts: 0,
    transportErrors: 0,
    unexpectedStatus: 0,
    interrupted: 0,
    statusCounts: {},
    latency: emptyHistogramBytes(),
    serviceTime: emptyHistogramBytes(),
  };
}

export function emptyStats(workflow: string, steps: readonly string[], startedAtMs: number): StatsSnapshot {
  return {
    workflow,
    startedAtMs,
    endedAtMs: startedAtMs,
    iterations: 0,
    droppedIterations: 0,
    steps: steps.map((name, index) => emptyStepStats(name, index)),
  };
}

function compareSteps(a: StepStats, b: StepStats): number {
  if (a.index !== b.index) return a.index - b.index;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function stepKey(s: StepStats): string {
  return `${s.index}\u0000${s.name}`;
}

function mergeStatusCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

function sortedByStatus(counts: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(counts).sort((x, y) => Number(x) - Number(y))) {
    const v = counts[k]!;
    if (v !== 0) out[k] = v;
  }
  return out;
}

/** One step's accumulator: each input histogram is decoded once, the result encoded once. */
class StepAccumulator {
  readonly out: StepStats;
  private readonly latency = createHistogram();
  private readonly serviceTime = createHistogram();
  /** Whether every input carried one histogram for both (constant-vus): then so does the output. */
  private shared = true;

  constructor(first: StepStats) {
    this.out = { ...first, statusCounts: {} };
    for (const c of STEP_COUNTERS) this.out[c] = 0;
  }

  add(step: StepStats): void {
    for (const c of STEP_COUNTERS) this.out[c] += step[c];
    mergeStatusCounts(this.out.statusCounts, step.statusCounts);
    this.latency.add(decodeHistogram(step.latency));
    if (step.serviceTime === step.latency) this.serviceTime.add(decodeHistogram(step.latency));
    else {
      this.shared = false;
      this.serviceTime.add(decodeHistogram(step.serviceTime));
    }
  }

  finish(): StepStats {
    this.out.statusCounts = sortedByStatus(this.out.statusCounts);
    this.out.latency = encodeHistogram(this.latency);
    this.out.serviceTime = this.shared ? this.out.latency : encodeHistogram(this.serviceTime);
    return this.out;
  }
}

/** Exact merge of any number of snapshots of one workflow; the core of mergeStats and mergeAll. */
function mergeMany(snapshots: readonly StatsSnapshot[]): StatsSnapshot {
  const [first] = snapshots;
  if (first === undefined) throw new Error('mergeAll: no snapshots');
  const steps = new Map<string, StepAccumulator>();
  const out: StatsSnapshot = { ...first, iterations: 0, droppedIterations: 0, steps: [] };
  for (const s of snapshots) {
    if (s.workflow !== first.workflow) {
      throw new Error(`mergeStats: cannot merge workflow '${first.workflow}' with '${s.workflow}'`);
    }
    out.startedAtMs = Math.min(out.startedAtMs, s.startedAtMs);
    out.endedAtMs = Math.max(out.endedAtMs, s.endedAtMs);
    out.iterations += s.iterations;
    out.droppedIterations += s.droppedIterations;
    for (const step of s.steps) {
      const key = stepKey(step);
      let acc = steps.get(key);
      if (acc === undefined) {
        acc = new StepAccumulator(step);
        steps.set(key, acc);
      }
      acc.add(step);
    }
  }
  out.steps = [...steps.values()].map((a) => a.finish()).sort(compareSteps);
  return out;
}

/** Exact merge of two snapshots of the same workflow; associative and commutative. */
export function mergeStats(a: StatsSnapshot, b: StatsSnapshot): StatsSnapshot {
  return mergeMany([a, b]);
}

/** Merges any number of snapshots of one workflow (each decoded once); throws on an empty list. */
export function mergeAll(snapshots: readonly StatsSnapshot[]): StatsSnapshot {
  return mergeMany(snapshots);
}

function subtractHistogramBytes(current: Uint8Array, previous: Uint8Array): Uint8Array {
  const h = decodeHistogram(current);
  h.subtract(decodeHistogram(previous));
  return encodeHistogram(decodeHistogram(encodeHistogram(h)));
}

/**
 * The window between two cumulative snapshots of the same run: counters and histograms of
 * `current` minus `previous`, spanning previous.endedAtMs → current.endedAtMs. Merging every window
 * of a run gives its cumulative snapshot exactly.
 */
export function deltaSince(current: StatsSnapshot, previous: StatsSnapshot): StatsSnapshot {
  if (current.workflow !== previous.workflow) {
    throw new Error(`deltaSince: snapshots of different workflows ('${current.workflow}', '${previous.workflow}')`);
  }
  const prevByKey = new Map(previous.steps.map((s) => [stepKey(s), s] as const));
  const steps = current.steps.map((cur): StepStats => {
    const prev = prevByKey.get(stepKey(cur));
    if (prev === undefined) return cur;
    const out: StepStats = { ...cur, statusCounts: {} };
    for (const c of STEP_COUNTERS) {
      out[c] = cur[c] - prev[c];
      if (out[c] < 0) throw new Error(`deltaSince: '${cur.name}'.${c} went backwards; not the same run`);
    }
    const counts: Record<string, number> = {};
    for (const [k, v] of Object.entries(cur.statusCounts)) counts[k] = v - (prev.statusCounts[k] ?? 0);
    out.statusCounts = sortedByStatus(counts);
    out.latency = subtractHistogramBytes(cur.latency, prev.latency);
    out.serviceTime =
      cur.serviceTime === cur.latency ? out.latency : subtractHistogramBytes(cur.serviceTime, prev.serviceTime);
    return out;
  });
  return {
    workflow: current.workflow,
    startedAtMs: previous.endedAtMs,
    endedAtMs: current.endedAtMs,
    iterations: current.iterations - previous.iterations,
    droppedIterations: current.droppedIterations - previous.droppedIterations,
    steps,
  };
}
