import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { JobSpecError, mergeStats, parseJobSpec, runWorkflow, type StatsSnapshot } from '@hyperscale/loadgen';
import { GrpcStatusError, JobSpecSchema, WorkflowStatsSchema } from '@hyperscale/protocol';
import { describe, expect, it } from 'vitest';
import {
  jobSpecFromProto,
  jobSpecToProto,
  specErrorToStatus,
  statsFromProto,
  statsToProto,
  workflowSpecFromProto,
} from '../src/index.js';

const YAML = `
name: shop
timeout: 2m
datacenters: [eu-west]
datacenter_count: 2
thresholds:
  http_req_duration: ["p95 < 200ms"]
  errors: ["rate < 1%"]
workflows:
  - name: warmup
    vus: 3
    duration: 2s
    steps:
      - name: home
        url: http://127.0.0.1:9/
        headers: { x-test: "1" }
        expect_status: [200, 204]
        think_time: 100ms
  - name: checkout
    depends_on: [warmup]
    executor: constant-arrival-rate
    rate: 50
    pre_allocated_vus: 5
    max_vus: 20
    duration: 5s
    stuck_after: 45s
    thresholds:
      http_req_duration: ["p99 < 1s"]
    steps:
      - name: buy
        method: POST
        url: http://127.0.0.1:9/buy
        body: { item: 1 }
        timeout: 3s
      - type: think_time
        think_time: 250ms
`;

describe('job spec over the wire', () => {
  it('round-trips through protobuf bytes unchanged', () => {
    const spec = parseJobSpec(YAML);
    expect(spec.workflows[1]!.stuckAfterMs).toBe(45_000);
    const bytes = toBinary(JobSpecSchema, create(JobSpecSchema, jobSpecToProto(spec)));
    expect(jobSpecFromProto(fromBinary(JobSpecSchema, bytes))).toEqual(spec);
  });

  it('re-validates arriving specs and names the field path', () => {
    const spec = parseJobSpec(YAML);
    const message = create(JobSpecSchema, jobSpecToProto(spec));
    const step = message.workflows[1]!.steps[0]!;
    if (step.kind.case === 'http') step.kind.value.url = 'ftp://nope';
    message.workflows[0]!.dependsOn = ['ghost'];
    let error: unknown;
    try {
      jobSpecFromProto(message);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JobSpecError);
    const paths = (error as JobSpecError).problems.map((p) => p.path);
    expect(paths).toContain('workflows[1].steps[0].url');
    expect(paths).toContain('workflows[0].depends_on');
    const status = specErrorToStatus(error) as GrpcStatusError;
    expect(status).toBeInstanceOf(GrpcStatusError);
    expect(status.metadata.get('field-path')[0]).toMatch(/^spec\.workflows\[/);
    expect(() => jobSpecFromProto(undefined)).toThrow(JobSpecError);
  });

  it('round-trips default step names (a step named by its method and path)', () => {
    const spec = parseJobSpec(
      'name: d\nworkflows:\n  - name: w\n    duration: 1s\n    steps:\n      - url: http://127.0.0.1:9/a/b?q=1\n',
    );
    expect(spec.workflows[0]!.steps[0]!.name).toBe('GET /a/b');
    expect(jobSpecFromProto(create(JobSpecSchema, jobSpecToProto(spec)))).toEqual(spec);
  });

  it('gives a worker one workflow without its dependencies', () => {
    const spec = parseJobSpec(YAML);
    const wf = workflowSpecFromProto(create(JobSpecSchema, jobSpecToProto(spec)).workflows[1]);
    expect(wf).toEqual({ ...spec.workflows[1]!, dependsOn: [] });
  });
});

describe('statistics over the wire', () => {
  it('round-trips real run statistics and refuses corrupt histograms', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const spec = parseJobSpec(
      `name: s\nworkflows:\n  - name: w\n    vus: 2\n    duration: 300ms\n    steps:\n      - url: http://127.0.0.1:${port}/\n`,
    );
    const run = runWorkflow({ workflow: spec.workflows[0]! });
    const stats = (await run.done) as StatsSnapshot;
    server.close();
    expect(stats.steps[0]!.requests).toBeGreaterThan(0);
    const bytes = toBinary(WorkflowStatsSchema, create(WorkflowStatsSchema, statsToProto(stats)));
    const back = statsFromProto(fromBinary(WorkflowStatsSchema, bytes))!;
    expect(back).toEqual(stats);
    expect(mergeStats(back, back).steps[0]!.requests).toBe(2 * stats.steps[0]!.requests);
    const corrupt = create(WorkflowStatsSchema, statsToProto(stats));
    corrupt.steps[0]!.latencyHistogram = new Uint8Array([1, 2, 3, 4, 5]);
    expect(() => statsFromProto(corrupt, 'report')).toThrow(/report\.steps\[0\]\.latency_histogram/);
  });
});
