// The Lifeguard suspicion timer (memberlist suspicion.go). It starts at its maximum and shrinks as
// distinct peers independently confirm the suspicion, so a dead node is declared quickly when many
// agree, and a node suspected by one confused prober gets the longest time to refute.
import { remainingSuspicionTimeMs } from './formulas.js';
import type { Timers } from './types.js';

export class SuspicionTimer {
  private readonly confirmers = new Set<string>();
  private confirmations = 0;
  private readonly startedAtMs: number;
  private cancelTimer: (() => void) | undefined;
  private fired = false;
  private deadlineMs: number;

  /**
   * @param from the node that raised the suspicion; it never counts as a confirmation
   * @param k confirmations after which the timeout reaches `minMs`
   * @param onTimeout called once, with the number of confirmations received
   */
  constructor(
    private readonly timers: Timers,
    from: string,
    private readonly k: number,
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly maxConfirmers: number,
    private readonly onTimeout: (confirmations: number) => void,
  ) {
    this.startedAtMs = timers.now();
    this.confirmers.add(from);
    // With no confirmations expected, there is no point waiting for them (memberlist newSuspicion).
    const timeout = k < 1 ? minMs : maxMs;
    this.deadlineMs = this.startedAtMs + timeout;
    this.arm(timeout);
  }

  /** Records a confirmation from `from`; true when it was new and moved the deadline. */
  confirm(from: string): boolean {
    if (this.fired || this.confirmations >= this.k) return false;
    if (this.confirmers.has(from) || this.confirmers.size >= this.maxConfirmers) return false;
    this.confirmers.add(from);
    this.confirmations++;
    const elapsed = this.timers.now() - this.startedAtMs;
    const remaining = remainingSuspicionTimeMs(this.confirmations, this.k, elapsed, this.minMs, this.maxMs);
    this.cancelTimer?.();
    this.deadlineMs = this.timers.now() + Math.max(0, remaining);
    this.arm(Math.max(0, remaining));
    return true;
  }

  confirmationCount(): number {
    return this.confirmations;
  }

  deadline(): number {
    return this.deadlineMs;
  }

  cancel(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.fired = true;
  }

  private arm(delayMs: number): void {
    this.cancelTimer = this.timers.after(delayMs, () => {
      if (this.fired) return;
      this.fired = true;
      this.cancelTimer = undefined;
      this.onTimeout(this.confirmations);
    });
  }
}
