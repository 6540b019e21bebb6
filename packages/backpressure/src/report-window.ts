// At most one progress report in flight to each manager; the others wait their turn, in order, and
// leave as soon as the one before is answered (ack-clocked, a window of one). Progress then arrives
// at a manager no faster than it answers: a fleet of N workers can queue at most N reports there,
// whatever the flush rate. With one report in flight per share instead, 50 workers × 4 shares put
// 200 reports in front of a manager's control RPCs at a storm's onset, before any ack could carry
// a raised level (bench/backpressure.ts: a 35–70 ms stall of control RPCs; with the window, none above the idle tail).
// Pure: worker-svc holds one per process; the benchmark's simulated workers use it the same way.
export class ReportWindow {
  private readonly busy = new Set<string>();
  private readonly waiting = new Map<string, string[]>();

  /** True: send `key` to `destination` now. False: it waits for the report in flight there. */
  claim(destination: string, key: string): boolean {
    if (!this.busy.has(destination)) {
      this.busy.add(destination);
      return true;
    }
    const queue = this.waiting.get(destination);
    if (queue === undefined) this.waiting.set(destination, [key]);
    else if (!queue.includes(key)) queue.push(key);
    return false;
  }

  /** The report to `destination` was answered (or failed): the next waiting key to send, if any. */
  release(destination: string): string | undefined {
    const queue = this.waiting.get(destination);
    const next = queue?.shift();
    if (queue !== undefined && queue.length === 0) this.waiting.delete(destination);
    if (next === undefined) this.busy.delete(destination);
    return next;
  }

  /** Reports waiting for `destination`. */
  waitingFor(destination: string): number {
    return this.waiting.get(destination)?.length ?? 0;
  }
}
