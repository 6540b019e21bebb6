import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CoreAllocator,
  DependencyPlan,
  FenceGuard,
  FenceTokenIssuer,
  fenceToken,
  globalOutcome,
  parseSubWorkflowId,
  splitCoresAcrossWorkflows,
  splitProportionally,
  subWorkflowId,
  termOf,
} from '../src/index.js';

describe('CoreAllocator', () => {
  it('allocates lowest free cores all-or-nothing and frees them', () => {
    const cores = new CoreAllocator(4);
    expect(cores.allocate('a', 2)).toEqual({ ok: true, cores: [0, 1] });
    expect(cores.allocate('b', 3).ok).toBe(false);
    expect(cores.availableCores).toBe(2);
    expect(cores.allocate('a', 1).ok).toBe(false);
    expect(cores.allocate('c', 0).ok).toBe(false);
    expect(cores.allocate('c', 5).ok).toBe(false);
    expect(cores.free('a')).toBe(2);
    expect(cores.allocate('b', 3)).toEqual({ ok: true, cores: [0, 1, 2] });
  });
});

describe('shares', () => {
  it('splits cores across ready workflows per the AUTO rule', () => {
    expect(splitCoresAcrossWorkflows(1, 4)).toEqual([4]);
    expect(splitCoresAcrossWorkflows(3, 4)).toEqual([2, 1, 1]);
    expect(splitCoresAcrossWorkflows(5, 2)).toEqual([1, 1, 0, 0, 0]);
    expect(splitCoresAcrossWorkflows(2, 0)).toEqual([0, 0]);
  });

  it('splits integers proportionally and exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.array(fc.integer({ min: 0, max: 64 }), { minLength: 1, maxLength: 20 }),
        (total, weights) => {
          const parts = splitProportionally(total, weights);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          for (const p of parts) expect(p).toBeGreaterThanOrEqual(0);
        },
      ),
    );
    expect(splitProportionally(10, [1, 1, 1])).toEqual([4, 3, 3]);
  });
});

describe('fence tokens', () => {
  it('orders every later-term token above every earlier-term token', () => {
    const issuer = new FenceTokenIssuer(1);
    const a = issuer.next();
    const b = issuer.next();
    expect(b > a).toBe(true);
    issuer.enterTerm(2);
    const c = issuer.next();
    expect(c > fenceToken(1, 0xffffffff)).toBe(true);
    expect(termOf(c)).toBe(2n);
    expect(() => issuer.enterTerm(2)).toThrow(RangeError);
  });

  it('guards accept only strictly greater tokens, per key, including huge ones', () => {
    const guard = new FenceGuard(3);
    const huge = fenceToken(2n ** 40n, 5);
    expect(guard.accept('w1', 5n)).toBe(true);
    expect(guard.accept('w1', 5n)).toBe(false);
    expect(guard.accept('w1', 4n)).toBe(false);
    expect(guard.accept('w2', 1n)).toBe(true);
    expect(guard.accept('w1', huge)).toBe(true);
    expect(guard.accept('w1', huge - 1n)).toBe(false);
    guard.accept('w3', 1n);
    guard.accept('w4', 1n);
    expect(guard.size).toBe(3);
  });
});

describe('DependencyPlan', () => {
  it('orders by dependencies and cascades failures', () => {
    const plan = new DependencyPlan([
      { name: 'setup', dependsOn: [] },
      { name: 'load', dependsOn: ['setup'] },
      { name: 'soak', dependsOn: ['load'] },
      { name: 'other', dependsOn: [] },
    ]);
    expect(plan.ready()).toEqual([0, 3]);
    plan.markRunning(0);
    plan.markCompleted(0);
    expect(plan.ready()).toEqual([1, 3]);
    plan.markRunning(1);
    expect(plan.markEnded(1, 'failed')).toEqual([2]);
    expect(plan.state(2)).toBe('cancelled');
    expect(plan.isFinished()).toBe(false);
    plan.markCompleted(3);
    expect(plan.isFinished()).toBe(true);
  });

  it('rejects unknown dependencies, duplicates and cycles with the names involved', () => {
    expect(() => new DependencyPlan([{ name: 'a', dependsOn: ['x'] }])).toThrow(/unknown workflow 'x'/);
    expect(
      () =>
        new DependencyPlan([
          { name: 'a', dependsOn: [] },
          { name: 'a', dependsOn: [] },
        ]),
    ).toThrow(/twice/);
    expect(
      () =>
        new DependencyPlan([
          { name: 'a', dependsOn: ['c'] },
          { name: 'b', dependsOn: ['a'] },
          { name: 'c', dependsOn: ['b'] },
        ]),
    ).toThrow(/cycle: a → c → b → a/);
  });
});

describe('status rules and ids', () => {
  it('combines datacenter outcomes per facts §1.5', () => {
    expect(globalOutcome(['completed', 'completed'])).toBe('completed');
    expect(globalOutcome(['completed', 'timeout'])).toBe('timeout');
    expect(globalOutcome(['timeout', 'cancelled'])).toBe('cancelled');
    expect(globalOutcome(['cancelled', 'failed'])).toBe('failed');
    expect(globalOutcome([])).toBe('failed');
  });

  it('round-trips sub-workflow ids and refuses unsafe parts', () => {
    const parts = {
      datacenter: 'eu-west',
      managerId: 'm1',
      jobId: 'job-ab',
      workflowIndex: 2,
      workerId: 'w.7',
      attempt: 3,
    };
    expect(parseSubWorkflowId(subWorkflowId(parts))).toEqual(parts);
    expect(() => subWorkflowId({ ...parts, workerId: 'a:b' })).toThrow(RangeError);
    expect(parseSubWorkflowId('a:b')).toBeUndefined();
  });
});
