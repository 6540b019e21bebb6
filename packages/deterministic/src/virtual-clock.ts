// A clock that only moves when told to, with a timer queue, for simulations and unit tests.
import type { Clock } from './clock.js';

interface ScheduledTask {
  at: number;
  seq: number;
  run: () => void;
}

export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly tasks: ScheduledTask[] = [];

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  /** Runs `fn` once virtual time reaches `atMs`; returns a cancel function. */
  schedule(atMs: number, fn: () => void): () => void {
    const task: ScheduledTask = { at: atMs, seq: this.seq++, run: fn };
    // Keep the queue sorted by (at, seq) so equal deadlines run in scheduling order.
    let i = this.tasks.length;
    while (i > 0) {
      const prev = this.tasks[i - 1]!;
      if (prev.at < task.at || (prev.at === task.at && prev.seq < task.seq)) break;
      i--;
    }
    this.tasks.splice(i, 0, task);
    return () => {
      const index = this.tasks.indexOf(task);
      if (index >= 0) this.tasks.splice(index, 1);
    };
  }

  /** Runs `fn` after `delayMs` of virtual time. */
  after(delayMs: number, fn: () => void): () => void {
    return this.schedule(this.current + Math.max(0, delayMs), fn);
  }

  /** Moves time forward by `ms`, running every task that falls due, in order. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError(`VirtualClock.advance: negative step ${ms}`);
    this.runUntil(this.current + ms);
  }

  /** Moves time to `ms` (never backwards), running due tasks. */
  set(ms: number): void {
    if (ms < this.current) throw new RangeError(`VirtualClock.set: ${ms} is before now (${this.current})`);
    this.runUntil(ms);
  }

  /** Number of tasks still waiting. */
  pending(): number {
    return this.tasks.length;
  }

  /** Time of the next task, or undefined when none is waiting. */
  nextAt(): number | undefined {
    return this.tasks[0]?.at;
  }

  private runUntil(target: number): void {
    for (;;) {
      const next = this.tasks[0];
      if (next === undefined || next.at > target) break;
      this.tasks.shift();
      this.current = Math.max(this.current, next.at);
      next.run();
    }
    this.current = target;
  }
}
