// A token bucket (AD-24): `capacity` tokens, refilled continuously at `refillPerSecond`. Pure — the
// caller passes the time — so one bucket costs two numbers and no timer. A refusal says how long
// until enough tokens exist, which is the retry-after the server sends back.

export interface TokenBucketConfig {
  capacity: number;
  refillPerSecond: number;
}

export type TakeResult =
  | { readonly allowed: true; readonly tokensRemaining: number }
  | { readonly allowed: false; readonly tokensRemaining: number; readonly retryAfterMs: number };

export class TokenBucket {
  private tokens: number;
  private lastRefillMs: number;

  constructor(
    readonly config: TokenBucketConfig,
    nowMs: number,
  ) {
    if (!(config.capacity > 0 && Number.isFinite(config.capacity))) throw new RangeError('capacity must be > 0');
    if (!(config.refillPerSecond > 0 && Number.isFinite(config.refillPerSecond))) {
      throw new RangeError('refillPerSecond must be > 0');
    }
    this.tokens = config.capacity;
    this.lastRefillMs = nowMs;
  }

  /** Tokens available at `nowMs` (fractional). */
  available(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens;
  }

  /**
   * Takes `count` tokens if they are there. Otherwise refuses and says how long until they will
   * be (rounded up to a whole ms); asking for more than the capacity can never succeed and gets
   * an infinite retry-after.
   */
  tryTake(nowMs: number, count = 1): TakeResult {
    this.refill(nowMs);
    if (count <= this.tokens) {
      this.tokens -= count;
      return { allowed: true, tokensRemaining: Math.floor(this.tokens) };
    }
    const retryAfterMs =
      count > this.config.capacity
        ? Number.POSITIVE_INFINITY
        : Math.ceil(((count - this.tokens) / this.config.refillPerSecond) * 1000);
    return { allowed: false, tokensRemaining: Math.floor(this.tokens), retryAfterMs };
  }

  private refill(nowMs: number): void {
    const elapsed = nowMs - this.lastRefillMs;
    if (elapsed <= 0) return; // a clock that did not move (or a stale reading) adds nothing
    this.tokens = Math.min(this.config.capacity, this.tokens + (elapsed / 1000) * this.config.refillPerSecond);
    this.lastRefillMs = nowMs;
  }
}
