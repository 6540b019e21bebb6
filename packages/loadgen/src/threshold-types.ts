// A parsed threshold: `http_req_duration: "p95 < 200ms"` becomes
// { metric, aggregation: 'p', percentile: 95, operator: '<', value: 200 }.

export type ThresholdMetric = 'http_req_duration' | 'errors' | 'http_reqs';
export const THRESHOLD_METRICS: readonly ThresholdMetric[] = ['http_req_duration', 'errors', 'http_reqs'];

export type ThresholdOperator = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** `p` uses `percentile`; `rate` of errors is a fraction, `rate` of http_reqs is per second. */
export type ThresholdAggregation = 'p' | 'avg' | 'med' | 'min' | 'max' | 'rate' | 'count';

export interface Threshold {
  metric: ThresholdMetric;
  /** As written, for reports and the wire. */
  expression: string;
  aggregation: ThresholdAggregation;
  percentile?: number;
  operator: ThresholdOperator;
  /** ms for http_req_duration; fraction for errors rate; per second for http_reqs rate; counts. */
  value: number;
}

export interface ThresholdResult {
  /** Where it applies: 'job', 'workflow:<name>' or 'step:<workflow>/<step>'. */
  scope: string;
  metric: ThresholdMetric;
  expression: string;
  passed: boolean;
  /** The observed value in the threshold's unit; NaN when there was nothing to observe. */
  observed: number;
}
