// What a job looks like to its watchers, on a gate or a manager: the current status, the latest
// progress and, once terminal, the one final result. Every change becomes a sequenced JobUpdate
// pushed to each WatchJob stream; a new watcher first gets the current state, so it can join late.
import type { MessageInitShape } from '@bufbuild/protobuf';
import type * as pb from '@hyperscale/protocol';
import { JobStatus } from '@hyperscale/protocol';
import { isTerminalJobStatus } from './status.js';
import { UpdateFeed } from './update-feed.js';

export type JobUpdateInit = MessageInitShape<typeof pb.JobUpdateSchema>;
export type JobProgressInit = MessageInitShape<typeof pb.JobProgressSchema>;
export type JobResultInit = MessageInitShape<typeof pb.JobResultSchema>;
export type JobInfoInit = MessageInitShape<typeof pb.JobInfoSchema>;

const isProgress = (u: JobUpdateInit): boolean => u.update?.case === 'progress';

export class JobBroadcast {
  private sequence = 0n;
  private readonly watchers = new Set<UpdateFeed<JobUpdateInit>>();
  private currentStatus: JobStatus = JobStatus.SUBMITTED;
  private statusReason = '';
  private progress: JobProgressInit | undefined;
  private result: JobResultInit | undefined;

  constructor(
    readonly jobId: string,
    readonly name: string,
    readonly submittedAtUnixMs: number,
    readonly datacenters: readonly string[],
    private readonly wallClock: () => number = Date.now,
  ) {}

  get status(): JobStatus {
    return this.currentStatus;
  }

  get finalResult(): JobResultInit | undefined {
    return this.result;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  /** A non-terminal status change (terminal ones come with the result through `finish`). */
  setStatus(status: JobStatus, reason = '', datacenter = ''): void {
    if (this.result !== undefined || isTerminalJobStatus(status)) return;
    if (status === this.currentStatus && datacenter === '') return;
    if (datacenter === '') {
      this.currentStatus = status;
      this.statusReason = reason;
    }
    this.emit({ case: 'status', value: { status, reason, datacenter, atUnixMs: BigInt(this.wallClock()) } });
  }

  setProgress(progress: JobProgressInit): void {
    if (this.result !== undefined) return;
    this.progress = progress;
    this.emit({ case: 'progress', value: progress });
  }

  /** Records the one final result; false when the job already had one. */
  finish(result: JobResultInit): boolean {
    if (this.result !== undefined) return false;
    const status = result.status ?? JobStatus.FAILED;
    this.result = result;
    this.currentStatus = status;
    this.statusReason = result.error ?? '';
    this.emit({ case: 'status', value: { status, reason: this.statusReason, atUnixMs: BigInt(this.wallClock()) } });
    this.emit({ case: 'result', value: result });
    for (const feed of this.watchers) feed.close();
    this.watchers.clear();
    return true;
  }

  /** A stream of updates starting with the current state; it ends after the final result. */
  watch(signal?: AbortSignal): AsyncIterable<JobUpdateInit> {
    const feed = new UpdateFeed<JobUpdateInit>(isProgress);
    const first = (update: JobUpdateInit['update']): void =>
      feed.push({ jobId: this.jobId, sequence: this.sequence, update });
    first({
      case: 'status',
      value: { status: this.currentStatus, reason: this.statusReason, atUnixMs: BigInt(this.wallClock()) },
    });
    if (this.progress) first({ case: 'progress', value: this.progress });
    if (this.result) {
      first({ case: 'result', value: this.result });
      feed.close();
      return feed;
    }
    this.watchers.add(feed);
    signal?.addEventListener(
      'abort',
      () => {
        this.watchers.delete(feed);
        feed.close();
      },
      { once: true },
    );
    return feed;
  }

  info(): JobInfoInit {
    return {
      jobId: this.jobId,
      name: this.name,
      status: this.currentStatus,
      submittedAtUnixMs: BigInt(this.submittedAtUnixMs),
      datacenters: [...this.datacenters],
      ...(this.progress ? { progress: this.progress } : {}),
      ...(this.result ? { result: this.result } : {}),
    };
  }

  private emit(update: JobUpdateInit['update']): void {
    this.sequence += 1n;
    const message: JobUpdateInit = { jobId: this.jobId, sequence: this.sequence, update };
    for (const feed of this.watchers) feed.push(message);
  }
}
