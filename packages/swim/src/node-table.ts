// The one owner of what we know about other members (AD-46: a single table). Bounded: beyond
// `maxMembers` the oldest dead/left entries are evicted, and peers removed while unconfirmed leave a
// tombstone (bounded, expiring) so stale gossip cannot bring the same incarnation straight back.
import type { SuspicionTimer } from './suspicion.js';
import type { MemberMeta, MemberState, MemberView, Role } from './types.js';

export interface MemberRecord {
  readonly id: string;
  addr: string;
  role: Role;
  meta: MemberMeta;
  state: MemberState;
  incarnation: number;
  stateChangedAtMs: number;
  /** When this peer entered the table as unconfirmed (AD-35 timeouts count from here). */
  learnedAtMs: number;
  confirmationPings: number;
  lastConfirmationPingMs: number;
  /** Whether we ever had direct evidence of it. */
  everConfirmed: boolean;
  suspicion: SuspicionTimer | undefined;
}

export class NodeTable {
  private readonly members = new Map<string, MemberRecord>();
  private readonly tombstones = new Map<string, { incarnation: number; expiresAtMs: number }>();
  private probeOrder: string[] = [];
  private probeIndex = 0;

  constructor(
    private readonly maxMembers: number,
    private readonly maxTombstones: number,
  ) {}

  get(id: string): MemberRecord | undefined {
    return this.members.get(id);
  }

  size(): number {
    return this.members.size;
  }

  all(): IterableIterator<MemberRecord> {
    return this.members.values();
  }

  /** Adds a record; false when the table is full of live members (the caller counts the drop). */
  add(record: MemberRecord): boolean {
    if (this.members.size >= this.maxMembers && !this.evictOldestDead()) return false;
    this.members.set(record.id, record);
    this.tombstones.delete(record.id);
    return true;
  }

  remove(id: string): MemberRecord | undefined {
    const record = this.members.get(id);
    if (record === undefined) return undefined;
    record.suspicion?.cancel();
    record.suspicion = undefined;
    this.members.delete(id);
    return record;
  }

  /** Remembers that `id` at `incarnation` was removed unconfirmed, until `expiresAtMs`. */
  tombstone(id: string, incarnation: number, expiresAtMs: number): void {
    if (this.tombstones.size >= this.maxTombstones) {
      const oldest = this.tombstones.keys().next().value;
      if (oldest !== undefined) this.tombstones.delete(oldest);
    }
    this.tombstones.delete(id);
    this.tombstones.set(id, { incarnation, expiresAtMs });
  }

  isTombstoned(id: string, incarnation: number, nowMs: number): boolean {
    const stone = this.tombstones.get(id);
    if (stone === undefined) return false;
    if (stone.expiresAtMs <= nowMs) {
      this.tombstones.delete(id);
      return false;
    }
    return incarnation <= stone.incarnation;
  }

  expireTombstones(nowMs: number): void {
    for (const [id, stone] of this.tombstones) if (stone.expiresAtMs <= nowMs) this.tombstones.delete(id);
  }

  tombstoneCount(): number {
    return this.tombstones.size;
  }

  /**
   * The next member to probe: shuffled round robin over alive and suspect members (SWIM §4.3).
   * `shuffle` reorders the list in place at the start of each round.
   */
  nextProbeTarget(shuffle: (ids: string[]) => void): MemberRecord | undefined {
    for (let attempts = 0; attempts < 2; attempts++) {
      while (this.probeIndex < this.probeOrder.length) {
        const id = this.probeOrder[this.probeIndex++]!;
        const record = this.members.get(id);
        if (record !== undefined && (record.state === 'alive' || record.state === 'suspect')) return record;
      }
      this.probeOrder = [];
      for (const record of this.members.values()) {
        if (record.state === 'alive' || record.state === 'suspect') this.probeOrder.push(record.id);
      }
      shuffle(this.probeOrder);
      this.probeIndex = 0;
      if (this.probeOrder.length === 0) return undefined;
    }
    return undefined;
  }

  /** Makes `id` the next probe target (a suspect we heard about from someone else). */
  probeNext(id: string): void {
    if (this.probeOrder[this.probeIndex] === id) return;
    this.probeOrder.splice(this.probeIndex, 0, id);
  }

  /** Drops the dead/left member that changed state longest ago; false when there is none. */
  private evictOldestDead(): boolean {
    let oldest: MemberRecord | undefined;
    for (const record of this.members.values()) {
      if (record.state !== 'dead' && record.state !== 'left') continue;
      if (oldest === undefined || record.stateChangedAtMs < oldest.stateChangedAtMs) oldest = record;
    }
    if (oldest === undefined) return false;
    this.members.delete(oldest.id);
    return true;
  }
}

export function viewOf(record: MemberRecord): MemberView {
  return Object.freeze({
    id: record.id,
    addr: record.addr,
    role: record.role,
    state: record.state,
    incarnation: record.incarnation,
    meta: record.meta,
    stateChangedAtMs: record.stateChangedAtMs,
  });
}
