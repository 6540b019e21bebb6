// Per-sender token bucket on the receive path (DESIGN §4: bad input never hurts the node). One
// misbehaving or hostile sender cannot make us spend unbounded work; the set of tracked senders is
// itself bounded, forgetting the least recently seen.

interface Bucket {
  tokens: number;
  lastRefillMs: number;
}

export class SenderRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly maxSenders: number,
  ) {}

  /** True when `sender` may send one more datagram at `nowMs` (and spends a token). */
  allow(sender: string, nowMs: number): boolean {
    let bucket = this.buckets.get(sender);
    if (bucket === undefined) {
      bucket = { tokens: this.burst, lastRefillMs: nowMs };
      if (this.buckets.size >= this.maxSenders) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    } else {
      this.buckets.delete(sender); // re-insert: Map order doubles as least-recently-seen order
      const elapsed = Math.max(0, nowMs - bucket.lastRefillMs);
      bucket.tokens = Math.min(this.burst, bucket.tokens + (elapsed * this.perSecond) / 1000);
      bucket.lastRefillMs = nowMs;
    }
    this.buckets.set(sender, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  trackedSenders(): number {
    return this.buckets.size;
  }
}
