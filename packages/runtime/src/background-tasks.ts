// One owner for every background loop and one-off task of a service (DESIGN.md §3: every loop is
// owned by something that stops it on shutdown; no floating promises). Loops never overlap with
// themselves, an error in one run is logged and the loop goes on, and stopAll() waits for in-flight
// runs. Timers come from a Scheduler, so a test can drive loops with a VirtualClock.
import type { Logger } from 'pino';

/** What BackgroundTasks needs from time. VirtualClock from @hyperscale/deterministic fits it. */
export interface Scheduler {
  now(): number;
  /** Runs fn after delayMs; returns a function that cancels it. */
  after(delayMs: number, fn: () => void): () => void;
}

/** Real timers and the monotonic clock. */
export const systemScheduler: Scheduler = {
  now: () => performance.now(),
  after: (delayMs, fn) => {
    const timer = setTimeout(fn, delayMs);
    return () => clearTimeout(timer);
  },
};

export type TaskFn = (signal: AbortSignal) => Promise<void> | void;

export interface LoopOptions {
  /** Run once at once instead of waiting the first interval. */
  runImmediately?: boolean;
}

export interface LoopHandle {
  readonly name: string;
  /** Stops this loop and waits for its in-flight run. */
  stop(): Promise<void>;
}

export interface TaskStatus {
  name: string;
  kind: 'loop' | 'task';
  runs: number;
  errors: number;
  running: boolean;
  lastError?: string;
}

interface Loop {
  status: TaskStatus;
  stopped: boolean;
  cancelTimer: (() => void) | undefined;
  inFlight: Promise<void> | undefined;
}

export class BackgroundTasks {
  private readonly logger: Logger;
  private readonly scheduler: Scheduler;
  private readonly abort = new AbortController();
  private readonly loops = new Set<Loop>();
  private readonly tasks = new Map<Promise<void>, TaskStatus>();
  private stopping: Promise<void> | undefined;

  constructor(options: { logger: Logger; scheduler?: Scheduler }) {
    this.logger = options.logger.child({ component: 'background-tasks' });
    this.scheduler = options.scheduler ?? systemScheduler;
  }

  /** Runs fn every intervalMs (start to start), never overlapping; a slow run delays the next one. */
  every(name: string, intervalMs: number, fn: TaskFn, options: LoopOptions = {}): LoopHandle {
    this.assertRunning(name);
    if (!(intervalMs > 0)) throw new RangeError(`loop '${name}': interval ${intervalMs} ms must be > 0`);
    const loop: Loop = {
      status: { name, kind: 'loop', runs: 0, errors: 0, running: false },
      stopped: false,
      cancelTimer: undefined,
      inFlight: undefined,
    };
    const schedule = (delayMs: number): void => {
      loop.cancelTimer = this.scheduler.after(delayMs, tick);
    };
    const tick = (): void => {
      loop.cancelTimer = undefined;
      if (loop.stopped) return;
      const startedAt = this.scheduler.now();
      loop.inFlight = this.runGuarded(loop.status, fn).then(() => {
        loop.inFlight = undefined;
        if (!loop.stopped) schedule(Math.max(0, intervalMs - (this.scheduler.now() - startedAt)));
      });
    };
    this.loops.add(loop);
    schedule(options.runImmediately === true ? 0 : intervalMs);
    return { name, stop: () => this.stopLoop(loop) };
  }

  /** Owns a one-off background task: errors are logged, stopAll() waits for it. Never rejects. */
  spawn(name: string, fn: TaskFn): Promise<void> {
    this.assertRunning(name);
    const status: TaskStatus = { name, kind: 'task', runs: 0, errors: 0, running: false };
    const running = this.runGuarded(status, fn).then(() => {
      this.tasks.delete(running);
    });
    this.tasks.set(running, status);
    return running;
  }

  /** What is owned now, for /debug/state. */
  describe(): TaskStatus[] {
    return [...[...this.loops].map((l) => l.status), ...this.tasks.values()].map((s) => ({ ...s }));
  }

  /** Stops every loop, aborts the signals given to runs, and waits for in-flight runs. Idempotent. */
  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      this.abort.abort(new Error('background tasks stopping'));
      await Promise.all([...[...this.loops].map((loop) => this.stopLoop(loop)), ...this.tasks.keys()]);
      this.logger.debug('background tasks stopped');
    })();
    return this.stopping;
  }

  private async stopLoop(loop: Loop): Promise<void> {
    loop.stopped = true;
    loop.cancelTimer?.();
    loop.cancelTimer = undefined;
    this.loops.delete(loop);
    await loop.inFlight;
  }

  private async runGuarded(status: TaskStatus, fn: TaskFn): Promise<void> {
    status.running = true;
    status.runs++;
    try {
      await fn(this.abort.signal);
    } catch (error) {
      status.errors++;
      status.lastError = error instanceof Error ? error.message : String(error);
      if (!this.abort.signal.aborted) this.logger.error({ err: error, task: status.name }, 'background task failed');
    } finally {
      status.running = false;
    }
  }

  private assertRunning(name: string): void {
    if (this.stopping !== undefined) throw new Error(`cannot start '${name}': background tasks are stopping`);
  }
}
