// Executor behaviour on hand-driven time with an in-memory transport: exact arrival-rate schedules,
// dropped iterations, coordinated-omission correction under a stall, think time and timeouts.
import { describe, expect, it } from 'vitest';
import { decodeHistogram, parseJobSpec, WorkflowRun, type WorkflowSpec, workflowShare } from '../src/index.js';
import { type FakeOutcome, FakeTransport, ManualTimers } from './helpers.js';

function wf(body: string): WorkflowSpec {
  return parseJobSpec(`workflows:\n  - name: w\n${body}`).workflows[0]!;
}

function setup(workflow: WorkflowSpec, respond: () => FakeOutcome, extra: { rate?: number } = {}) {
  const timers = new ManualTimers();
  const transport = new FakeTransport(timers, respond);
  const run = new WorkflowRun({ workflow, timers, transport, wallClock: () => 1_000_000 + timers.now(), ...extra });
  return { timers, transport, run };
}

describe('constant-arrival-rate', () => {
  const arrival = (pre: number, max: number, rate = 100) =>
    wf(`
    executor: constant-arrival-rate
    rate: ${rate}
    pre_allocated_vus: ${pre}
    max_vus: ${max}
    duration: 2s
    steps: [{ name: s, url: "http://h/x" }]
`);

  it('starts exactly rate × duration iterations when VUs keep up', async () => {
    const { timers, transport, run } = setup(arrival(2, 2), () => ({ status: 200, afterMs: 5 }));
    run.start();
    timers.stepTo(2100);
    const final = await run.done;
    expect(final.iterations).toBe(200);
    expect(final.droppedIterations).toBe(0);
    expect(transport.sent).toBe(200);
    const lat = decodeHistogram(final.steps[0]!.latency);
    expect(lat.maxValue).toBeLessThan(5100); // 5 ms, no lateness on a punctual loop
    expect(final.endedAtMs - final.startedAtMs).toBe(2000);
  });

  it('schedules independently of response time: slow responses drop iterations, never delay them', async () => {
    const { timers, run } = setup(arrival(2, 2), () => ({ status: 200, afterMs: 50 }));
    run.start();
    timers.stepTo(2100);
    const final = await run.done;
    // Two VUs busy 50 ms each serve 40 iterations/s (80 in 2 s); the rest are dropped, as in k6.
    expect(final.iterations + final.droppedIterations).toBe(200);
    expect(final.iterations).toBeGreaterThanOrEqual(78);
    expect(final.iterations).toBeLessThanOrEqual(82);
  });

  it('allocates VUs up to max_vus before dropping', async () => {
    const { timers, run } = setup(arrival(1, 10), () => ({ status: 200, afterMs: 50 }));
    run.start();
    timers.stepTo(2100);
    const final = await run.done;
    expect(final.droppedIterations).toBe(0);
    expect(final.iterations).toBe(200);
  });

  it('measures latency from the intended start, so a stall is not hidden (coordinated omission)', async () => {
    const { timers, run } = setup(arrival(50, 50), () => ({ status: 200, afterMs: 5 }));
    run.start();
    timers.stepTo(1001);
    timers.runTo(1300); // the event loop freezes for ~300 ms
    timers.stepTo(2100);
    const final = await run.done;
    expect(final.iterations).toBe(200);
    const service = decodeHistogram(final.steps[0]!.serviceTime);
    const latency = decodeHistogram(final.steps[0]!.latency);
    expect(service.totalCount).toBe(200);
    expect(latency.totalCount).toBe(200);
    // Raw service time sees the stall only in the one request in flight during it…
    expect(service.getValueAtPercentile(99)).toBeLessThan(5100);
    // …the corrected latency sees every iteration the stall held back: 29 were due at
    // 1010…1290 ms and started at 1300 ms (the earliest is 290 ms + 5 ms late).
    expect(latency.maxValue).toBeGreaterThan(290_000);
    expect(latency.maxValue).toBeLessThan(301_000); // the request in flight during the stall
    expect(latency.getValueAtPercentile(85)).toBeLessThan(5100);
    expect(latency.getValueAtPercentile(90)).toBeGreaterThan(5100);
    // Without the correction (service time), p90 would claim 5 ms.
    expect(service.getValueAtPercentile(90)).toBeLessThan(5100);
  });

  it('a rate override and workflowShare split the load exactly', async () => {
    const whole = arrival(5, 9, 90);
    const shares = [0, 1, 2].map((i) => workflowShare(whole, i, 3));
    expect(shares.map((s) => s.executor)).toEqual([
      { type: 'constant-arrival-rate', rate: 30, preAllocatedVus: 2, maxVus: 3 },
      { type: 'constant-arrival-rate', rate: 30, preAllocatedVus: 2, maxVus: 3 },
      { type: 'constant-arrival-rate', rate: 30, preAllocatedVus: 1, maxVus: 3 },
    ]);
    const { timers, run } = setup(shares[0]!, () => ({ status: 200, afterMs: 1 }), { rate: 10 });
    run.start();
    timers.stepTo(2100);
    expect((await run.done).iterations).toBe(20);
  });
});

describe('constant-vus on virtual time', () => {
  it('runs steps in order with think time between them', async () => {
    const workflow = wf(`
    vus: 1
    duration: 1s
    steps:
      - { name: a, url: "http://h/a", think_time: 100ms }
      - think_time: 50ms
      - { name: b, url: "http://h/b" }
`);
    const order: string[] = [];
    const timers = new ManualTimers();
    const transport = new FakeTransport(timers, (step) => {
      order.push(step.name);
      return { status: 200, afterMs: 25 };
    });
    const run = new WorkflowRun({ workflow, timers, transport });
    run.start();
    timers.stepTo(1500);
    const final = await run.done;
    // One iteration = 25 + 100 + 50 + 25 = 200 ms: five iterations start within the second.
    expect(final.iterations).toBe(5);
    expect(order).toEqual(['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']);
    expect(final.steps[0]!.latency).toBe(final.steps[0]!.serviceTime);
    expect(transport.destroyed).toBe(false); // a given transport belongs to the caller
  });

  it('splits VUs exactly with workflowShare', () => {
    const whole = wf(`
    vus: 10
    duration: 1s
    steps: [{ url: "http://h/" }]
`);
    const shares = [0, 1, 2].map((i) => workflowShare(whole, i, 3).vus);
    expect(shares).toEqual([4, 3, 3]);
    expect(() => workflowShare(whole, 3, 3)).toThrow(RangeError);
  });

  it('a share with no VUs finishes at once with empty stats', async () => {
    const whole = wf(`
    vus: 2
    duration: 1s
    steps: [{ name: s, url: "http://h/" }]
`);
    const share = workflowShare(whole, 2, 3);
    expect(share.vus).toBe(0);
    const { timers, transport, run } = setup(share, () => ({ status: 200, afterMs: 1 }));
    run.start();
    const final = await run.done;
    expect(run.state).toBe('finished');
    expect(final).toMatchObject({ iterations: 0, steps: [{ name: 's', requests: 0 }] });
    expect(transport.sent).toBe(0);
    expect(timers.pending()).toBe(0);
  });

  it('times out a request that never answers and aborts it', async () => {
    const workflow = wf(`
    vus: 1
    duration: 1s
    steps: [{ name: h, url: "http://h/", timeout: 200ms }]
`);
    const { timers, transport, run } = setup(workflow, () => 'hang');
    run.start();
    timers.stepTo(1500);
    const final = await run.done;
    expect(final.steps[0]).toMatchObject({ requests: 5, timeouts: 5, errors: 5, interrupted: 0 });
    expect(transport.aborted).toBe(5);
  });

  it('counts transport errors and deferred synchronous failures without recursion', async () => {
    const workflow = wf(`
    vus: 2
    duration: 100ms
    steps: [{ name: e, url: "http://h/" }]
`);
    for (const afterMs of [1, -1]) {
      // afterMs -1: the transport fails inside send(), as undici does on a destroyed pool.
      const { timers, run } = setup(workflow, () => ({ error: 'ECONNRESET', afterMs }));
      run.start();
      timers.stepTo(300);
      const final = await run.done;
      // A failed VU goes on 1 ms later: one failure per 1-2 ms per VU over 100 ms.
      const perVu = afterMs < 0 ? 100 : 50;
      expect(final.steps[0]!.transportErrors).toBeGreaterThanOrEqual(2 * (perVu - 1));
      expect(final.steps[0]!.transportErrors).toBeLessThanOrEqual(2 * (perVu + 1));
      expect(final.steps[0]!.errors).toBe(final.steps[0]!.requests);
    }
  });

  it('cancel aborts in-flight exchanges and pauses, and nothing runs afterwards', async () => {
    const workflow = wf(`
    vus: 4
    duration: 10s
    steps: [{ name: s, url: "http://h/", think_time: 1s }]
`);
    const { timers, transport, run } = setup(workflow, () => ({ status: 200, afterMs: 10 }));
    run.start();
    timers.stepTo(5);
    run.cancel('test');
    const sent = transport.sent;
    timers.stepTo(3000);
    const final = await run.done;
    expect(transport.sent).toBe(sent);
    expect(final.steps[0]).toMatchObject({ requests: 0, interrupted: 4 });
    expect(transport.aborted).toBe(4);
    expect(timers.pending()).toBe(0);
    expect(run.state).toBe('cancelled');
  });
});
