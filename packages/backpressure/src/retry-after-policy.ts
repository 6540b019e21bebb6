// What a caller does with RESOURCE_EXHAUSTED (AD-24, facts §6 row 24): retry up to 3 times,
// backing off ×1.5, never sooner than the server's retry-after, and give up rather than wait past
// 60 s. The SDK and the gate's forwarding both use it; the retry-after travels in gRPC metadata
// under RETRY_AFTER_METADATA_KEY as whole milliseconds.
import { BACKPRESSURE_DEFAULTS } from './config.js';

export const RETRY_AFTER_METADATA_KEY = 'retry-after-ms';

export interface RetryAfterConfig {
  maxRetries: number;
  baseDelayMs: number;
  multiplier: number;
  maxDelayMs: number;
}

export class RateLimitRetryPolicy {
  readonly config: RetryAfterConfig;

  constructor(config: Partial<RetryAfterConfig> = {}) {
    this.config = { ...BACKPRESSURE_DEFAULTS.retryAfter, ...config };
  }

  /**
   * Delay before retry number `retriesSoFar + 1`, or undefined to give up (out of retries, or
   * the server asks for a longer wait than `maxDelayMs`).
   */
  delayBeforeRetryMs(retriesSoFar: number, retryAfterMs?: number): number | undefined {
    const c = this.config;
    if (retriesSoFar >= c.maxRetries) return undefined;
    if (retryAfterMs !== undefined && !Number.isFinite(retryAfterMs)) return undefined;
    const serverAsk = retryAfterMs === undefined ? 0 : Math.max(0, retryAfterMs);
    if (serverAsk > c.maxDelayMs) return undefined;
    const backoff = c.baseDelayMs * c.multiplier ** retriesSoFar;
    return Math.min(c.maxDelayMs, Math.max(serverAsk, backoff));
  }
}

export function formatRetryAfter(retryAfterMs: number): string {
  return String(Math.max(0, Math.ceil(retryAfterMs)));
}

/** Parses the metadata value; anything that is not a non-negative integer string gives undefined. */
export function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,10}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}
