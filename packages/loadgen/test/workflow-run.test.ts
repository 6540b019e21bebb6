// The executor against a real HTTP server on 127.0.0.1: what we count equals what the server saw.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  decodeHistogram,
  parseJobSpec,
  runWorkflow,
  summarize,
  UndiciTransport,
  type WorkflowSpec,
} from '../src/index.js';
import { type CountingTarget, startTarget } from './helpers.js';

let target: CountingTarget;
beforeEach(async () => {
  target = await startTarget();
});
afterEach(async () => {
  await target.close();
});

function workflow(yamlBody: string): WorkflowSpec {
  return parseJobSpec(`workflows:\n  - name: w\n${yamlBody.replaceAll('{T}', target.url)}`).workflows[0]!;
}

/** Rejects if `p` has not settled within `ms`: a behavioural bound, not a speed measurement. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

describe('WorkflowRun (constant-vus) against a real server', () => {
  it('counts exactly what the server received, per step, with keep-alive connections', async () => {
    const wf = workflow(`
    vus: 5
    duration: 400ms
    steps:
      - { name: ok, url: "{T}/ok" }
      - { name: missing, url: "{T}/status/404", expect_status: 200 }
      - { name: created, url: "{T}/status/201", method: POST, body: "hi", expect_status: [200, 201] }
`);
    const progress: number[] = [];
    const run = runWorkflow({
      workflow: wf,
      progressIntervalMs: 100,
      onProgress: (s) => progress.push(s.steps[0]!.requests),
    });
    const final = await run.done;
    expect(run.state).toBe('finished');
    const [ok, missing, created] = final.steps;
    expect(ok!.requests).toBe(target.count('/ok'));
    expect(missing!.requests).toBe(target.count('/status/404'));
    expect(created!.requests).toBe(target.count('/status/201'));
    expect(ok!.requests).toBeGreaterThan(5);
    // Every iteration that started finished (graceful stop), so each step ran once per iteration.
    expect(final.iterations).toBe(created!.requests);
    expect(ok!.requests).toBe(final.iterations);
    expect(ok).toMatchObject({ errors: 0, statusCounts: { '200': ok!.requests } });
    expect(missing).toMatchObject({
      errors: missing!.requests,
      unexpectedStatus: missing!.requests,
      statusCounts: { '404': missing!.requests },
    });
    expect(created).toMatchObject({ errors: 0, statusCounts: { '201': created!.requests } });
    expect(decodeHistogram(ok!.latency).totalCount).toBe(ok!.requests);
    // Keep-alive: at most one connection per VU.
    expect(target.connections()).toBeLessThanOrEqual(5);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const summary = summarize(final);
    expect(summary.requests).toBe(target.total());
    expect(summary.errorRate).toBeCloseTo(1 / 3, 6);
  });

  it('sends method, headers and body as specified', async () => {
    const wf = workflow(`
    vus: 1
    duration: 50ms
    steps:
      - url: "{T}/ok?x=1"
        method: PUT
        headers: { x-test: yes }
        body: { a: 1 }
`);
    await runWorkflow({ workflow: wf }).done;
    expect(target.count('/ok')).toBeGreaterThan(0);
    expect(target.lastBody).toBe('{"a":1}');
    expect(target.lastHeaders['x-test']).toBe('yes');
    expect(target.lastHeaders['content-type']).toBe('application/json');
  });

  it('treats 200-399 as success by default and other statuses as errors', async () => {
    const wf = workflow(`
    vus: 2
    duration: 200ms
    steps:
      - { name: redirect, url: "{T}/status/302" }
      - { name: boom, url: "{T}/status/500" }
`);
    const final = await runWorkflow({ workflow: wf }).done;
    expect(final.steps[0]).toMatchObject({ errors: 0, requests: target.count('/status/302') });
    expect(final.steps[1]).toMatchObject({
      errors: target.count('/status/500'),
      unexpectedStatus: target.count('/status/500'),
    });
  });

  it('counts timeouts as errors, without latency samples, and still finishes', async () => {
    const wf = workflow(`
    vus: 2
    duration: 300ms
    steps:
      - { name: hang, url: "{T}/hang", timeout: 100ms }
`);
    const final = await within(runWorkflow({ workflow: wf }).done, 5000, 'run');
    const hang = final.steps[0]!;
    expect(hang.timeouts).toBeGreaterThanOrEqual(4);
    expect(hang.requests).toBe(hang.timeouts);
    expect(hang.errors).toBe(hang.timeouts);
    expect(hang.requests).toBe(target.count('/hang'));
    expect(decodeHistogram(hang.latency).totalCount).toBe(0);
  });

  it('counts transport errors (connection refused)', async () => {
    const closed = await startTarget();
    const url = closed.url;
    await closed.close();
    const wf = parseJobSpec(`workflows:\n  - { name: w, vus: 1, duration: 100ms, steps: [{ url: "${url}/ok" }] }`)
      .workflows[0]!;
    const final = await within(runWorkflow({ workflow: wf }).done, 5000, 'run');
    expect(final.steps[0]!.transportErrors).toBeGreaterThan(0);
    expect(final.steps[0]!.errors).toBe(final.steps[0]!.requests);
  });

  it('cancel stops new requests at once, aborts those in flight, and resolves promptly', async () => {
    const wf = workflow(`
    vus: 10
    duration: 60s
    steps:
      - { name: slow, url: "{T}/slow/100" }
`);
    const controller = new AbortController();
    const run = runWorkflow({ workflow: wf, signal: controller.signal });
    await new Promise((r) => setTimeout(r, 350));
    const beforeCancel = target.count('/slow/100');
    expect(beforeCancel).toBeGreaterThanOrEqual(10);
    controller.abort();
    const final = await within(run.done, 2000, 'cancelled run');
    expect(run.state).toBe('cancelled');
    const atDone = target.count('/slow/100');
    // Nothing new after the cancel: at most the requests already on the wire arrive.
    expect(atDone - beforeCancel).toBeLessThanOrEqual(10);
    await new Promise((r) => setTimeout(r, 300));
    expect(target.count('/slow/100')).toBe(atDone);
    const slow = final.steps[0]!;
    expect(slow.interrupted).toBeGreaterThan(0);
    expect(slow.requests + slow.interrupted).toBe(atDone);
    expect(slow.errors).toBe(0);
  });

  it('interrupts what is still running when the graceful stop ends', async () => {
    const wf = workflow(`
    vus: 3
    duration: 50ms
    graceful_stop: 100ms
    steps:
      - { name: slow, url: "{T}/slow/2000" }
`);
    const final = await within(runWorkflow({ workflow: wf }).done, 2000, 'run');
    expect(final.steps[0]).toMatchObject({ requests: 0, interrupted: 3, errors: 0 });
    expect(final.iterations).toBe(0);
  });

  it('runs several workflows in one process without interference', async () => {
    const a = workflow(`
    vus: 3
    duration: 300ms
    steps: [{ name: a, url: "{T}/ok" }]
`);
    const b = {
      ...a,
      name: 'b',
      steps: [
        {
          ...(a.steps[0] as Extract<(typeof a.steps)[0], { kind: 'http' }>),
          name: 'b',
          url: `${target.url}/status/204`,
        },
      ],
    };
    const [ra, rb] = await Promise.all([runWorkflow({ workflow: a }).done, runWorkflow({ workflow: b }).done]);
    expect(ra.workflow).toBe('w');
    expect(rb.workflow).toBe('b');
    expect(ra.steps[0]!.requests).toBe(target.count('/ok'));
    expect(rb.steps[0]!.requests).toBe(target.count('/status/204'));
    expect(rb.steps[0]!.statusCounts).toEqual({ '204': rb.steps[0]!.requests });
  });

  it('runs share one pooled transport that the caller owns', async () => {
    const wf = workflow(`
    vus: 3
    duration: 200ms
    steps: [{ name: a, url: "{T}/ok" }]
`);
    const transport = new UndiciTransport({ connections: 6 });
    const [r1, r2] = await Promise.all([
      runWorkflow({ workflow: wf, transport }).done,
      runWorkflow({ workflow: wf, transport }).done,
    ]);
    expect(r1.steps[0]!.requests + r2.steps[0]!.requests).toBe(target.count('/ok'));
    expect(target.connections()).toBeLessThanOrEqual(6);
    // Not destroyed by the runs: it still sends.
    const again = await runWorkflow({ workflow: wf, transport }).done;
    expect(again.steps[0]!.requests).toBeGreaterThan(0);
    await transport.destroy();
  });

  it('cancel before the first tick and a cancelled signal are handled', async () => {
    const wf = workflow(`
    vus: 2
    duration: 10s
    steps: [{ url: "{T}/ok" }]
`);
    const controller = new AbortController();
    controller.abort();
    const run = runWorkflow({ workflow: wf, signal: controller.signal });
    const final = await within(run.done, 1000, 'run');
    expect(run.state).toBe('cancelled');
    expect(final.steps[0]!.requests).toBe(0);
    expect(target.total()).toBe(0);
  });
});
