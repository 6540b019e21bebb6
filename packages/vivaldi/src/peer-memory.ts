// What a node remembers about each peer it has probed: the last few raw RTT samples for the
// moving-median latency filter (serf latencyFilter, Ledlie NSDI'07) and the smoothed RTT used by
// neighbour replay. It grows with the peers a node hears from, so it is bounded: past `capacity` the least recently heard peer is forgotten (a Map iterates in
// insertion order, so re-inserting on every touch keeps it ordered by recency).

export interface PeerRecord {
  /** Ring of the last raw RTT samples, ms. */
  readonly samples: Float64Array;
  /** How many slots of `samples` hold data. */
  count: number;
  /** Next slot to overwrite. */
  next: number;
  /** Last filtered RTT, ms. */
  filteredRttMs: number;
  /** Smoothed RTT used for replay, ms, and how many samples shaped it. */
  replayRttMs: number;
  replayCount: number;
  /** The client's replay slot holding this peer's last coordinate, or −1. */
  replaySlot: number;
}

export class PeerMemory {
  private readonly records = new Map<string, PeerRecord>();
  private readonly scratch: Float64Array;

  constructor(
    private readonly filterSize: number,
    private readonly capacity: number,
  ) {
    this.scratch = new Float64Array(filterSize);
  }

  get size(): number {
    return this.records.size;
  }

  has(peerId: string): boolean {
    return this.records.has(peerId);
  }

  /** Records a raw sample for `peerId` and returns the median of its window (serf latencyFilter). */
  observe(peerId: string, rttMs: number, onEvict?: (record: PeerRecord) => void): PeerRecord {
    let record = this.records.get(peerId);
    if (record === undefined) {
      record = {
        samples: new Float64Array(this.filterSize),
        count: 0,
        next: 0,
        filteredRttMs: rttMs,
        replaySlot: -1,
        replayRttMs: 0,
        replayCount: 0,
      };
      if (this.records.size >= this.capacity) this.evictOldest(onEvict);
    } else {
      this.records.delete(peerId);
    }
    this.records.set(peerId, record);
    record.samples[record.next] = rttMs;
    record.next = (record.next + 1) % this.filterSize;
    if (record.count < this.filterSize) record.count++;
    record.filteredRttMs = this.median(record);
    return record;
  }

  /** Drops a peer's state; returns the record that was dropped, if any. */
  forget(peerId: string): PeerRecord | undefined {
    const record = this.records.get(peerId);
    this.records.delete(peerId);
    return record;
  }

  clear(): void {
    this.records.clear();
  }

  private evictOldest(onEvict?: (record: PeerRecord) => void): void {
    const oldest = this.records.entries().next();
    if (oldest.done) return;
    this.records.delete(oldest.value[0]);
    onEvict?.(oldest.value[1]);
  }

  // The window is tiny (3 by default): an insertion sort in a reused buffer allocates nothing.
  private median(record: PeerRecord): number {
    const n = record.count;
    const s = this.scratch;
    for (let i = 0; i < n; i++) {
      const v = record.samples[i] as number;
      let j = i - 1;
      while (j >= 0 && (s[j] as number) > v) {
        s[j + 1] = s[j] as number;
        j--;
      }
      s[j + 1] = v;
    }
    return s[n >> 1] as number;
  }
}
