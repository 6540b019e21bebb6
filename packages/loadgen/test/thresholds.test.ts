import { describe, expect, it } from 'vitest';
import {
  createHistogram,
  emptyStats,
  encodeHistogram,
  evaluateJobThresholds,
  evaluateThresholds,
  parseJobSpec,
  parseThreshold,
  type StatsSnapshot,
  ThresholdSyntaxError,
} from '../src/index.js';

/** A snapshot of workflow `wf` over 10 s: step 'a' latencies 1..100 ms, 'b' 10 requests 2 errors at 500 ms. */
function stats(workflow = 'wf'): StatsSnapshot {
  const s = emptyStats(workflow, ['a', 'b'], 0);
  s.endedAtMs = 10_000;
  const ha = createHistogram();
  for (let i = 1; i <= 100; i++) ha.recordValue(i * 1000);
  const hb = createHistogram();
  for (let i = 0; i < 10; i++) hb.recordValue(500_000);
  s.steps[0] = {
    ...s.steps[0]!,
    requests: 100,
    statusCounts: { '200': 100 },
    latency: encodeHistogram(ha),
    serviceTime: encodeHistogram(ha),
  };
  s.steps[1] = {
    ...s.steps[1]!,
    requests: 10,
    errors: 2,
    unexpectedStatus: 2,
    statusCounts: { '200': 8, '500': 2 },
    latency: encodeHistogram(hb),
    serviceTime: encodeHistogram(hb),
  };
  return s;
}

describe('parseThreshold', () => {
  it('parses the k6 forms', () => {
    expect(parseThreshold('http_req_duration', 'p95 < 200ms')).toEqual({
      metric: 'http_req_duration',
      expression: 'p95 < 200ms',
      aggregation: 'p',
      percentile: 95,
      operator: '<',
      value: 200,
    });
    expect(parseThreshold('http_req_duration', 'p(99.9)<=1s')).toMatchObject({
      percentile: 99.9,
      operator: '<=',
      value: 1000,
    });
    expect(parseThreshold('http_req_duration', 'avg<150')).toMatchObject({ aggregation: 'avg', value: 150 });
    expect(parseThreshold('http_req_duration', 'mean < 500us')).toMatchObject({ aggregation: 'avg', value: 0.5 });
    expect(parseThreshold('errors', 'rate < 1%')).toMatchObject({ aggregation: 'rate', value: 0.01 });
    expect(parseThreshold('errors', 'rate<=0.05')).toMatchObject({ value: 0.05 });
    expect(parseThreshold('errors', 'count == 0')).toMatchObject({ aggregation: 'count', operator: '==', value: 0 });
    expect(parseThreshold('http_reqs', 'rate > 100/s')).toMatchObject({
      aggregation: 'rate',
      operator: '>',
      value: 100,
    });
  });
  it('rejects what it cannot evaluate', () => {
    for (const [metric, expr] of [
      ['latency', 'p95 < 1s'],
      ['http_req_duration', 'p95 < fast'],
      ['http_req_duration', 'p0 < 1s'],
      ['http_req_duration', 'p101 < 1s'],
      ['http_req_duration', 'count < 1'],
      ['errors', 'rate < 2'],
      ['errors', 'count < 1.5'],
      ['errors', 'p95 < 1'],
      ['http_reqs', 'rate > fast'],
      ['http_req_duration', 'p95 =< 1s'],
    ] as const) {
      expect(() => parseThreshold(metric, expr), `${metric}: ${expr}`).toThrow(ThresholdSyntaxError);
    }
  });
});

describe('evaluateThresholds', () => {
  it('passes and fails with the observed value in the threshold unit', () => {
    const s = stats();
    const results = evaluateThresholds(
      [
        parseThreshold('http_req_duration', 'p50 < 60ms'), // all: 110 samples, p50 ≈ 55 ms
        parseThreshold('http_req_duration', 'max < 200ms'), // 500 ms
        parseThreshold('errors', 'rate < 1%'), // 2/110
        parseThreshold('errors', 'count <= 2'),
        parseThreshold('http_reqs', 'rate >= 11'), // 110 / 10 s
        parseThreshold('http_reqs', 'count > 110'),
      ],
      s,
    );
    expect(results.map((r) => r.passed)).toEqual([true, false, false, true, true, false]);
    expect(results[0]!.observed).toBeCloseTo(55, 0);
    expect(results[1]!.observed).toBeCloseTo(500, -1);
    expect(results[2]!.observed).toBeCloseTo(2 / 110, 9);
    expect(results[4]!.observed).toBeCloseTo(11, 9);
    expect(results[0]!.scope).toBe('workflow:wf');
  });
  it('evaluates one step', () => {
    const [p99a] = evaluateThresholds([parseThreshold('http_req_duration', 'p99 < 100ms')], stats(), 'a');
    expect(p99a).toMatchObject({ scope: 'step:wf/a', passed: true });
    expect(p99a!.observed).toBeCloseTo(99, 0);
    const [errB] = evaluateThresholds([parseThreshold('errors', 'rate < 10%')], stats(), 'b');
    expect(errB).toMatchObject({ passed: false, observed: 0.2 });
  });
  it('fails a threshold that observed nothing', () => {
    const empty = emptyStats('wf', ['a'], 0);
    const [r] = evaluateThresholds([parseThreshold('http_req_duration', 'p95 < 1s')], empty);
    expect(r!.passed).toBe(false);
    expect(Number.isNaN(r!.observed)).toBe(true);
  });
});

describe('evaluateJobThresholds', () => {
  it('evaluates job, workflow and step thresholds against per-workflow results', () => {
    const spec = parseJobSpec(`
thresholds:
  errors: ["rate < 5%"]
workflows:
  - name: one
    duration: 1s
    thresholds: { http_req_duration: ["p99 < 1s"] }
    steps:
      - { name: a, url: "http://h/a" }
      - { name: b, url: "http://h/b", thresholds: { errors: "rate < 10%" } }
  - name: two
    duration: 1s
    steps: [{ name: a, url: "http://h/a" }]
`);
    const one = stats('one');
    const two = stats('two');
    const results = evaluateJobThresholds(spec, [one, two]);
    expect(results.map((r) => [r.scope, r.expression, r.passed])).toEqual([
      ['job', 'rate < 5%', true], // 4 errors / 220
      ['workflow:one', 'p99 < 1s', true],
      ['step:one/b', 'rate < 10%', false],
    ]);
    expect(results[0]!.observed).toBeCloseTo(4 / 220, 9);
  });
});
