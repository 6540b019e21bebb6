// A virtual clock with a binary-heap timer queue for simulations of many members: O(log n) per
// timer, cancellation by flag. (VirtualClock's sorted array is fine for unit tests, not for 50
// members × 10 simulated minutes.) Events at the same instant run in scheduling order.
import type { Timers } from '../types.js';

interface Task {
  at: number;
  seq: number;
  run: () => void;
  cancelled: boolean;
}

export class EventScheduler implements Timers {
  private current: number;
  private seq = 0;
  private heap: Task[] = [];

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  after(delayMs: number, fn: () => void): () => void {
    return this.at(this.current + Math.max(0, delayMs), fn);
  }

  at(atMs: number, fn: () => void): () => void {
    const task: Task = { at: Math.max(atMs, this.current), seq: this.seq++, run: fn, cancelled: false };
    this.push(task);
    return () => {
      task.cancelled = true;
    };
  }

  /** Runs every task due up to `now + ms`, then sets the clock there. */
  advance(ms: number): void {
    this.runUntil(this.current + ms);
  }

  runUntil(targetMs: number): void {
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || top.at > targetMs) break;
      this.pop();
      if (top.cancelled) continue;
      this.current = top.at;
      top.run();
    }
    if (targetMs > this.current) this.current = targetMs;
  }

  /** Advances in steps until `done()` or `limitMs` passes; returns whether `done()` became true. */
  runUntilTrue(done: () => boolean, limitMs: number, stepMs = 100): boolean {
    const end = this.current + limitMs;
    while (this.current < end) {
      if (done()) return true;
      this.runUntil(Math.min(end, this.current + stepMs));
    }
    return done();
  }

  pending(): number {
    return this.heap.length;
  }

  private push(task: Task): void {
    const heap = this.heap;
    heap.push(task);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < heap.length && before(heap[l]!, heap[smallest]!)) smallest = l;
      if (r < heap.length && before(heap[r]!, heap[smallest]!)) smallest = r;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }
}

function before(a: Task, b: Task): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
