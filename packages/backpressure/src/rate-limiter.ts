// Per-client, per-operation rate limits (AD-24). Each client gets one token bucket per operation
// on first use; a refusal becomes RESOURCE_EXHAUSTED with the bucket's retry-after. The client map
// is the kind of map that grows with the outside world, so it is bounded twice: a client idle for
// `idleClientTtlMs` is forgotten, and beyond `maxClients` the longest-idle one goes first.
import type { Clock } from '@hyperscale/deterministic';
import { BACKPRESSURE_DEFAULTS } from './config.js';
import { TokenBucket, type TokenBucketConfig } from './token-bucket.js';

export type RateLimitOperation = keyof typeof BACKPRESSURE_DEFAULTS.rateLimits.operations;

export interface RateLimiterConfig {
  operations: Readonly<Record<string, TokenBucketConfig>>;
  defaultOperation: TokenBucketConfig;
  idleClientTtlMs: number;
  maxClients: number;
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly operation: string;
  /** 0 when allowed. */
  readonly retryAfterMs: number;
  readonly tokensRemaining: number;
}

interface ClientBuckets {
  lastSeenMs: number;
  buckets: Map<string, TokenBucket>;
}

export class RateLimiter {
  private readonly config: RateLimiterConfig;
  /** Least recently seen first (re-inserted on every use). */
  private readonly clients = new Map<string, ClientBuckets>();
  private readonly limitedCounts = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    config: Partial<RateLimiterConfig> = {},
  ) {
    this.config = { ...BACKPRESSURE_DEFAULTS.rateLimits, ...config };
    if (!(this.config.maxClients >= 1)) throw new RangeError('maxClients must be >= 1');
  }

  /** Checks (and on success spends) one token of `operation` for `clientId`. */
  check(clientId: string, operation: RateLimitOperation | string, tokens = 1): RateLimitDecision {
    const now = this.clock.now();
    this.expireIdle(now);
    let client = this.clients.get(clientId);
    if (client) this.clients.delete(clientId);
    else client = { lastSeenMs: now, buckets: new Map() };
    client.lastSeenMs = now;
    this.clients.set(clientId, client);
    while (this.clients.size > this.config.maxClients) {
      this.clients.delete(this.clients.keys().next().value as string);
    }

    let bucket = client.buckets.get(operation);
    if (!bucket) {
      bucket = new TokenBucket(this.config.operations[operation] ?? this.config.defaultOperation, now);
      client.buckets.set(operation, bucket);
    }
    const result = bucket.tryTake(now, tokens);
    if (result.allowed) return { allowed: true, operation, retryAfterMs: 0, tokensRemaining: result.tokensRemaining };
    this.limitedCounts.set(operation, (this.limitedCounts.get(operation) ?? 0) + 1);
    return { allowed: false, operation, retryAfterMs: result.retryAfterMs, tokensRemaining: result.tokensRemaining };
  }

  /** Clients currently remembered. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Refusals so far, per operation (for `hyperscale_<component>_rate_limited_total`). */
  limitedCount(operation: string): number {
    return this.limitedCounts.get(operation) ?? 0;
  }

  private expireIdle(now: number): void {
    for (const [clientId, client] of this.clients) {
      if (now - client.lastSeenMs < this.config.idleClientTtlMs) break; // the rest were seen later
      this.clients.delete(clientId);
    }
  }
}
