// A worker stops the shares of a manager it has lost (facts §3.3: grace 5 s, check 1 s, then
// cancel): the executor's part on the shared fake setup, the watch on a scripted pool and a virtual
// clock, and once with the real pieces — SWIM over UDP on 127.0.0.1, a manager stopped without a word.
import { BackgroundTasks, createLogger } from '@hyperscale/runtime';
import {
  type MemberEventName,
  type MemberListener,
  type Membership,
  type MemberView,
  type Role,
  type SwimNode,
  startPoolNode,
} from '@hyperscale/swim';
import { describe, expect, it } from 'vitest';
import { WorkerMembership } from '../src/membership.js';
import { watchOrphanedShares } from '../src/orphan-watch.js';
import { MANAGER, setup } from './helpers.js';

const silent = createLogger({ service: 'test', nodeId: 'w1', level: 'silent' });
const lostManager = { id: 'm-lost', address: '127.0.0.1:7201' };

async function settle(): Promise<void> {
  for (let i = 0; i < 6; i++) await Promise.resolve();
}

describe('WorkflowExecutor.stopSharesOf', () => {
  it('stops every share of the lost manager; their results reach the outbox handed back (failed), stats kept', async () => {
    const { dispatch, executor, results, shares, stats } = setup();
    dispatch('lost-1', 'job-1', lostManager);
    dispatch('kept-1', 'job-1', MANAGER);
    dispatch('lost-2', 'job-2', lostManager);
    const measured = stats();
    shares[0]!.progress(measured);

    expect(executor.stopSharesOf(lostManager.id)).toEqual([
      { jobId: 'job-1', workflowId: 'lost-1', managerAddress: lostManager.address },
      { jobId: 'job-2', workflowId: 'lost-2', managerAddress: lostManager.address },
    ]);
    await settle();
    expect(results.map((r) => [r.workflowId, r.status, r.managerAddress, r.error])).toEqual([
      ['lost-1', 'failed', lostManager.address, 'manager m-lost was lost; the share was stopped'],
      ['lost-2', 'failed', lostManager.address, 'manager m-lost was lost; the share was stopped'],
    ]);
    expect(results[0]!.stats).toBe(measured);
    expect(executor.activeWorkflowIds()).toEqual(['kept-1']);
    expect(executor.availableCores).toBe(3);
    expect(executor.stopSharesOf(lostManager.id)).toEqual([]);
  });
});

/** A pool whose events the test scripts: `change` sets a member's state and emits the event. */
function scriptedPool() {
  const members = new Map<string, MemberView>();
  const listeners = new Map<MemberEventName, Set<MemberListener>>();
  const membership: Membership = {
    members: () => [...members.values()],
    member: (id) => members.get(id),
    self: () => ({ id: 'w1', addr: '', role: 'worker', state: 'alive', incarnation: 0, meta: {}, stateChangedAtMs: 0 }),
    on: (event, listener) => {
      const set = listeners.get(event) ?? new Set<MemberListener>();
      listeners.set(event, set);
      set.add(listener);
    },
    off: (event, listener) => {
      listeners.get(event)?.delete(listener);
    },
  };
  const change = (id: string, role: Role, state: MemberView['state'], event: MemberEventName) => {
    const member: MemberView = { id, addr: '', role, state, incarnation: 0, meta: {}, stateChangedAtMs: 0 };
    members.set(id, member);
    for (const listener of listeners.get(event) ?? []) listener(member);
  };
  return { membership, change };
}

function watchedSetup() {
  const fixture = setup();
  const pool = scriptedPool();
  pool.change(lostManager.id, 'manager', 'alive', 'member-join');
  pool.change(MANAGER.id, 'manager', 'alive', 'member-join');
  const tasks = new BackgroundTasks({ logger: silent, scheduler: fixture.clock });
  const watch = watchOrphanedShares({
    membership: pool.membership,
    executor: fixture.executor,
    tasks,
    logger: silent,
    now: () => fixture.clock.now(),
    graceMs: 5_000,
  });
  /** Advances virtual time in 100 ms steps, letting the check loop and finished shares settle. */
  const elapse = async (ms: number) => {
    for (let t = 0; t < ms; t += 100) {
      fixture.clock.advance(100);
      await settle();
    }
  };
  return { ...fixture, pool, tasks, watch, elapse };
}

describe('orphan watch', () => {
  it('stops a dead manager’s shares once the grace has passed, and no other', async () => {
    const { dispatch, executor, results, pool, watch, elapse } = watchedSetup();
    dispatch('lost-1', 'job-1', lostManager);
    dispatch('kept-1', 'job-1', MANAGER);
    await elapse(1_000);
    pool.change(lostManager.id, 'manager', 'dead', 'member-dead');
    expect(watch.inGrace().map((e) => e.manager)).toEqual([lostManager.id]);
    await elapse(4_900);
    expect(results).toEqual([]);
    await elapse(1_100); // grace over, then the next 1 s check
    expect(results.map((r) => [r.workflowId, r.status])).toEqual([['lost-1', 'failed']]);
    expect(executor.activeWorkflowIds()).toEqual(['kept-1']);
    expect(watch.inGrace()).toEqual([]);
    expect(watch.counters().sharesStoppedByReason).toEqual({ manager_dead: 1, manager_restarted: 0 });
  });

  it('stops a restarted manager’s shares at once, with no grace', async () => {
    const { dispatch, executor, results, watch } = watchedSetup();
    dispatch('lost-1', 'job-1', lostManager);
    dispatch('kept-1', 'job-1', MANAGER);
    watch.managerRestarted(lostManager.id);
    await settle();
    expect(results.map((r) => [r.workflowId, r.status])).toEqual([['lost-1', 'failed']]);
    expect(executor.activeWorkflowIds()).toEqual(['kept-1']);
    expect(watch.counters().sharesStoppedByReason).toEqual({ manager_dead: 0, manager_restarted: 1 });
  });

  it('keeps the shares of a manager back within the grace (a refuted death)', async () => {
    const { dispatch, executor, results, pool, watch, elapse } = watchedSetup();
    dispatch('lost-1', 'job-1', lostManager);
    pool.change(lostManager.id, 'manager', 'dead', 'member-dead');
    await elapse(3_000);
    pool.change(lostManager.id, 'manager', 'alive', 'member-alive');
    await elapse(10_000);
    expect(results).toEqual([]);
    expect(executor.activeWorkflowIds()).toEqual(['lost-1']);
    expect(watch.inGrace()).toEqual([]);
  });

  it('a member of another role going down stops nothing', async () => {
    const { dispatch, executor, pool, watch, elapse } = watchedSetup();
    dispatch('lost-1', 'job-1', lostManager);
    pool.change(lostManager.id, 'worker', 'alive', 'member-join');
    pool.change(lostManager.id, 'worker', 'dead', 'member-dead');
    expect(watch.inGrace()).toEqual([]);
    await elapse(7_000);
    expect(executor.activeWorkflowIds()).toEqual(['lost-1']);
  });

  it('stop() ends the watch: a later death stops nothing', async () => {
    const { dispatch, executor, pool, watch, elapse } = watchedSetup();
    dispatch('lost-1', 'job-1', lostManager);
    await watch.stop();
    pool.change(lostManager.id, 'manager', 'dead', 'member-dead');
    await elapse(7_000);
    expect(executor.activeWorkflowIds()).toEqual(['lost-1']);
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition();
}

describe('orphan watch on a real SWIM pool (UDP on 127.0.0.1)', () => {
  it('stops the shares of a manager stopped without a word, after the grace, and only those', async () => {
    const graceMs = 500;
    const worker = await WorkerMembership.join(
      {
        nodeId: 'w1',
        datacenter: 'dc-test',
        grpcHost: '127.0.0.1',
        swimPort: 0,
        swimAdvertiseAddress: undefined,
        swimSeeds: [],
        swimProfile: 'local',
        swimKeys: [],
        swimInjectDelay: 0,
      },
      '127.0.0.1:7300',
      silent,
    );
    const managers: SwimNode[] = [];
    const tasks = new BackgroundTasks({ logger: silent });
    try {
      for (const [i, id] of ['m-lost', 'm-kept'].entries()) {
        managers.push(
          await startPoolNode({
            pool: 'datacenter',
            id,
            role: 'manager',
            bindHost: '127.0.0.1',
            bindPort: 0,
            seeds: [],
            profile: 'local',
            label: 'dc:dc-test',
            meta: { grpc: `127.0.0.1:${7201 + i}`, dc: 'dc-test' },
            logger: silent,
          }),
        );
      }
      // as a manager's registration answer does
      for (const manager of managers) worker.introduceManager(manager.id, manager.addr);
      const aliveAtWorker = (id: string) => worker.pool.member(id)?.state === 'alive';
      expect(await waitFor(() => aliveAtWorker('m-lost') && aliveAtWorker('m-kept'), 10_000)).toBe(true);

      const { dispatch, executor, results } = setup();
      dispatch('lost-1', 'job-1', { id: 'm-lost', address: '127.0.0.1:7201' });
      dispatch('kept-1', 'job-1', { id: 'm-kept', address: '127.0.0.1:7202' });
      const watch = watchOrphanedShares({
        membership: worker.pool,
        executor,
        tasks,
        logger: silent,
        now: () => performance.now(),
        graceMs,
        checkIntervalMs: 50,
      });
      // What the worker holds when SWIM declares the manager dead: the share still runs, in its grace
      // (its exact length is the scripted-pool tests' business).
      let atDeath: { active: string[]; inGrace: string[] } | undefined;
      worker.pool.on('member-dead', (m) => {
        if (m.id === 'm-lost')
          atDeath ??= { active: executor.activeWorkflowIds(), inGrace: watch.inGrace().map((e) => e.manager) };
      });

      await managers[0]!.stop();
      expect(await waitFor(() => results.length > 0, 15_000)).toBe(true);
      expect(atDeath).toEqual({ active: ['lost-1', 'kept-1'], inGrace: ['m-lost'] });
      await settle();
      expect(results.map((r) => [r.workflowId, r.status])).toEqual([['lost-1', 'failed']]);
      expect(executor.activeWorkflowIds()).toEqual(['kept-1']);
      await watch.stop();
    } finally {
      await tasks.stopAll();
      await Promise.all([worker.pool.stop(), ...managers.map((m) => m.stop())]);
    }
  }, 30_000);
});
