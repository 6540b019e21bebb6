// Pass/fail criteria over merged stats, k6 style: `http_req_duration: ["p95 < 200ms"]`,
// `errors: ["rate < 1%"]`, `http_reqs: ["rate > 100"]`. A failed threshold makes the CLI exit 99
// (k6 `ThresholdsHaveFailed`). Parsing lives here too so the spec validator and the evaluator agree.
import { createHistogram, decodeHistogram } from './histogram.js';
import type { JobSpec } from './spec-types.js';
import type { StatsSnapshot } from './stats.js';
import {
  THRESHOLD_METRICS,
  type Threshold,
  type ThresholdAggregation,
  type ThresholdMetric,
  type ThresholdOperator,
  type ThresholdResult,
} from './threshold-types.js';

export class ThresholdSyntaxError extends Error {
  override readonly name = 'ThresholdSyntaxError';
}

const EXPRESSION =
  /^\s*(?:p\(\s*(\d+(?:\.\d+)?)\s*\)|p(\d+(?:\.\d+)?)|(avg|mean|med|min|max|rate|count))\s*(<=|>=|==|!=|<|>)\s*(\S(?:.*\S)?)\s*$/;

const ALLOWED: Record<ThresholdMetric, readonly ThresholdAggregation[]> = {
  http_req_duration: ['p', 'avg', 'med', 'min', 'max'],
  errors: ['rate', 'count'],
  http_reqs: ['rate', 'count'],
};

const DURATION_VALUE = /^(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m)?$/;
const DURATION_UNIT_MS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000 };

function parseValue(metric: ThresholdMetric, aggregation: ThresholdAggregation, text: string): number {
  if (metric === 'http_req_duration') {
    const m = DURATION_VALUE.exec(text);
    if (m === null) throw new ThresholdSyntaxError(`'${text}' is not a duration (e.g. 200ms, 1s; a bare number is ms)`);
    return Number(m[1]) * (DURATION_UNIT_MS[m[2] ?? 'ms'] ?? 1);
  }
  if (aggregation === 'count') {
    if (!/^\d+$/.test(text)) throw new ThresholdSyntaxError(`'${text}' is not a non-negative integer count`);
    return Number(text);
  }
  if (metric === 'errors') {
    const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
    const value = pct !== null ? Number(pct[1]) / 100 : /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
    if (!(value >= 0 && value <= 1)) {
      throw new ThresholdSyntaxError(`'${text}' is not a rate (a percentage such as 1% or a fraction in [0, 1])`);
    }
    return value;
  }
  const perSecond = /^(\d+(?:\.\d+)?)\s*(?:\/s)?$/.exec(text);
  if (perSecond === null) throw new ThresholdSyntaxError(`'${text}' is not a rate per second`);
  return Number(perSecond[1]);
}

export function isThresholdMetric(name: string): name is ThresholdMetric {
  return (THRESHOLD_METRICS as readonly string[]).includes(name);
}

/** Parses one expression of a metric; throws ThresholdSyntaxError with a readable reason. */
export function parseThreshold(metric: string, expression: string): Threshold {
  if (!isThresholdMetric(metric)) {
    throw new ThresholdSyntaxError(`unknown metric '${metric}' (one of ${THRESHOLD_METRICS.join(', ')})`);
  }
  const m = EXPRESSION.exec(expression);
  if (m === null) {
    throw new ThresholdSyntaxError(
      `'${expression}' is not '<aggregation> <operator> <value>' (e.g. 'p95 < 200ms', 'rate < 1%')`,
    );
  }
  const percentileText = m[1] ?? m[2];
  const named = m[3] === 'mean' ? 'avg' : m[3];
  const aggregation = (percentileText !== undefined ? 'p' : named) as ThresholdAggregation;
  if (!ALLOWED[metric].includes(aggregation)) {
    throw new ThresholdSyntaxError(
      `'${percentileText !== undefined ? `p${percentileText}` : named}' does not apply to ${metric} (use ${ALLOWED[
        metric
      ]
        .map((a) => (a === 'p' ? 'pNN' : a))
        .join(', ')})`,
    );
  }
  const threshold: Threshold = {
    metric,
    expression: expression.trim(),
    aggregation,
    operator: m[4] as ThresholdOperator,
    value: parseValue(metric, aggregation, m[5]!),
  };
  if (percentileText !== undefined) {
    const p = Number(percentileText);
    if (!(p > 0 && p <= 100)) throw new ThresholdSyntaxError(`percentile ${percentileText} is not in (0, 100]`);
    threshold.percentile = p;
  }
  return threshold;
}

function compare(observed: number, operator: ThresholdOperator, value: number): boolean {
  switch (operator) {
    case '<':
      return observed < value;
    case '<=':
      return observed <= value;
    case '>':
      return observed > value;
    case '>=':
      return observed >= value;
    case '==':
      return observed === value;
    case '!=':
      return observed !== value;
  }
}

/** What a threshold observes: traffic of some steps of some snapshots, aggregated. */
interface Observation {
  latencyUs: ReturnType<typeof createHistogram>;
  requests: number;
  errors: number;
  seconds: number;
}

function observe(snapshots: readonly StatsSnapshot[], step?: string): Observation {
  const latencyUs = createHistogram();
  let requests = 0;
  let errors = 0;
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const snapshot of snapshots) {
    start = Math.min(start, snapshot.startedAtMs);
    end = Math.max(end, snapshot.endedAtMs);
    for (const s of snapshot.steps) {
      if (step !== undefined && s.name !== step) continue;
      latencyUs.add(decodeHistogram(s.latency));
      requests += s.requests;
      errors += s.errors;
    }
  }
  const seconds = end > start ? (end - start) / 1000 : 0;
  return { latencyUs, requests, errors, seconds };
}

function observedValue(t: Threshold, o: Observation): number {
  if (t.metric === 'http_req_duration') {
    const h = o.latencyUs;
    if (h.totalCount === 0) return Number.NaN;
    switch (t.aggregation) {
      case 'p':
        return h.getValueAtPercentile(t.percentile ?? 50) / 1000;
      case 'med':
        return h.getValueAtPercentile(50) / 1000;
      case 'avg':
        return h.mean / 1000;
      case 'min':
        return h.minNonZeroValue / 1000;
      default:
        return h.maxValue / 1000;
    }
  }
  if (t.metric === 'errors') {
    if (t.aggregation === 'count') return o.errors;
    return o.requests > 0 ? o.errors / o.requests : Number.NaN;
  }
  if (t.aggregation === 'count') return o.requests;
  return o.seconds > 0 ? o.requests / o.seconds : Number.NaN;
}

function evaluate(thresholds: readonly Threshold[], o: Observation, scope: string): ThresholdResult[] {
  return thresholds.map((t) => {
    const observed = observedValue(t, o);
    // Nothing observed (no responses): a latency or rate threshold cannot be shown to hold.
    const passed = Number.isNaN(observed) ? false : compare(observed, t.operator, t.value);
    return { scope, metric: t.metric, expression: t.expression, passed, observed };
  });
}

/**
 * Evaluates thresholds against one workflow's (merged) stats, over all its steps or over `step`.
 * `observed` is in the threshold's unit (ms, fraction, count, per second).
 */
export function evaluateThresholds(
  thresholds: readonly Threshold[],
  stats: StatsSnapshot,
  step?: string,
): ThresholdResult[] {
  const scope = step === undefined ? `workflow:${stats.workflow}` : `step:${stats.workflow}/${step}`;
  return evaluate(thresholds, observe([stats], step), scope);
}

/**
 * Every threshold of a job (job, workflow and step level) against the final merged stats, one
 * snapshot per workflow (several per workflow are merged). A workflow without stats observes nothing.
 */
export function evaluateJobThresholds(spec: JobSpec, results: readonly StatsSnapshot[]): ThresholdResult[] {
  const out: ThresholdResult[] = [];
  const testWorkflows = new Set(spec.workflows.map((w) => w.name));
  out.push(...evaluate(spec.thresholds, observe(results.filter((r) => testWorkflows.has(r.workflow))), 'job'));
  for (const workflow of spec.workflows) {
    const mine = results.filter((r) => r.workflow === workflow.name);
    out.push(...evaluate(workflow.thresholds, observe(mine), `workflow:${workflow.name}`));
    for (const step of workflow.steps) {
      if (step.kind !== 'http' || step.thresholds.length === 0) continue;
      out.push(...evaluate(step.thresholds, observe(mine, step.name), `step:${workflow.name}/${step.name}`));
    }
  }
  return out;
}
