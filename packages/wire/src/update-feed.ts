// The queue behind one WatchJob stream: status changes and the final result are never dropped;
// when a slow watcher falls behind, the oldest progress updates go first (progress is cumulative,
// so a later one supersedes an earlier one).
export class UpdateFeed<T> {
  private readonly queue: T[] = [];
  private wake: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly droppable: (item: T) => boolean,
    private readonly maxQueued = 64,
  ) {}

  push(item: T): void {
    if (this.closed) return;
    this.queue.push(item);
    if (this.queue.length > this.maxQueued) {
      const index = this.queue.findIndex(this.droppable);
      if (index >= 0) this.queue.splice(index, 1);
    }
    this.signal();
  }

  close(): void {
    this.closed = true;
    this.signal();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const next = this.queue.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
