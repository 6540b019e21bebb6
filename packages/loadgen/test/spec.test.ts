import { describe, expect, it } from 'vitest';
import { JobSpecError, LOADGEN_DEFAULTS, parseDuration, parseJobSpec, validateJobSpec } from '../src/index.js';

const GOOD = `
name: checkout-smoke
timeout: 10m
datacenters: [eu-west, us-east]
datacenter_count: 2
thresholds:
  http_req_duration: ["p95 < 200ms", "p99<1s"]
  errors: ["rate < 1%"]
workflows:
  - name: warmup
    vus: 10
    duration: 30s
    steps:
      - name: home
        url: http://target.local:8080/
        expect_status: 200
  - name: checkout
    depends_on: [warmup]
    executor: constant-arrival-rate
    rate: 200
    pre_allocated_vus: 50
    max_vus: 200
    duration: 2m
    graceful_stop: 5s
    thresholds:
      http_req_duration: "p(99.9) <= 500ms"
    steps:
      - name: cart
        method: post
        url: http://target.local:8080/cart?x=1
        headers: { Content-Type: application/json, X-Trace: abc }
        body: { sku: 42 }
        timeout: 5s
        expect_status: [200, 201]
        think_time: 200ms
        thresholds:
          errors: ["rate < 0.5%"]
      - think_time: 1s
      - name: pay
        method: POST
        url: https://target.local/pay
        body: "plain"
`;

/** Validates `doc` expecting failure; returns the problems. */
function problemsOf(doc: unknown): { path: string; rule: string }[] {
  try {
    validateJobSpec(doc);
  } catch (err) {
    expect(err).toBeInstanceOf(JobSpecError);
    return [...(err as JobSpecError).problems];
  }
  throw new Error('expected the spec to be rejected');
}

function minimal(
  overrides: Record<string, unknown> = {},
  wf: Record<string, unknown> = {},
  step: Record<string, unknown> = {},
) {
  return {
    workflows: [{ name: 'w', duration: '10s', steps: [{ url: 'http://127.0.0.1:1/x', ...step }], ...wf }],
    ...overrides,
  };
}

describe('parseDuration', () => {
  it('parses units and compounds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('250us')).toBe(0.25);
  });
  it('rejects bare numbers and garbage', () => {
    for (const bad of ['', '30', 's', '10 s', '1x', '-1s', '1s2']) expect(parseDuration(bad)).toBeUndefined();
  });
});

describe('parseJobSpec', () => {
  it('parses a full spec into the typed structure', () => {
    const spec = parseJobSpec(GOOD);
    expect(spec.name).toBe('checkout-smoke');
    expect(spec.timeoutMs).toBe(600_000);
    expect(spec.datacenters).toEqual(['eu-west', 'us-east']);
    expect(spec.datacenterCount).toBe(2);
    expect(spec.thresholds.map((t) => [t.metric, t.aggregation, t.percentile, t.operator, t.value])).toEqual([
      ['http_req_duration', 'p', 95, '<', 200],
      ['http_req_duration', 'p', 99, '<', 1000],
      ['errors', 'rate', undefined, '<', 0.01],
    ]);
    const [warmup, checkout] = spec.workflows;
    expect(warmup).toMatchObject({
      name: 'warmup',
      dependsOn: [],
      vus: 10,
      durationMs: 30_000,
      gracefulStopMs: LOADGEN_DEFAULTS.gracefulStopMs,
      executor: { type: 'constant-vus' },
    });
    expect(warmup!.steps[0]).toEqual({
      kind: 'http',
      name: 'home',
      method: 'GET',
      url: 'http://target.local:8080/',
      headers: {},
      body: null,
      timeoutMs: 60_000,
      expectStatus: [200],
      thinkTimeMs: 0,
      thresholds: [],
    });
    expect(checkout).toMatchObject({
      name: 'checkout',
      dependsOn: ['warmup'],
      vus: 200,
      durationMs: 120_000,
      gracefulStopMs: 5000,
      executor: { type: 'constant-arrival-rate', rate: 200, preAllocatedVus: 50, maxVus: 200 },
    });
    expect(checkout!.thresholds[0]).toMatchObject({ aggregation: 'p', percentile: 99.9, operator: '<=', value: 500 });
    expect(checkout!.steps[0]).toMatchObject({
      kind: 'http',
      method: 'POST',
      url: 'http://target.local:8080/cart?x=1',
      headers: { 'content-type': 'application/json', 'x-trace': 'abc' },
      body: '{"sku":42}',
      timeoutMs: 5000,
      expectStatus: [200, 201],
      thinkTimeMs: 200,
    });
    expect(checkout!.steps[0]!.kind === 'http' && checkout!.steps[0]!.thresholds[0]!.value).toBe(0.005);
    expect(checkout!.steps[1]).toEqual({ kind: 'think_time', name: 'think-1', durationMs: 1000 });
    expect(checkout!.steps[2]).toMatchObject({ name: 'pay', body: 'plain', url: 'https://target.local/pay' });
  });

  it('gives the same spec from JSON as from YAML', () => {
    const fromYaml = parseJobSpec(GOOD);
    const asJson = JSON.stringify({
      name: 'checkout-smoke',
      timeout: '10m',
      datacenters: ['eu-west', 'us-east'],
      datacenter_count: 2,
      thresholds: { http_req_duration: ['p95 < 200ms', 'p99<1s'], errors: ['rate < 1%'] },
      workflows: [
        {
          name: 'warmup',
          vus: 10,
          duration: '30s',
          steps: [{ name: 'home', url: 'http://target.local:8080/', expect_status: 200 }],
        },
        {
          name: 'checkout',
          depends_on: ['warmup'],
          executor: 'constant-arrival-rate',
          rate: 200,
          pre_allocated_vus: 50,
          max_vus: 200,
          duration: '2m',
          graceful_stop: '5s',
          thresholds: { http_req_duration: 'p(99.9) <= 500ms' },
          steps: [
            {
              name: 'cart',
              method: 'post',
              url: 'http://target.local:8080/cart?x=1',
              headers: { 'Content-Type': 'application/json', 'X-Trace': 'abc' },
              body: { sku: 42 },
              timeout: '5s',
              expect_status: [200, 201],
              think_time: '200ms',
              thresholds: { errors: ['rate < 0.5%'] },
            },
            { think_time: '1s' },
            { name: 'pay', method: 'POST', url: 'https://target.local/pay', body: 'plain' },
          ],
        },
      ],
    });
    expect(parseJobSpec(asJson)).toEqual(fromYaml);
    expect(parseJobSpec(asJson, 'json')).toEqual(fromYaml);
    // A parsed spec is plain data: a JSON round trip changes nothing.
    expect(JSON.parse(JSON.stringify(fromYaml))).toEqual(fromYaml);
  });

  it('applies the documented defaults', () => {
    const spec = validateJobSpec(minimal());
    expect(spec.name).toBe('job');
    expect(spec.datacenterCount).toBe(1);
    expect(spec.datacenters).toEqual([]);
    expect(spec.timeoutMs).toBe(300_000);
    const wf = spec.workflows[0]!;
    expect(wf.vus).toBe(1);
    expect(wf.executor).toEqual({ type: 'constant-vus' });
    expect(wf.steps[0]).toMatchObject({ name: 'GET /x', method: 'GET', timeoutMs: 60_000, expectStatus: [] });
    // The default timeout grows with the longest dependency chain.
    const long = validateJobSpec({
      workflows: [
        { name: 'a', duration: '5m', steps: [{ url: 'http://h/' }] },
        { name: 'b', depends_on: 'a', duration: '5m', graceful_stop: '0s', steps: [{ url: 'http://h/' }] },
      ],
    });
    expect(long.timeoutMs).toBe(5 * 60_000 + 30_000 + 5 * 60_000 + 60_000);
    const arrival = validateJobSpec(minimal({}, { executor: 'constant-arrival-rate', rate: 5, pre_allocated_vus: 3 }));
    expect(arrival.workflows[0]!.executor).toEqual({
      type: 'constant-arrival-rate',
      rate: 5,
      preAllocatedVus: 3,
      maxVus: 3,
    });
  });

  it('rejects syntax errors and duplicate keys with a document-level problem', () => {
    expect(() => parseJobSpec('workflows: [')).toThrow(JobSpecError);
    expect(() => parseJobSpec('{"workflows": ', 'json')).toThrow(/not valid JSON/);
    expect(() => parseJobSpec('name: a\nname: b\nworkflows: []')).toThrow(/not valid YAML/);
  });
});

describe('validateJobSpec: each bad field gives its path and rule', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['not an object', 'hello', '', /must be an object/],
    ['no workflows', {}, 'workflows', /non-empty list/],
    ['unknown top-level key', minimal({ timout: '1m' }), 'timout', /unknown key/],
    ['unknown workflow key', minimal({}, { vu: 3 }), 'workflows[0].vu', /unknown key/],
    [
      'typo in a step key',
      minimal({}, {}, { expect_stauts: 200 }),
      'workflows[0].steps[0].expect_stauts',
      /unknown key/,
    ],
    ['relative url', minimal({}, {}, { url: '/x' }), 'workflows[0].steps[0].url', /absolute http\(s\) URL/],
    ['ftp url', minimal({}, {}, { url: 'ftp://h/x' }), 'workflows[0].steps[0].url', /absolute http\(s\) URL/],
    ['bad method', minimal({}, {}, { method: 'FETCH' }), 'workflows[0].steps[0].method', /one of GET/],
    ['vus zero', minimal({}, { vus: 0 }), 'workflows[0].vus', /integer from 1/],
    ['stuck_after not a duration', minimal({}, { stuck_after: 'soon' }), 'workflows[0].stuck_after', /duration string/],
    ['stuck_after zero', minimal({}, { stuck_after: '0s' }), 'workflows[0].stuck_after', /greater than 0/],
    ['vus fractional', minimal({}, { vus: 1.5 }), 'workflows[0].vus', /integer/],
    ['duration bare number', minimal({}, { duration: 30 }), 'workflows[0].duration', /duration string/],
    ['duration unparseable', minimal({}, { duration: '30 secs' }), 'workflows[0].duration', /duration string/],
    [
      'duration missing',
      { workflows: [{ name: 'w', steps: [{ url: 'http://h/' }] }] },
      'workflows[0].duration',
      /required/,
    ],
    ['bad step timeout', minimal({}, {}, { timeout: '0s' }), 'workflows[0].steps[0].timeout', /greater than 0/],
    [
      'status out of range',
      minimal({}, {}, { expect_status: 99 }),
      'workflows[0].steps[0].expect_status',
      /100 to 599/,
    ],
    [
      'status in list',
      minimal({}, {}, { expect_status: [200, 'ok'] }),
      'workflows[0].steps[0].expect_status[1]',
      /100 to 599/,
    ],
    ['header value', minimal({}, {}, { headers: { 'x-a': 1 } }), 'workflows[0].steps[0].headers.x-a', /string/],
    [
      'header name',
      minimal({}, {}, { headers: { 'bad header': 'v' } }),
      'workflows[0].steps[0].headers.bad header',
      /header name/,
    ],
    ['body with GET', minimal({}, {}, { body: 'x' }), 'workflows[0].steps[0].body', /not allowed with GET/],
    ['unknown executor', minimal({}, { executor: 'ramping-vus' }), 'workflows[0].executor', /one of constant-vus/],
    [
      'rate with constant-vus',
      minimal({}, { rate: 10 }),
      'workflows[0].rate',
      /only allowed with executor constant-arrival-rate/,
    ],
    [
      'vus with arrival rate',
      minimal({}, { executor: 'constant-arrival-rate', rate: 1, pre_allocated_vus: 1, vus: 3 }),
      'workflows[0].vus',
      /pre_allocated_vus/,
    ],
    [
      'rate missing',
      minimal({}, { executor: 'constant-arrival-rate', pre_allocated_vus: 1 }),
      'workflows[0].rate',
      /greater than 0/,
    ],
    [
      'max below pre-allocated',
      minimal({}, { executor: 'constant-arrival-rate', rate: 1, pre_allocated_vus: 5, max_vus: 2 }),
      'workflows[0].max_vus',
      /at least pre_allocated_vus/,
    ],
    ['no steps', minimal({}, { steps: [] }), 'workflows[0].steps', /non-empty/],
    ['step neither', minimal({}, { steps: [{ name: 'x' }] }), 'workflows[0].steps[0]', /needs 'url'/],
    [
      'think step unknown key',
      minimal({}, { steps: [{ url: 'http://h/' }, { think_time: '1s', url2: 1 }] }),
      'workflows[0].steps[1].url2',
      /unknown key/,
    ],
    [
      'think bad duration',
      minimal({}, { steps: [{ url: 'http://h/' }, { think_time: 'soon' }] }),
      'workflows[0].steps[1].think_time',
      /duration/,
    ],
    [
      'only think steps',
      minimal({}, { steps: [{ think_time: '1s' }] }),
      'workflows[0].steps',
      /at least one HTTP step/,
    ],
    [
      'bad threshold metric',
      minimal({ thresholds: { latency: ['p95<1s'] } }),
      'thresholds.latency[0]',
      /unknown metric/,
    ],
    [
      'bad threshold expression',
      minimal({ thresholds: { http_req_duration: ['p95 lt 1s'] } }),
      'thresholds.http_req_duration[0]',
      /aggregation/,
    ],
    [
      'rate on duration',
      minimal({ thresholds: { http_req_duration: 'rate < 1' } }),
      'thresholds.http_req_duration',
      /does not apply/,
    ],
    [
      'error rate over 100%',
      minimal({}, { thresholds: { errors: ['rate < 150%'] } }),
      'workflows[0].thresholds.errors[0]',
      /rate/,
    ],
    [
      'step threshold',
      minimal({}, {}, { thresholds: { errors: ['p95 < 1'] } }),
      'workflows[0].steps[0].thresholds.errors[0]',
      /does not apply/,
    ],
    ['datacenter_count 0', minimal({ datacenter_count: 0 }), 'datacenter_count', /integer from 1/],
    ['datacenters not a list', minimal({ datacenters: 'eu' }), 'datacenters', /list/],
    ['duplicate datacenter', minimal({ datacenters: ['eu', 'eu'] }), 'datacenters[1]', /twice/],
    ['bad workflow name', minimal({}, { name: 'has space' }), 'workflows[0].name', /A-Za-z0-9/],
    ['timeout shorter than the work', minimal({ timeout: '5s' }), 'timeout', /at least 40000 ms/],
  ];
  it.each(cases)('%s', (_label, doc, path, rule) => {
    const problems = problemsOf(doc);
    const match = problems.find((p) => p.path === path);
    expect(match, JSON.stringify(problems)).toBeDefined();
    expect(match!.rule).toMatch(rule);
  });

  it('checks dependencies: unknown, self, cycles; duplicate names', () => {
    const wf = (name: string, deps?: unknown) => ({
      name,
      depends_on: deps,
      duration: '1s',
      steps: [{ url: 'http://h/' }],
    });
    expect(problemsOf({ workflows: [wf('a', ['nope'])] })).toEqual([
      { path: 'workflows[0].depends_on', rule: "'nope' is not the name of a workflow of this job" },
    ]);
    expect(problemsOf({ workflows: [wf('a', 'a')] })[0]!.rule).toMatch(/the workflow itself/);
    const cycle = problemsOf({ workflows: [wf('a', ['c']), wf('b', ['a']), wf('c', ['b'])] });
    expect(cycle).toHaveLength(1);
    expect(cycle[0]!.rule).toMatch(/dependency cycle: a → c → b → a/);
    expect(problemsOf({ workflows: [wf('a'), wf('a')] })).toEqual([
      { path: 'workflows[1].name', rule: "'a' is already the name of workflows[0]; names must be unique" },
    ]);
    const steps = problemsOf(minimal({}, { steps: [{ url: 'http://h/a' }, { url: 'http://h/a' }] }));
    expect(steps[0]).toMatchObject({ path: 'workflows[0].steps[1].name' });
  });

  it('lists every problem at once in a readable message', () => {
    try {
      validateJobSpec({
        nmae: 'x',
        workflows: [{ name: 'w', vus: -1, duration: 'forever', steps: [{ url: 'nope', method: 'GRAB' }] }],
      });
      expect.unreachable();
    } catch (err) {
      const e = err as JobSpecError;
      expect(e.problems.map((p) => p.path).sort()).toEqual(
        [
          'nmae',
          'workflows[0].vus',
          'workflows[0].duration',
          'workflows[0].steps[0].url',
          'workflows[0].steps[0].method',
        ].sort(),
      );
      expect(e.message).toMatch(/^invalid job spec \(5 problems\):/);
      expect(e.message).toContain('  - workflows[0].steps[0].url: must be an absolute http(s) URL');
    }
  });
});
