// Retries with exponential backoff and jitter (AD-21, facts §6 row 21): 3 attempts, base 0.5 s,
// cap 30 s, FULL / EQUAL / DECORRELATED jitter. Jitter spreads the retries of many callers that
// failed together, so a recovering peer is not hit by a synchronized wave.
import { type Random, systemRandom } from '@hyperscale/deterministic';
import { sleep as realSleep } from './sleep.js';

export type Jitter = 'full' | 'equal' | 'decorrelated';

/** AD-21 defaults. */
export const RETRY_DEFAULTS = { attempts: 3, baseMs: 500, capMs: 30_000, jitter: 'full' as Jitter } as const;

export interface BackoffInput {
  jitter: Jitter;
  /** 0 for the delay before the first retry. */
  attempt: number;
  /** The previous delay (decorrelated jitter); the base when there was none. */
  previousMs: number;
  baseMs: number;
  capMs: number;
  random: Random;
}

/**
 * FULL `U(0, min(cap, base·2^a))`; EQUAL `t/2 + U(0, t/2)` with t = min(cap, base·2^a);
 * DECORRELATED `min(cap, U(base, 3·prev))`.
 */
export function backoffDelayMs(input: BackoffInput): number {
  const { baseMs, capMs, random } = input;
  const exponential = Math.min(capMs, baseMs * 2 ** input.attempt);
  switch (input.jitter) {
    case 'full':
      return random.next() * exponential;
    case 'equal':
      return exponential / 2 + random.next() * (exponential / 2);
    case 'decorrelated': {
      const upper = 3 * Math.max(baseMs, input.previousMs);
      return Math.min(capMs, baseMs + random.next() * (upper - baseMs));
    }
  }
}

export interface RetryOptions {
  attempts?: number;
  baseMs?: number;
  capMs?: number;
  jitter?: Jitter;
  random?: Random;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** false stops retrying and rethrows at once; defaults to retrying every error. */
  isRetryable?: (error: unknown) => boolean;
  /** A server's back-off hint (e.g. retry-after-ms); the delay is at least this, still capped. */
  retryAfterMs?: (error: unknown) => number | undefined;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
}

/** Calls fn(attempt) until it succeeds, an error is not retryable, the signal aborts, or attempts run out. */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? RETRY_DEFAULTS.attempts);
  const baseMs = options.baseMs ?? RETRY_DEFAULTS.baseMs;
  const capMs = options.capMs ?? RETRY_DEFAULTS.capMs;
  const jitter = options.jitter ?? RETRY_DEFAULTS.jitter;
  const random = options.random ?? systemRandom;
  const sleep = options.sleep ?? realSleep;
  let previousMs = baseMs;
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      const last = attempt + 1 >= attempts;
      if (last || options.isRetryable?.(error) === false || options.signal?.aborted) throw error;
      let delayMs = backoffDelayMs({ jitter, attempt, previousMs, baseMs, capMs, random });
      const hint = options.retryAfterMs?.(error);
      if (hint !== undefined && hint > delayMs) delayMs = Math.min(capMs, hint);
      previousMs = delayMs;
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}
