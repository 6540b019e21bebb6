import { VirtualClock } from '@hyperscale/deterministic';
import { describe, expect, it } from 'vitest';
import { BackgroundTasks, sleep } from '../src/index.js';
import { captureLogger } from './helpers.js';

/** Lets pending promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve = (): void => {};
  let reject = (_e: Error): void => {};
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('BackgroundTasks', () => {
  it('runs a loop every interval, start to start, on a virtual clock', async () => {
    const clock = new VirtualClock();
    const tasks = new BackgroundTasks({ logger: captureLogger().logger, scheduler: clock });
    const starts: number[] = [];
    tasks.every('probe', 1000, () => {
      starts.push(clock.now());
    });
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      await settle();
    }
    expect(starts).toEqual([1000, 2000, 3000]);
    await tasks.stopAll();
    clock.advance(5000);
    expect(starts).toEqual([1000, 2000, 3000]);
    expect(clock.pending()).toBe(0);
  });

  it('never overlaps a run with itself: a slow run delays the next one', async () => {
    const clock = new VirtualClock();
    const tasks = new BackgroundTasks({ logger: captureLogger().logger, scheduler: clock });
    const runs: { start: number; finish: ReturnType<typeof deferred> }[] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    tasks.every(
      'sync',
      100,
      async () => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        const finish = deferred();
        runs.push({ start: clock.now(), finish });
        await finish.promise;
        concurrent--;
      },
      { runImmediately: true },
    );
    clock.advance(0);
    await settle();
    expect(runs.map((r) => r.start)).toEqual([0]);
    clock.advance(350); // three intervals pass while the first run is still going
    await settle();
    expect(runs).toHaveLength(1);
    runs[0]!.finish.resolve();
    await settle();
    clock.advance(0); // overdue: the next run starts at once, missed ticks are not queued
    await settle();
    expect(runs.map((r) => r.start)).toEqual([0, 350]);
    clock.advance(40);
    runs[1]!.finish.resolve(); // took 40 ms: next start 60 ms later
    await settle();
    clock.advance(59);
    await settle();
    expect(runs).toHaveLength(2);
    clock.advance(1);
    await settle();
    expect(runs.map((r) => r.start)).toEqual([0, 350, 450]);
    expect(maxConcurrent).toBe(1);
    const stopping = tasks.stopAll();
    runs[2]!.finish.resolve();
    await stopping;
  });

  it('logs a failing run and keeps the loop going', async () => {
    const clock = new VirtualClock();
    const captured = captureLogger();
    const tasks = new BackgroundTasks({ logger: captured.logger, scheduler: clock });
    let runs = 0;
    tasks.every('report', 10, () => {
      runs++;
      if (runs === 1) throw new Error('gate unreachable');
    });
    for (let i = 0; i < 3; i++) {
      clock.advance(10);
      await settle();
    }
    expect(runs).toBe(3);
    expect(captured.lines().find((l) => l['msg'] === 'background task failed')).toMatchObject({
      level: 'error',
      component: 'background-tasks',
      task: 'report',
      err: { message: 'gate unreachable' },
    });
    expect(tasks.describe()).toEqual([
      { name: 'report', kind: 'loop', runs: 3, errors: 1, running: false, lastError: 'gate unreachable' },
    ]);
    await tasks.stopAll();
  });

  it('stopAll aborts the signal, waits for in-flight runs and spawned tasks, and refuses new ones', async () => {
    const tasks = new BackgroundTasks({ logger: captureLogger().logger });
    const finished: string[] = [];
    tasks.every(
      'watch',
      5,
      async (signal) => {
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        await sleep(20);
        finished.push('loop run');
      },
      { runImmediately: true },
    );
    const spawned = tasks.spawn('flush', async () => {
      await sleep(30);
      finished.push('spawned task');
    });
    await sleep(15); // real timers: the loop run is in flight
    await tasks.stopAll();
    expect(finished.sort()).toEqual(['loop run', 'spawned task']);
    await expect(spawned).resolves.toBeUndefined();
    expect(tasks.describe()).toEqual([]);
    expect(() => tasks.every('late', 10, () => {})).toThrow("cannot start 'late': background tasks are stopping");
    expect(() => tasks.spawn('late', () => {})).toThrow(/stopping/);
  });

  it('stops one loop on its own and rejects a non-positive interval', async () => {
    const clock = new VirtualClock();
    const tasks = new BackgroundTasks({ logger: captureLogger().logger, scheduler: clock });
    let a = 0;
    let b = 0;
    const loopA = tasks.every('a', 10, () => void a++);
    tasks.every('b', 10, () => void b++);
    clock.advance(10);
    await settle();
    await loopA.stop();
    clock.advance(10);
    await settle();
    expect([a, b]).toEqual([1, 2]);
    expect(() => tasks.every('zero', 0, () => {})).toThrow(RangeError);
    await tasks.stopAll();
  });

  it('a spawned task that fails is logged and never rejects', async () => {
    const captured = captureLogger();
    const tasks = new BackgroundTasks({ logger: captured.logger });
    await expect(
      tasks.spawn('redispatch', async () => {
        throw new Error('no capacity');
      }),
    ).resolves.toBeUndefined();
    expect(captured.lines().find((l) => l['task'] === 'redispatch')).toMatchObject({ err: { message: 'no capacity' } });
    await tasks.stopAll();
  });
});
