// Acknowledged delivery for messages that must not be lost (final results): an entry stays in the
// outbox until a send of it resolves (the peer acknowledged it), and is retried on every `flush()`
// until then — the owner calls `flush()` on delivery and from a periodic loop. At most one send per
// key is in flight, so a slow peer is not flooded with copies. An entry not acknowledged within
// `ttlMs` of being added is dropped and reported (`onExpired`): the outbox is bounded in time, and
// so by the rate of new keys. No timers and no I/O of its own: the clock and the send are injected.
import type { Clock } from '@hyperscale/deterministic';

export interface AckOutboxOptions<K, V, A> {
  clock: Clock;
  /** How long an entry keeps being retried, from when it was added (or last replaced). */
  ttlMs: number;
  /** Sends one entry. Resolving is the acknowledgement; rejecting leaves it for the next flush. */
  send: (key: K, value: V) => Promise<A>;
  /** Whether an entry can be sent yet (default: always). One that cannot waits; its TTL still runs. */
  ready?: (value: V, key: K) => boolean;
  /** Told of every acknowledgement, after the entry left the outbox. */
  onAcknowledged?: (key: K, value: V, ack: A) => void;
  /** Told of every failed send; the entry stays. */
  onSendFailed?: (key: K, value: V, error: unknown) => void;
  /** Told of an entry dropped because its TTL passed unacknowledged. */
  onExpired?: (key: K, value: V) => void;
}

interface Entry<V> {
  value: V;
  since: number;
  sending: boolean;
}

export class AckOutbox<K, V, A = unknown> {
  private readonly entries = new Map<K, Entry<V>>();

  constructor(private readonly options: AckOutboxOptions<K, V, A>) {}

  /** Adds an entry unless one is pending for `key` (that one is kept). Returns whether it was added. */
  add(key: K, value: V): boolean {
    if (this.entries.has(key)) return false;
    this.entries.set(key, { value, since: this.options.clock.now(), sending: false });
    return true;
  }

  /**
   * Adds an entry, or replaces the pending value of `key` and restarts its TTL. A send of the old
   * value still in flight is not doubled: the new value goes out on the first flush after it ends,
   * and the old value's acknowledgement does not remove the new one.
   */
  replace(key: K, value: V): void {
    const entry = this.entries.get(key);
    if (!entry) {
      this.entries.set(key, { value, since: this.options.clock.now(), sending: false });
      return;
    }
    entry.value = value;
    entry.since = this.options.clock.now();
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Entries not yet acknowledged. */
  get size(): number {
    return this.entries.size;
  }

  /** Drops expired entries and sends every ready entry that has no send in flight. */
  flush(): void {
    const { clock, ttlMs, send, ready } = this.options;
    for (const [key, entry] of this.entries) {
      if (clock.now() - entry.since > ttlMs) {
        this.entries.delete(key);
        this.options.onExpired?.(key, entry.value);
        continue;
      }
      if (entry.sending || (ready && !ready(entry.value, key))) continue;
      entry.sending = true;
      const value = entry.value;
      let sent: Promise<A>;
      try {
        sent = send(key, value);
      } catch (error) {
        sent = Promise.reject(error);
      }
      sent
        .then(
          (ack) => {
            if (this.entries.get(key) === entry && entry.value === value) this.entries.delete(key);
            this.options.onAcknowledged?.(key, value, ack);
          },
          (error: unknown) => this.options.onSendFailed?.(key, value, error),
        )
        .finally(() => {
          entry.sending = false;
        });
    }
  }
}
