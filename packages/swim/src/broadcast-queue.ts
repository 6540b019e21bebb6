// The gossip queue (memberlist queue.go TransmitLimitedQueue). Each pending update about a member
// replaces any older update about the same member, rides piggybacked on outgoing datagrams until
// it has been sent `retransmitLimit` times, and the queue never grows past its bound: updates sent
// fewest times go first (alive ones ahead of the rest, so refutations win races), newest first.

export type BroadcastKind = 'alive' | 'suspect' | 'dead';

interface QueuedBroadcast {
  readonly key: string;
  readonly kind: BroadcastKind;
  readonly part: Uint8Array;
  readonly seq: number;
  transmits: number;
  readonly onDone: (() => void) | undefined;
}

export class BroadcastQueue {
  private items: QueuedBroadcast[] = [];
  private seq = 0;

  constructor(private readonly maxItems: number) {}

  /** Queues an encoded gossip part about member `key`, replacing any pending one about it. */
  enqueue(key: string, kind: BroadcastKind, part: Uint8Array, onDone?: () => void): void {
    const existing = this.items.findIndex((item) => item.key === key);
    if (existing >= 0) {
      const [old] = this.items.splice(existing, 1);
      old?.onDone?.();
    }
    this.items.push({ key, kind, part, seq: this.seq++, transmits: 0, onDone });
    if (this.items.length > this.maxItems) this.prune();
  }

  /**
   * Takes as many parts as fit `budgetBytes` (each costing its length plus `overheadPerPart`),
   * counting a transmission for each and retiring those that reached `limit`.
   */
  take(budgetBytes: number, overheadPerPart: number, limit: number): Uint8Array[] {
    if (this.items.length === 0 || budgetBytes <= 0) return [];
    this.items.sort(order);
    const out: Uint8Array[] = [];
    let used = 0;
    const retired: QueuedBroadcast[] = [];
    for (const item of this.items) {
      const cost = item.part.length + overheadPerPart;
      if (used + cost > budgetBytes) continue;
      used += cost;
      out.push(item.part);
      item.transmits++;
      if (item.transmits >= limit) retired.push(item);
    }
    if (retired.length > 0) {
      const gone = new Set(retired);
      this.items = this.items.filter((item) => !gone.has(item));
      for (const item of retired) item.onDone?.();
    }
    return out;
  }

  size(): number {
    return this.items.length;
  }

  has(key: string): boolean {
    return this.items.some((item) => item.key === key);
  }

  clear(): void {
    const old = this.items;
    this.items = [];
    for (const item of old) item.onDone?.();
  }

  /** Drops the most-sent, oldest updates beyond the bound. */
  private prune(): void {
    this.items.sort(order);
    const dropped = this.items.splice(this.maxItems);
    for (const item of dropped) item.onDone?.();
  }
}

function order(a: QueuedBroadcast, b: QueuedBroadcast): number {
  if (a.transmits !== b.transmits) return a.transmits - b.transmits;
  const aliveA = a.kind === 'alive' ? 0 : 1;
  const aliveB = b.kind === 'alive' ? 0 : 1;
  if (aliveA !== aliveB) return aliveA - aliveB;
  return b.seq - a.seq;
}
