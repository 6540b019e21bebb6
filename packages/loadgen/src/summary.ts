// The end-of-test numbers a person reads: per step requests, RPS, errors, error rate and latency
// percentiles in milliseconds, computed from a (merged) StatsSnapshot.
import { createHistogram, decodeHistogram, type Histogram } from './histogram.js';
import type { StatsSnapshot, StepStats } from './stats.js';

export interface LatencySummary {
  /** Number of recorded latencies (responses received). */
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export interface StepSummary {
  name: string;
  requests: number;
  rps: number;
  errors: number;
  errorRate: number;
  timeouts: number;
  transportErrors: number;
  unexpectedStatus: number;
  interrupted: number;
  statusCounts: Record<string, number>;
  /** Milliseconds, from the intended start (coordinated-omission corrected). */
  latency: LatencySummary;
  /** Milliseconds, raw service time. */
  serviceTime: LatencySummary;
}

export interface StatsSummary {
  workflow: string;
  durationS: number;
  iterations: number;
  droppedIterations: number;
  requests: number;
  rps: number;
  errors: number;
  errorRate: number;
  /** All steps together. */
  latency: LatencySummary;
  steps: StepSummary[];
}

const US_PER_MS = 1000;

/** Percentiles of a µs histogram, in ms; all zeros for an empty histogram. */
export function latencySummary(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };
  return {
    count: h.totalCount,
    min: h.minNonZeroValue / US_PER_MS,
    mean: h.mean / US_PER_MS,
    p50: h.getValueAtPercentile(50) / US_PER_MS,
    p90: h.getValueAtPercentile(90) / US_PER_MS,
    p95: h.getValueAtPercentile(95) / US_PER_MS,
    p99: h.getValueAtPercentile(99) / US_PER_MS,
    max: h.maxValue / US_PER_MS,
  };
}

function rate(count: number, seconds: number): number {
  return seconds > 0 ? count / seconds : 0;
}

function summarizeStep(step: StepStats, seconds: number): StepSummary {
  return {
    name: step.name,
    requests: step.requests,
    rps: rate(step.requests, seconds),
    errors: step.errors,
    errorRate: step.requests > 0 ? step.errors / step.requests : 0,
    timeouts: step.timeouts,
    transportErrors: step.transportErrors,
    unexpectedStatus: step.unexpectedStatus,
    interrupted: step.interrupted,
    statusCounts: { ...step.statusCounts },
    latency: latencySummary(decodeHistogram(step.latency)),
    serviceTime: latencySummary(decodeHistogram(step.serviceTime)),
  };
}

export function summarize(snapshot: StatsSnapshot): StatsSummary {
  const seconds = Math.max(0, snapshot.endedAtMs - snapshot.startedAtMs) / 1000;
  const all = createHistogram();
  let requests = 0;
  let errors = 0;
  for (const step of snapshot.steps) {
    all.add(decodeHistogram(step.latency));
    requests += step.requests;
    errors += step.errors;
  }
  return {
    workflow: snapshot.workflow,
    durationS: seconds,
    iterations: snapshot.iterations,
    droppedIterations: snapshot.droppedIterations,
    requests,
    rps: rate(requests, seconds),
    errors,
    errorRate: requests > 0 ? errors / requests : 0,
    latency: latencySummary(all),
    steps: snapshot.steps.map((s) => summarizeStep(s, seconds)),
  };
}
