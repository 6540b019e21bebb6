// A share of a workflow running on some cores: each core runs an equal part (loadgen's
// workflowShare), and their cumulative statistics merge into one view of the share.
import { mergeAll, type StatsSnapshot, type WorkflowSpec, workflowShare } from '@hyperscale/loadgen';
import type { CorePool, PartOutcome } from './core-pool.js';

export type ShareOutcome = PartOutcome;

export interface ShareRunOptions {
  pool: CorePool;
  workflow: WorkflowSpec;
  cores: number;
  progressIntervalMs: number;
  onProgress: (stats: StatsSnapshot) => void;
}

export class ShareRun {
  readonly done: Promise<ShareOutcome>;
  private readonly parts: { cancel(): void }[] = [];
  private readonly latest: (StatsSnapshot | undefined)[];
  private cancelled = false;

  constructor(options: ShareRunOptions) {
    const cores = Math.max(1, Math.min(options.cores, options.workflow.vus));
    this.latest = new Array<StatsSnapshot | undefined>(cores).fill(undefined);
    const outcomes: Promise<ShareOutcome>[] = [];
    for (let i = 0; i < cores; i++) {
      const part = options.pool.run(workflowShare(options.workflow, i, cores), options.progressIntervalMs, (stats) => {
        this.latest[i] = stats;
        const merged = this.merged();
        if (merged) options.onProgress(merged);
      });
      this.parts.push(part);
      outcomes.push(
        part.done.then((outcome) => {
          if (outcome.stats) this.latest[i] = outcome.stats;
          return outcome;
        }),
      );
    }
    this.done = Promise.all(outcomes).then((all) => {
      const stats = this.merged();
      const failed = all.find((o) => o.status === 'failed');
      if (failed) return { status: 'failed', stats, ...(failed.error ? { error: failed.error } : {}) };
      if (this.cancelled || all.some((o) => o.status === 'cancelled')) return { status: 'cancelled', stats };
      return { status: 'completed', stats };
    });
  }

  cancel(): void {
    this.cancelled = true;
    for (const part of this.parts) part.cancel();
  }

  /** Cumulative statistics of every core, merged. */
  merged(): StatsSnapshot | undefined {
    const present = this.latest.filter((s): s is StatsSnapshot => s !== undefined);
    // One core (the common case) needs no merge: decoding and re-encoding its histograms on every
    // progress tick would only cost the worker's main thread.
    if (present.length <= 1) return present[0];
    return mergeAll(present);
  }
}
