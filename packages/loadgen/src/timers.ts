// Time and timers as one injected input for the executors. The real one wraps performance.now and
// setTimeout; `VirtualClock` from @hyperscale/deterministic satisfies the same shape, so a test can
// drive an arrival-rate schedule through virtual minutes without sleeping.

export interface Timers {
  /** Monotonic milliseconds. */
  now(): number;
  /** Runs `fn` after `delayMs`; returns a function that cancels it. */
  after(delayMs: number, fn: () => void): () => void;
}

export const systemTimers: Timers = {
  now: () => performance.now(),
  after(delayMs: number, fn: () => void): () => void {
    const handle = setTimeout(fn, Math.max(0, delayMs));
    return () => clearTimeout(handle);
  },
};
