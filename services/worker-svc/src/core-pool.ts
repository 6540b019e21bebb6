// The worker's cores as long-lived threads, one per core, started with the worker. A share's
// parts run on idle threads; a thread that dies fails its part and is replaced.
import { Worker } from 'node:worker_threads';
import type { StatsSnapshot, WorkflowSpec } from '@hyperscale/loadgen';

export type CoreCommand =
  | { type: 'run'; runId: number; workflow: WorkflowSpec; progressIntervalMs: number }
  | { type: 'cancel'; runId: number };

export type CoreMessage =
  | { type: 'ready' }
  | { type: 'progress'; runId: number; stats: StatsSnapshot }
  | { type: 'done'; runId: number; stats: StatsSnapshot; cancelled: boolean }
  | { type: 'failed'; runId: number; error: string };

export interface PartOutcome {
  status: 'completed' | 'cancelled' | 'failed';
  stats: StatsSnapshot | undefined;
  error?: string;
}

interface CoreSlot {
  index: number;
  thread: Worker;
  run: { runId: number; onProgress: (s: StatsSnapshot) => void; settle: (o: PartOutcome) => void } | undefined;
}

const THREAD_URL = new URL('./core-thread.js', import.meta.url);

export class CorePool {
  private readonly slots: CoreSlot[] = [];
  private nextRunId = 1;
  private closed = false;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn(i));
  }

  idleCount(): number {
    return this.slots.filter((s) => s.run === undefined).length;
  }

  /** Runs one part on an idle core; throws when none is idle. */
  run(
    workflow: WorkflowSpec,
    progressIntervalMs: number,
    onProgress: (s: StatsSnapshot) => void,
  ): {
    done: Promise<PartOutcome>;
    cancel(): void;
  } {
    const slot = this.slots.find((s) => s.run === undefined);
    if (!slot) throw new Error('no idle core');
    const runId = this.nextRunId++;
    const done = new Promise<PartOutcome>((settle) => {
      slot.run = { runId, onProgress, settle };
    });
    slot.thread.postMessage({ type: 'run', runId, workflow, progressIntervalMs } satisfies CoreCommand);
    return {
      done,
      cancel: () => {
        if (slot.run?.runId === runId) slot.thread.postMessage({ type: 'cancel', runId } satisfies CoreCommand);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.thread.terminate()));
  }

  private spawn(index: number): CoreSlot {
    const slot: CoreSlot = { index, thread: new Worker(THREAD_URL), run: undefined };
    slot.thread.on('message', (message: CoreMessage) => {
      const run = slot.run;
      if (message.type === 'ready' || !run || message.runId !== run.runId) return;
      if (message.type === 'progress') {
        run.onProgress(message.stats);
        return;
      }
      slot.run = undefined;
      if (message.type === 'done')
        run.settle({ status: message.cancelled ? 'cancelled' : 'completed', stats: message.stats });
      else run.settle({ status: 'failed', stats: undefined, error: `core ${index}: ${message.error}` });
    });
    const died = (why: string) => {
      const run = slot.run;
      slot.run = undefined;
      run?.settle({ status: 'failed', stats: undefined, error: `core ${index} ${why}` });
      if (!this.closed) this.slots[index] = this.spawn(index);
    };
    slot.thread.on('error', (error) => died(`failed: ${error.message}`));
    slot.thread.on('exit', (code) => {
      if (this.slots[index] === slot) died(`exited with code ${code}`);
    });
    return slot;
  }
}
