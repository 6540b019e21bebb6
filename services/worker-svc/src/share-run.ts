// A share of a workflow running on some cores: one thread per core, each with its equal part
// (loadgen's workflowShare), their cumulative statistics merged into one view of the share.
import { Worker } from 'node:worker_threads';
import { mergeAll, type StatsSnapshot, type WorkflowSpec, workflowShare } from '@hyperscale/loadgen';

export type CoreMessage =
  | { type: 'progress'; stats: StatsSnapshot }
  | { type: 'done'; stats: StatsSnapshot; cancelled: boolean }
  | { type: 'failed'; error: string };

export interface ShareOutcome {
  status: 'completed' | 'cancelled' | 'failed';
  stats: StatsSnapshot | undefined;
  error?: string;
}

export interface ShareRunOptions {
  workflow: WorkflowSpec;
  cores: number;
  progressIntervalMs: number;
  onProgress: (stats: StatsSnapshot) => void;
}

const THREAD_URL = new URL('./core-thread.js', import.meta.url);

export class ShareRun {
  readonly done: Promise<ShareOutcome>;
  private readonly threads: Worker[] = [];
  private readonly latest: (StatsSnapshot | undefined)[];
  private cancelled = false;

  constructor(private readonly options: ShareRunOptions) {
    const cores = Math.max(1, Math.min(options.cores, options.workflow.vus));
    this.latest = new Array<StatsSnapshot | undefined>(cores).fill(undefined);
    const results: Promise<ShareOutcome>[] = [];
    for (let i = 0; i < cores; i++) {
      const thread = new Worker(THREAD_URL, {
        workerData: {
          workflow: workflowShare(options.workflow, i, cores),
          progressIntervalMs: options.progressIntervalMs,
        },
      });
      this.threads.push(thread);
      results.push(this.watch(thread, i));
    }
    this.done = Promise.all(results).then((outcomes) => {
      const stats = this.merged();
      const failed = outcomes.find((o) => o.status === 'failed');
      if (failed) return { status: 'failed', stats, ...(failed.error ? { error: failed.error } : {}) };
      if (this.cancelled || outcomes.some((o) => o.status === 'cancelled')) return { status: 'cancelled', stats };
      return { status: 'completed', stats };
    });
  }

  cancel(): void {
    this.cancelled = true;
    for (const thread of this.threads) thread.postMessage({ type: 'cancel' });
  }

  /** Cumulative statistics of every core, merged. */
  merged(): StatsSnapshot | undefined {
    const present = this.latest.filter((s): s is StatsSnapshot => s !== undefined);
    return present.length === 0 ? undefined : mergeAll(present);
  }

  private watch(thread: Worker, core: number): Promise<ShareOutcome> {
    return new Promise<ShareOutcome>((resolve) => {
      let settled = false;
      const settle = (outcome: ShareOutcome) => {
        if (!settled) {
          settled = true;
          resolve(outcome);
        }
      };
      thread.on('message', (message: CoreMessage) => {
        if (message.type === 'progress') {
          this.latest[core] = message.stats;
          const merged = this.merged();
          if (merged) this.options.onProgress(merged);
        } else if (message.type === 'done') {
          this.latest[core] = message.stats;
          settle({ status: message.cancelled ? 'cancelled' : 'completed', stats: message.stats });
        } else {
          settle({ status: 'failed', stats: undefined, error: `core ${core}: ${message.error}` });
        }
      });
      thread.on('error', (error) =>
        settle({ status: 'failed', stats: undefined, error: `core ${core}: ${error.message}` }),
      );
      thread.on('exit', (code) =>
        settle({ status: 'failed', stats: undefined, error: `core ${core} exited with code ${code}` }),
      );
    });
  }
}
