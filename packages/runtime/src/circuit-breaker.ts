// A circuit breaker per remote peer (facts §5, `ErrorStats`): errors are timestamped in a sliding
// window; the circuit OPENs when their count reaches maxErrors or their rate reaches
// maxErrorRatePerSecond; after halfOpenAfterMs it goes HALF_OPEN and lets one trial call through; a
// success closes it and clears the history, an error reopens it. Time comes from an injected Clock.
import type { Clock } from '@hyperscale/deterministic';

export type CircuitState = 'closed' | 'open' | 'half-open';

/** Gate→manager defaults from the facts §5: 3 errors / 30 s window / half-open after 10 s. */
export const CIRCUIT_BREAKER_DEFAULTS = {
  windowMs: 30_000,
  maxErrors: 3,
  maxErrorRatePerSecond: 0.5,
  halfOpenAfterMs: 10_000,
} as const;

export interface CircuitBreakerOptions {
  clock: Clock;
  windowMs?: number;
  maxErrors?: number;
  maxErrorRatePerSecond?: number;
  halfOpenAfterMs?: number;
  onStateChange?: (from: CircuitState, to: CircuitState) => void;
}

export class CircuitOpenError extends Error {
  constructor(readonly retryInMs: number) {
    super(`circuit open; next trial in ${Math.ceil(retryInMs)} ms`);
    this.name = 'CircuitOpenError';
  }
}

export class CircuitBreaker {
  private readonly clock: Clock;
  private readonly windowMs: number;
  private readonly maxErrors: number;
  private readonly maxErrorRatePerSecond: number;
  private readonly halfOpenAfterMs: number;
  private readonly onStateChange: ((from: CircuitState, to: CircuitState) => void) | undefined;
  /** Error times inside the window, oldest first; never longer than maxErrors while closed. */
  private errorTimes: number[] = [];
  private current: CircuitState = 'closed';
  private openedAt = 0;
  private trialInFlight = false;

  constructor(options: CircuitBreakerOptions) {
    this.clock = options.clock;
    this.windowMs = options.windowMs ?? CIRCUIT_BREAKER_DEFAULTS.windowMs;
    this.maxErrors = options.maxErrors ?? CIRCUIT_BREAKER_DEFAULTS.maxErrors;
    this.maxErrorRatePerSecond = options.maxErrorRatePerSecond ?? CIRCUIT_BREAKER_DEFAULTS.maxErrorRatePerSecond;
    this.halfOpenAfterMs = options.halfOpenAfterMs ?? CIRCUIT_BREAKER_DEFAULTS.halfOpenAfterMs;
    this.onStateChange = options.onStateChange;
  }

  state(): CircuitState {
    if (this.current === 'open' && this.clock.now() - this.openedAt >= this.halfOpenAfterMs) {
      this.transition('half-open');
    }
    return this.current;
  }

  /** Errors inside the window now. */
  errorCount(): number {
    this.prune();
    return this.errorTimes.length;
  }

  /** Whether a call may go out now. In HALF_OPEN only one trial call at a time is allowed. */
  allowRequest(): boolean {
    switch (this.state()) {
      case 'closed':
        return true;
      case 'open':
        return false;
      case 'half-open':
        if (this.trialInFlight) return false;
        this.trialInFlight = true;
        return true;
    }
  }

  recordSuccess(): void {
    this.trialInFlight = false;
    if (this.state() === 'half-open') {
      this.errorTimes = [];
      this.transition('closed');
    }
  }

  recordError(): void {
    this.trialInFlight = false;
    const state = this.state();
    const now = this.clock.now();
    if (state === 'half-open') {
      this.open(now);
      return;
    }
    if (state === 'open') return;
    this.errorTimes.push(now);
    this.prune();
    const count = this.errorTimes.length;
    const ratePerSecond = count / (this.windowMs / 1000);
    if (count >= this.maxErrors || ratePerSecond >= this.maxErrorRatePerSecond) this.open(now);
  }

  /** Runs fn if allowed, recording its outcome; throws CircuitOpenError without calling fn otherwise. */
  async execute<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.allowRequest()) {
      throw new CircuitOpenError(Math.max(0, this.openedAt + this.halfOpenAfterMs - this.clock.now()));
    }
    try {
      const result = await fn();
      this.recordSuccess();
      return result;
    } catch (error) {
      this.recordError();
      throw error;
    }
  }

  private open(now: number): void {
    this.openedAt = now;
    this.transition('open');
  }

  private prune(): void {
    const horizon = this.clock.now() - this.windowMs;
    let drop = 0;
    while (drop < this.errorTimes.length && (this.errorTimes[drop] ?? 0) <= horizon) drop++;
    if (drop > 0) this.errorTimes.splice(0, drop);
  }

  private transition(to: CircuitState): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.onStateChange?.(from, to);
  }
}
