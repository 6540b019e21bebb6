// The SWIM + Lifeguard state machine (memberlist state.go + net.go, as one deterministic object).
// It is driven from outside: `handlePacket` / `handleStream` for input, injected `Timers` for time,
// and it talks through a PacketTransport (datagrams) and a StreamTransport (push/pull of full
// state). Nothing in here touches a socket or a real timer, so thousands of scenarios run on a
// simulated network under a virtual clock.
import { type Random, randomInt, shuffle } from '@hyperscale/deterministic';
import {
  adaptiveProbeTimeoutMs,
  confidenceMultiplier,
  latencyMultiplier,
  unconfirmedTimeoutMs,
} from './adaptive-timeout.js';
import { Awareness } from './awareness.js';
import { type BroadcastKind, BroadcastQueue } from './broadcast-queue.js';
import {
  assembleMessage,
  type CodecLimits,
  type DecodedMessage,
  decodeMessage,
  encodePart,
  messageHeaderBytes,
  type Part,
  type StateEntryState,
} from './codec.js';
import {
  DEFAULT_LIMITS,
  type ProfileName,
  ROLE_CONFIRMATION,
  type RoleConfirmationPolicy,
  resolveProfile,
  type SwimLimits,
  type SwimProfile,
} from './config.js';
import { type CoordinateSystem, NO_COORDINATES } from './coordinates.js';
import { Envelope, type PacketSealer } from './envelope.js';
import { pushPullScaleMs, retransmitLimit, suspicionTimeoutMs } from './formulas.js';
import { type MemberRecord, NodeTable, viewOf } from './node-table.js';
import { SenderRateLimiter } from './rate-limiter.js';
import { emptyStats, type SwimStats } from './stats.js';
import { SuspicionTimer } from './suspicion.js';
import type { MemberEventName, MemberListener, MemberMeta, MemberView, Role, Timers } from './types.js';

/** Sends one datagram. Fire and forget: loss is part of the model. */
export interface PacketTransport {
  send(toAddr: string, bytes: Uint8Array): void;
}

/** One request/reply over a reliable stream (TCP in the shell); `done(undefined)` on any failure. */
export interface StreamTransport {
  exchange(toAddr: string, request: Uint8Array, timeoutMs: number, done: (reply: Uint8Array | undefined) => void): void;
}

export interface SwimMembershipOptions {
  id: string;
  role: Role;
  /** Our UDP address as peers reach it, `host:port`. */
  addr: string;
  meta?: MemberMeta;
  profile?: ProfileName | SwimProfile;
  limits?: Partial<SwimLimits>;
  roleConfirmation?: Partial<Record<Role, RoleConfirmationPolicy>>;
  timers: Timers;
  random: Random;
  packets: PacketTransport;
  stream: StreamTransport;
  sealer?: PacketSealer;
  /** Cluster label; datagrams carrying another label are dropped. */
  label?: string;
  coordinates?: CoordinateSystem;
  /** Every RTT measured on a direct probe (the sample the coordinates learn from), e.g. for routing (AD-45). */
  onRttSample?: (peerId: string, rttMs: number) => void;
}

interface PendingProbe {
  kind: 'probe';
  targetId: string;
  sentAtMs: number;
  acked: boolean;
  nacks: number;
  expectedNacks: number;
  /** Ends the probe (success or suspicion); runs once, at the round end or when every helper nacked. */
  conclude: () => void;
}

interface PendingRelay {
  kind: 'relay';
  requesterAddr: string;
  requesterSeq: number;
  targetId: string;
}

interface PendingConfirmation {
  kind: 'confirm';
  targetId: string;
  sentAtMs: number;
}

type PendingAck = PendingProbe | PendingRelay | PendingConfirmation;

const MAX_SEQ = 0xffffffff;
const MAX_INCARNATION = 0xffffffff;

export class SwimMembership {
  readonly id: string;
  readonly role: Role;
  readonly addr: string;
  readonly profile: SwimProfile;
  readonly limits: SwimLimits;
  private meta: MemberMeta;
  private incarnation = 0;
  private readonly timers: Timers;
  private readonly random: Random;
  private readonly packets: PacketTransport;
  private readonly stream: StreamTransport;
  private readonly envelope: Envelope;
  private readonly coordinates: CoordinateSystem;
  private readonly onRttSample: ((peerId: string, rttMs: number) => void) | undefined;
  private readonly confirmationPolicy: Readonly<Record<Role, RoleConfirmationPolicy>>;
  private readonly codecLimits: CodecLimits;
  private readonly table: NodeTable;
  private readonly broadcasts: BroadcastQueue;
  private readonly awareness: Awareness;
  private readonly rateLimiter: SenderRateLimiter;
  private readonly pending = new Map<number, PendingAck>();
  private readonly introductions = new Set<string>();
  private readonly listeners = new Map<MemberEventName, Set<MemberListener>>();
  private readonly cancels = new Set<() => void>();
  private readonly counters: SwimStats = emptyStats();
  private seq = 0;
  private running = false;
  private leaving = false;
  private joinAttempt = 0;

  constructor(options: SwimMembershipOptions) {
    this.id = options.id;
    this.role = options.role;
    this.addr = options.addr;
    this.meta = Object.freeze({ ...(options.meta ?? {}) });
    this.profile = resolveProfile(options.profile);
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.timers = options.timers;
    this.random = options.random;
    this.packets = options.packets;
    this.stream = options.stream;
    this.envelope = new Envelope(options.label ?? '', options.sealer);
    this.coordinates = options.coordinates ?? NO_COORDINATES;
    this.onRttSample = options.onRttSample;
    this.confirmationPolicy = { ...ROLE_CONFIRMATION, ...options.roleConfirmation };
    this.codecLimits = { maxIdBytes: this.limits.maxIdBytes, maxMetaBytes: this.limits.maxMetaBytes };
    this.table = new NodeTable(this.limits.maxMembers, this.limits.maxMembers);
    this.broadcasts = new BroadcastQueue(this.limits.maxBroadcasts);
    this.awareness = new Awareness(this.profile.awarenessMaxMultiplier);
    this.rateLimiter = new SenderRateLimiter(
      this.limits.rateLimitBurst,
      this.limits.rateLimitPerSecond,
      this.limits.rateLimitSenders,
    );
    // Validate our own identity once, so a bad id or meta fails at start-up, not on the wire.
    encodePart(this.selfAlivePart(), this.codecLimits);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts the loops and joins through `seeds` (host:port). `onJoin` reports the first outcome. */
  start(seeds: readonly string[] = [], onJoin?: (joined: number) => void): void {
    if (this.running) return;
    this.running = true;
    this.leaving = false;
    const p = this.profile;
    this.every(p.probeIntervalMs, () => this.probeRound(), true);
    this.loop(p.gossipIntervalMs, () => this.gossipRound());
    this.loop(p.confirmationSweepMs, () => this.sweep());
    this.schedulePushPull();
    this.broadcastSelf();
    const others = seeds.filter((seed) => seed !== this.addr);
    if (others.length > 0) this.join(others, onJoin);
    else onJoin?.(0);
  }

  /** Pushes and pulls full state with each seed; retries with backoff while nobody answered. */
  join(seeds: readonly string[], onJoin?: (joined: number) => void): void {
    let outstanding = seeds.length;
    let joined = 0;
    for (const seed of seeds) {
      this.pushPull(seed, true, (ok) => {
        if (ok) joined++;
        if (--outstanding > 0) return;
        if (joined === 0 && this.running && !this.leaving) {
          const backoff = Math.min(30_000, this.profile.probeIntervalMs * 2 ** Math.min(this.joinAttempt++, 5));
          this.after(backoff, () => {
            if (this.knownPeers() === 0) this.join(seeds);
          });
        } else {
          this.joinAttempt = 0;
        }
        onJoin?.(joined);
      });
    }
  }

  /**
   * Graceful leave: gossips that we left, gives the broadcast time to spread, then stops.
   * `done` runs once the update went out `retransmitLimit` times or after a bounded wait.
   */
  leave(done?: () => void): void {
    if (!this.running || this.leaving) {
      done?.();
      return;
    }
    this.leaving = true;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      this.stop();
      done?.();
    };
    const part = encodePart(
      { type: 'dead', id: this.id, incarnation: this.incarnation, from: this.id },
      this.codecLimits,
    );
    this.broadcasts.enqueue(this.id, 'dead', part, finish);
    this.gossipRound();
    this.after(Math.max(1000, 10 * this.profile.gossipIntervalMs), finish);
  }

  /** Stops every loop and timer without telling anyone (a crash, from the others' view). */
  stop(): void {
    this.running = false;
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
    for (const record of this.table.all()) {
      record.suspicion?.cancel();
      record.suspicion = undefined;
    }
    this.pending.clear();
  }

  isRunning(): boolean {
    return this.running;
  }

  // ---------------------------------------------------------------- queries

  members(): MemberView[] {
    return [...this.table.all()].map(viewOf);
  }

  member(id: string): MemberView | undefined {
    const record = this.table.get(id);
    return record === undefined ? undefined : viewOf(record);
  }

  self(): MemberView {
    return Object.freeze({
      id: this.id,
      addr: this.addr,
      role: this.role,
      state: this.leaving ? 'left' : 'alive',
      incarnation: this.incarnation,
      meta: this.meta,
      stateChangedAtMs: 0,
    });
  }

  localHealthScore(): number {
    return this.awareness.getHealthScore();
  }

  stats(): SwimStats {
    return { ...this.counters, confirmationPingsByRole: { ...this.counters.confirmationPingsByRole } };
  }

  pendingBroadcasts(): number {
    return this.broadcasts.size();
  }

  rttUcbMs(peerId: string): number | undefined {
    return this.coordinates.rttUcbMs(peerId);
  }

  estimateRttMs(fromId: string, toId: string): number | undefined {
    return this.coordinates.estimateRttMs(fromId, toId);
  }

  /** Quality in [0, 1] of the RTT estimate to a peer (AD-35); 0 when its coordinate is unknown. */
  coordinateQuality(peerId: string): number | undefined {
    return this.coordinates.quality(peerId, this.timers.now());
  }

  localCoordinate(): unknown {
    return this.coordinates.localCoordinate();
  }

  coordinateError(): number | undefined {
    return this.coordinates.localError();
  }

  /**
   * A peer we were told about out of band (registration, discovery, configuration) but never heard
   * from: it enters as UNCONFIRMED and follows its role's confirmation policy (AD-29, AD-35).
   */
  addUnconfirmed(peer: { id: string; addr: string; role: Role; meta?: MemberMeta }): void {
    if (peer.id === this.id || this.table.get(peer.id) !== undefined) return;
    const record = this.addUnconfirmedRecord({
      ...peer,
      meta: Object.freeze({ ...(peer.meta ?? {}) }),
      incarnation: 0,
    });
    if (record && this.introductions.size < this.limits.maxMembers) this.introductions.add(peer.id);
  }

  /** A new UNCONFIRMED member in the table; undefined (and counted) when the table is full. */
  private addUnconfirmedRecord(peer: {
    id: string;
    addr: string;
    role: Role;
    meta: MemberMeta;
    incarnation: number;
  }): MemberRecord | undefined {
    const now = this.timers.now();
    const record: MemberRecord = {
      id: peer.id,
      addr: peer.addr,
      role: peer.role,
      meta: peer.meta,
      state: 'unconfirmed',
      incarnation: peer.incarnation,
      stateChangedAtMs: now,
      learnedAtMs: now,
      confirmationPings: 0,
      lastConfirmationPingMs: Number.NEGATIVE_INFINITY,
      everConfirmed: false,
      suspicion: undefined,
    };
    if (!this.table.add(record)) {
      this.counters.tableFullDrops++;
      return undefined;
    }
    return record;
  }

  /** Replaces our meta and gossips it with a bumped incarnation. */
  updateMeta(meta: MemberMeta): void {
    this.meta = Object.freeze({ ...meta });
    encodePart(this.selfAlivePart(), this.codecLimits);
    this.incarnation = Math.min(MAX_INCARNATION, this.incarnation + 1);
    this.broadcastSelf();
  }

  on(event: MemberEventName, listener: MemberListener): void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
  }

  off(event: MemberEventName, listener: MemberListener): void {
    this.listeners.get(event)?.delete(listener);
  }

  /** The invariants this node should hold; an empty list means none is violated. */
  validateState(): string[] {
    const problems: string[] = [];
    if (this.table.get(this.id) !== undefined) problems.push('self is in the member table');
    if (this.table.size() > this.limits.maxMembers) problems.push('member table exceeds maxMembers');
    if (this.broadcasts.size() > this.limits.maxBroadcasts) problems.push('broadcast queue exceeds maxBroadcasts');
    if (this.pending.size > this.limits.maxPendingAcks) problems.push('pending acks exceed maxPendingAcks');
    if (this.introductions.size > this.limits.maxMembers) problems.push('introductions exceed maxMembers');
    const score = this.awareness.getHealthScore();
    if (score < 0 || score >= this.profile.awarenessMaxMultiplier) problems.push(`health score ${score} out of range`);
    for (const m of this.table.all()) {
      if (!Number.isInteger(m.incarnation) || m.incarnation < 0) problems.push(`${m.id}: bad incarnation`);
      if (m.state === 'unconfirmed' && m.suspicion !== undefined) problems.push(`${m.id}: unconfirmed but suspected`);
      if (m.state === 'unconfirmed' && m.everConfirmed) problems.push(`${m.id}: unconfirmed after confirmation`);
      if (m.state !== 'suspect' && m.suspicion !== undefined)
        problems.push(`${m.id}: ${m.state} with a suspicion timer`);
      if (this.running && m.state === 'suspect' && m.suspicion === undefined)
        problems.push(`${m.id}: suspect without a suspicion timer`);
      if ((m.state === 'dead' || m.state === 'left') && !m.everConfirmed)
        problems.push(`${m.id}: ${m.state} but never confirmed`);
    }
    return problems;
  }

  // ---------------------------------------------------------------- input

  /** A datagram arrived from `fromAddr`. Bad input is counted and dropped; this never throws. */
  handlePacket(fromAddr: string, bytes: Uint8Array): void {
    const c = this.counters;
    c.datagramsIn++;
    c.bytesIn += bytes.length;
    if (!this.running) return;
    if (bytes.length > this.limits.maxDatagramBytes) {
      c.oversized++;
      return;
    }
    if (!this.rateLimiter.allow(fromAddr, this.timers.now())) {
      c.rateLimited++;
      return;
    }
    const message = this.open(bytes);
    if (message === undefined) return;
    try {
      this.handleMessage(fromAddr, message);
    } catch {
      c.handlerErrors++;
    }
  }

  /** A push/pull request arrived over the stream transport; returns our reply (or undefined). */
  handleStream(fromAddr: string, bytes: Uint8Array): Uint8Array | undefined {
    const c = this.counters;
    c.streamBytesIn += bytes.length;
    if (!this.running || bytes.length > this.limits.maxStreamBytes) return undefined;
    const message = this.open(bytes);
    if (message === undefined) return undefined;
    const header = message.parts[0];
    if (header?.type !== 'stream-header' || header.kind !== 'push') {
      c.decodeFailures++;
      return undefined;
    }
    try {
      c.streamExchanges++;
      this.mergeState(message);
      void fromAddr;
      const reply = this.envelope.wrap(this.encodeState('reply', false));
      c.streamBytesOut += reply.length;
      return reply;
    } catch {
      c.handlerErrors++;
      return undefined;
    }
  }

  private open(bytes: Uint8Array): DecodedMessage | undefined {
    const c = this.counters;
    const opened = this.envelope.unwrap(bytes);
    if (!opened.ok) {
      switch (opened.error) {
        case 'bad-magic':
          c.badMagic++;
          break;
        case 'version':
          c.versionMismatches++;
          break;
        case 'label':
          c.labelMismatches++;
          break;
        case 'decrypt':
          c.decryptFailures++;
          break;
        case 'unencrypted':
          c.unencryptedRefused++;
          break;
        case 'truncated':
          c.decodeFailures++;
          break;
      }
      return undefined;
    }
    try {
      const message = decodeMessage(opened.body, this.codecLimits);
      c.unknownParts += message.unknownParts;
      if (message.senderId === this.id) {
        // Our own id from someone else: a loop or a clash; never act on it.
        c.decodeFailures++;
        return undefined;
      }
      return message;
    } catch {
      c.decodeFailures++;
      return undefined;
    }
  }

  private handleMessage(fromAddr: string, message: DecodedMessage): void {
    const sender = message.senderId;
    // The sender's own alive first: it introduces an unknown sender with direct evidence.
    for (const part of message.parts) {
      if (part.type === 'alive' && part.id === sender) this.aliveNode(part, true);
    }
    this.heardFrom(sender);
    for (const part of message.parts) {
      switch (part.type) {
        case 'ping':
          if (part.coordinate.length > 0) this.coordinates.remember(sender, part.coordinate, this.timers.now());
          this.onPing(fromAddr, part);
          break;
        case 'ack':
          this.onAck(sender, part);
          break;
        case 'nack':
          this.onNack(part.seq);
          break;
        case 'ping-req':
          this.onPingReq(fromAddr, part);
          break;
        case 'alive':
          if (part.id !== sender) this.aliveNode(part, false);
          break;
        case 'suspect':
          this.suspectNode(part.id, part.incarnation, part.from);
          break;
        case 'dead':
          this.deadNode(part.id, part.incarnation, part.from);
          break;
        default:
          // state and stream-header parts belong to the stream transport.
          break;
      }
    }
  }

  private onPing(fromAddr: string, ping: Extract<Part, { type: 'ping' }>): void {
    if (ping.targetId !== this.id) return; // meant for a node that used to live at this address
    this.sendParts(fromAddr, [
      encodePart(
        { type: 'ack', seq: ping.seq, relayed: false, coordinate: this.coordinates.localBytes() },
        this.codecLimits,
      ),
    ]);
  }

  private onAck(sender: string, ack: Extract<Part, { type: 'ack' }>): void {
    const pending = this.pending.get(ack.seq);
    if (pending === undefined) return;
    const now = this.timers.now();
    switch (pending.kind) {
      case 'probe':
        if (!ack.relayed && sender !== pending.targetId) return;
        pending.acked = true;
        if (!ack.relayed) {
          const rtt = now - pending.sentAtMs;
          this.counters.lastProbeRttMs = rtt;
          // RTT only from direct probes: a relayed ack's timing includes the helper (AD-35).
          this.observeRtt(sender, ack.coordinate, rtt, now);
        }
        break;
      case 'relay':
        if (sender !== pending.targetId) return;
        this.pending.delete(ack.seq);
        this.sendParts(pending.requesterAddr, [
          encodePart(
            { type: 'ack', seq: pending.requesterSeq, relayed: true, coordinate: new Uint8Array(0) },
            this.codecLimits,
          ),
        ]);
        break;
      case 'confirm':
        if (sender !== pending.targetId) return;
        this.pending.delete(ack.seq);
        this.observeRtt(sender, ack.coordinate, now - pending.sentAtMs, now);
        break;
    }
  }

  /** A direct round trip to `peerId`, with the coordinate its ack carried. */
  private observeRtt(peerId: string, coordinate: Uint8Array, rttMs: number, nowMs: number): void {
    if (coordinate.length === 0) return;
    this.coordinates.observe(peerId, coordinate, rttMs, nowMs);
    this.onRttSample?.(peerId, rttMs);
  }

  private onNack(seq: number): void {
    const pending = this.pending.get(seq);
    if (pending?.kind !== 'probe') return;
    pending.nacks++;
    this.counters.nacksReceived++;
    // Every helper tried and failed: waiting out the round only waits for a late direct ack.
    if (!pending.acked && pending.expectedNacks > 0 && pending.nacks >= pending.expectedNacks) pending.conclude();
  }

  private onPingReq(fromAddr: string, req: Extract<Part, { type: 'ping-req' }>): void {
    if (this.pending.size >= this.limits.maxPendingAcks) return;
    const seq = this.nextSeq();
    this.pending.set(seq, { kind: 'relay', requesterAddr: fromAddr, requesterSeq: req.seq, targetId: req.targetId });
    this.sendParts(req.targetAddr, [
      encodePart(
        { type: 'ping', seq, targetId: req.targetId, coordinate: this.coordinates.localBytes() },
        this.codecLimits,
      ),
    ]);
    // The requester says how long it can wait; never longer than our own bound.
    const wait = Math.min(Math.max(1, req.timeoutMs), this.profile.maxProbeTimeoutMs * 2);
    this.after(wait, () => {
      const still = this.pending.get(seq);
      if (still === undefined) return;
      this.pending.delete(seq);
      // Nack: tells the requester we are alive and could not reach the target (Lifeguard).
      this.counters.nacksSent++;
      this.sendParts(fromAddr, [encodePart({ type: 'nack', seq: req.seq }, this.codecLimits)]);
    });
  }

  // ---------------------------------------------------------------- membership rules

  /** Direct evidence of `id`: an unconfirmed peer becomes alive (AD-29). */
  private heardFrom(id: string): void {
    const record = this.table.get(id);
    if (record === undefined || record.state !== 'unconfirmed') return;
    this.confirm(record);
  }

  private confirm(record: MemberRecord): void {
    record.state = 'alive';
    record.everConfirmed = true;
    record.stateChangedAtMs = this.timers.now();
    // Tell it about us too, so confirmation is mutual without waiting for its probe rotation.
    if (this.introductions.size < this.limits.maxMembers) this.introductions.add(record.id);
    // And tell the pool about it: a peer introduced out of band (registration) is otherwise known
    // to us alone, so nobody else probes it and its suspicion never gets independent confirmations.
    this.gossipAlive(record);
    this.counters.confirmations++;
    this.emit('member-join', record);
  }

  private aliveNode(alive: Extract<Part, { type: 'alive' }>, direct: boolean): void {
    const now = this.timers.now();
    if (alive.id === this.id) {
      const differs = alive.addr !== this.addr || alive.role !== this.role || !sameMeta(alive.meta, this.meta);
      if (alive.incarnation > this.incarnation || (alive.incarnation === this.incarnation && differs)) {
        this.refute(alive.incarnation);
      }
      return;
    }
    let record = this.table.get(alive.id);
    if (record === undefined) {
      if (!direct && this.table.isTombstoned(alive.id, alive.incarnation, now)) return;
      record = this.addUnconfirmedRecord(alive);
      if (record === undefined) return;
      if (direct) this.confirm(record);
      else if (this.introductions.size < this.limits.maxMembers) this.introductions.add(record.id);
      this.queueBroadcast(alive.id, 'alive', alive);
      return;
    }
    if (alive.incarnation <= record.incarnation) {
      if (direct && record.state === 'unconfirmed') {
        // Whoever introduced the peer (a registration answer) knew its id and address only; the
        // peer speaking for itself at the same incarnation is the authority on its address, role
        // and meta.
        if (alive.incarnation === record.incarnation) {
          record.addr = alive.addr;
          record.role = alive.role;
          record.meta = alive.meta;
        }
        this.confirm(record);
      }
      return;
    }
    const previous = record.state;
    const changed = record.addr !== alive.addr || record.role !== alive.role || !sameMeta(record.meta, alive.meta);
    record.suspicion?.cancel();
    record.suspicion = undefined;
    record.incarnation = alive.incarnation;
    record.addr = alive.addr;
    record.role = alive.role;
    record.meta = alive.meta;
    this.queueBroadcast(alive.id, 'alive', alive);
    if (previous === 'unconfirmed') {
      if (direct) this.confirm(record);
      return;
    }
    if (previous === 'alive') {
      if (changed) this.emit('member-update', record);
      return;
    }
    // suspect, dead or left → alive: a refutation or a rejoin of a member we knew.
    const rejoined = previous === 'dead' || previous === 'left';
    record.state = 'alive';
    record.stateChangedAtMs = now;
    // A rejoined process starts with everyone unconfirmed: tell it about us right away.
    if (rejoined && this.introductions.size < this.limits.maxMembers) this.introductions.add(record.id);
    this.emit('member-alive', record);
    if (changed) this.emit('member-update', record);
  }

  private suspectNode(id: string, incarnation: number, from: string): void {
    if (id === this.id) {
      if (incarnation >= this.incarnation && !this.leaving) this.refute(incarnation);
      return;
    }
    const record = this.table.get(id);
    if (record === undefined) return;
    if (incarnation < record.incarnation) {
      this.correctStaleAccusation(record);
      return;
    }
    if (record.state === 'unconfirmed') return; // AD-29: never suspect what we never heard from
    if (record.state === 'dead' || record.state === 'left') return;
    if (record.state === 'suspect') {
      if (record.suspicion?.confirm(from)) {
        this.counters.suspicionConfirmations++;
        this.queueBroadcast(id, 'suspect', { type: 'suspect', id, incarnation, from });
      }
      return;
    }
    const n = this.clusterSize();
    let k = this.profile.suspicionMult - 2;
    if (n - 2 < k) k = 0;
    const min = suspicionTimeoutMs(this.profile.suspicionMult, n, this.profile.probeIntervalMs);
    const max = this.profile.suspicionMaxTimeoutMult * min;
    record.incarnation = incarnation;
    record.state = 'suspect';
    record.stateChangedAtMs = this.timers.now();
    record.suspicion = new SuspicionTimer(
      this.timers,
      from,
      k,
      min,
      max,
      this.limits.maxSuspicionConfirmers,
      (confirmations) => {
        const current = this.table.get(id);
        if (current !== record || current.state !== 'suspect' || current.incarnation !== incarnation) return;
        if (k > 0 && confirmations < k) this.counters.degradedTimeouts++;
        current.suspicion = undefined;
        this.deadNode(id, incarnation, this.id);
      },
    );
    this.counters.suspicionsStarted++;
    // Someone else's suspicion: probe the suspect next, so our independent confirmation (or its
    // refutation, through the buddy system) comes within one round instead of one rotation.
    if (from !== this.id) this.table.probeNext(id);
    this.queueBroadcast(id, 'suspect', { type: 'suspect', id, incarnation, from });
    this.emit('member-suspect', record);
  }

  private deadNode(id: string, incarnation: number, from: string): void {
    if (id === this.id) {
      if (from !== this.id && !this.leaving && this.running) this.refute(incarnation);
      return;
    }
    const record = this.table.get(id);
    if (record === undefined) return;
    if (incarnation < record.incarnation) {
      this.correctStaleAccusation(record);
      return;
    }
    if (record.state === 'dead' || record.state === 'left') return;
    const left = from === id;
    if (record.state === 'unconfirmed') {
      // A peer we never confirmed is removed, never declared dead (AD-29/35).
      this.removeUnconfirmed(record);
      return;
    }
    record.suspicion?.cancel();
    record.suspicion = undefined;
    record.incarnation = incarnation;
    record.state = left ? 'left' : 'dead';
    record.stateChangedAtMs = this.timers.now();
    if (!left) this.counters.deathsDeclared++;
    this.queueBroadcast(id, 'dead', { type: 'dead', id, incarnation, from });
    this.emit(left ? 'member-leave' : 'member-dead', record);
  }

  /**
   * Someone accuses a member at an incarnation older than the one it refuted with. Its refutation
   * did not reach everyone (gossip is bounded), and accusers at the old incarnation are ignored by
   * the rest, which slows a real detection. Re-gossip the newer alive so the cluster agrees on one
   * incarnation again (memberlist leaves this to the next push/pull).
   */
  private correctStaleAccusation(record: MemberRecord): void {
    if (record.state !== 'alive' && record.state !== 'suspect') return;
    if (record.state === 'suspect' || this.broadcasts.has(record.id)) return;
    this.gossipAlive(record);
  }

  /** Queues an `alive` for a member as we hold it (incarnation, address, role, meta). */
  private gossipAlive(record: MemberRecord): void {
    this.queueBroadcast(record.id, 'alive', {
      type: 'alive',
      id: record.id,
      incarnation: record.incarnation,
      addr: record.addr,
      role: record.role,
      meta: record.meta,
    });
  }

  private refute(accused: number): void {
    this.incarnation = Math.min(MAX_INCARNATION, Math.max(this.incarnation, accused) + 1);
    this.awareness.applyDelta(1);
    this.counters.refutations++;
    this.broadcastSelf();
  }

  private removeUnconfirmed(record: MemberRecord): void {
    this.table.remove(record.id);
    this.introductions.delete(record.id);
    this.coordinates.forget(record.id);
    this.table.tombstone(record.id, record.incarnation, this.timers.now() + this.profile.deadRetentionMs);
    this.counters.unconfirmedRemoved++;
    record.stateChangedAtMs = this.timers.now();
    this.emit('member-removed', record);
  }

  // ---------------------------------------------------------------- failure detection

  private probeRound(): number {
    if (!this.running || this.leaving) return this.profile.probeIntervalMs;
    const interval = this.awareness.scaleTimeout(this.profile.probeIntervalMs);
    const target = this.table.nextProbeTarget((ids) => shuffle(this.random, ids));
    if (target === undefined || this.pending.size >= this.limits.maxPendingAcks) return interval;
    const timeout = this.probeTimeoutFor(target);
    // The round keeps memberlist's indirect window (interval − base timeout) after a longer timeout.
    const roundMs = Math.max(interval, timeout + (this.profile.probeIntervalMs - this.profile.probeTimeoutMs));
    // Helpers must nack in time for the nack to travel back before the round ends (Lifeguard).
    const helperTimeout = Math.floor(0.6 * (roundMs - timeout));
    const seq = this.nextSeq();
    const now = this.timers.now();
    let concluded = false;
    const probe: PendingProbe = {
      kind: 'probe',
      targetId: target.id,
      sentAtMs: now,
      acked: false,
      nacks: 0,
      expectedNacks: 0,
      conclude: () => {
        if (concluded) return;
        concluded = true;
        this.pending.delete(seq);
        if (!this.running) return;
        if (probe.acked) {
          this.awareness.applyDelta(-1);
          return;
        }
        this.counters.probeFailures++;
        // Lifeguard: missing nacks point at our own slowness.
        const expected = probe.expectedNacks;
        this.awareness.applyDelta(expected > 0 ? expected - Math.min(expected, probe.nacks) : 1);
        const current = this.table.get(target.id);
        if (current === undefined || current !== target) return;
        if (current.state === 'alive' || current.state === 'suspect') {
          this.suspectNode(current.id, current.incarnation, this.id);
        }
      },
    };
    this.pending.set(seq, probe);
    const parts = [
      encodePart(
        { type: 'ping', seq, targetId: target.id, coordinate: this.coordinates.localBytes() },
        this.codecLimits,
      ),
    ];
    if (target.state === 'suspect') {
      // Buddy system: tell the suspect directly, so it can refute at once.
      parts.push(
        encodePart(
          { type: 'suspect', id: target.id, incarnation: target.incarnation, from: this.id },
          this.codecLimits,
        ),
      );
    }
    this.counters.probesSent++;
    this.sendParts(target.addr, parts);
    this.after(timeout, () => {
      if (probe.acked || concluded || !this.running) return;
      const helpers = this.randomMembers(this.profile.indirectChecks, (m) => m.state === 'alive' && m.id !== target.id);
      probe.expectedNacks = helpers.length;
      for (const helper of helpers) {
        this.counters.indirectProbesSent++;
        this.sendParts(helper.addr, [
          encodePart(
            { type: 'ping-req', seq, targetId: target.id, targetAddr: target.addr, timeoutMs: helperTimeout },
            this.codecLimits,
          ),
        ]);
      }
    });
    this.after(roundMs - 1, () => probe.conclude());
    return roundMs;
  }

  /** base × local health × latency × confidence within [probeTimeout, maxProbeTimeout] (AD-35). */
  probeTimeoutFor(target: { id: string }): number {
    const now = this.timers.now();
    return adaptiveProbeTimeoutMs(
      this.profile.probeTimeoutMs,
      this.awareness.multiplier(),
      latencyMultiplier(this.coordinates.rttUcbMs(target.id)),
      confidenceMultiplier(this.coordinates.quality(target.id, now)),
      this.profile.maxProbeTimeoutMs,
    );
  }

  // ---------------------------------------------------------------- confirmation and reaping

  private sweep(): void {
    if (!this.running) return;
    const now = this.timers.now();
    const lhm = this.awareness.multiplier();
    const removals: MemberRecord[] = [];
    const reaps: MemberRecord[] = [];
    for (const record of this.table.all()) {
      if (record.state === 'unconfirmed') {
        const policy = this.confirmationPolicy[record.role];
        const timeout = unconfirmedTimeoutMs(
          policy,
          lhm,
          latencyMultiplier(this.coordinates.rttUcbMs(record.id)),
          confidenceMultiplier(this.coordinates.quality(record.id, now)),
        );
        const age = now - record.learnedAtMs;
        if (age >= timeout) {
          removals.push(record);
          continue;
        }
        if (
          !this.leaving &&
          policy.proactiveAttempts > 0 &&
          age >= timeout / 2 &&
          record.confirmationPings < policy.proactiveAttempts &&
          now - record.lastConfirmationPingMs >= policy.proactiveIntervalMs
        ) {
          this.sendConfirmationPing(record, now);
        }
      } else if (
        (record.state === 'dead' || record.state === 'left') &&
        now - record.stateChangedAtMs >= this.profile.deadRetentionMs
      ) {
        reaps.push(record);
      }
    }
    for (const record of removals) this.removeUnconfirmed(record);
    for (const record of reaps) {
      this.table.remove(record.id);
      this.coordinates.forget(record.id);
      this.counters.membersReaped++;
      this.emit('member-removed', record);
    }
    this.table.expireTombstones(now);
  }

  private sendConfirmationPing(record: MemberRecord, now: number): void {
    if (this.pending.size >= this.limits.maxPendingAcks) return;
    record.confirmationPings++;
    record.lastConfirmationPingMs = now;
    this.counters.confirmationPingsByRole[record.role]++;
    const seq = this.nextSeq();
    this.pending.set(seq, { kind: 'confirm', targetId: record.id, sentAtMs: now });
    this.after(this.confirmationPolicy[record.role].proactiveIntervalMs, () => this.pending.delete(seq));
    // Our own alive rides along, so the peer can confirm us too.
    this.sendParts(record.addr, [
      encodePart(
        { type: 'ping', seq, targetId: record.id, coordinate: this.coordinates.localBytes() },
        this.codecLimits,
      ),
      encodePart(this.selfAlivePart(), this.codecLimits),
    ]);
  }

  // ---------------------------------------------------------------- dissemination

  private gossipRound(): void {
    if (!this.running) return;
    const now = this.timers.now();
    let budget = this.profile.gossipNodes;
    // Introductions first: one datagram with our alive to each peer we only heard about.
    for (const id of [...this.introductions]) {
      if (budget <= 0) break;
      this.introductions.delete(id);
      const record = this.table.get(id);
      if (record === undefined || (record.state !== 'unconfirmed' && record.state !== 'alive')) continue;
      budget--;
      this.sendParts(record.addr, [encodePart(this.selfAlivePart(), this.codecLimits)]);
    }
    if (budget <= 0 || this.broadcasts.size() === 0) return;
    const targets = this.randomMembers(budget, (m) => {
      if (m.state === 'alive' || m.state === 'suspect' || m.state === 'unconfirmed') return true;
      return m.state === 'dead' && now - m.stateChangedAtMs < this.profile.gossipToTheDeadMs;
    });
    for (const target of targets) {
      if (this.broadcasts.size() === 0) break;
      this.sendParts(target.addr, []);
    }
  }

  private queueBroadcast(
    key: string,
    kind: BroadcastKind,
    part: Extract<Part, { type: 'alive' | 'suspect' | 'dead' }>,
  ): void {
    this.broadcasts.enqueue(key, kind, encodePart(part, this.codecLimits));
  }

  private broadcastSelf(): void {
    this.broadcasts.enqueue(this.id, 'alive', encodePart(this.selfAlivePart(), this.codecLimits));
  }

  private selfAlivePart(): Extract<Part, { type: 'alive' }> {
    return {
      type: 'alive',
      id: this.id,
      incarnation: this.incarnation,
      addr: this.addr,
      role: this.role,
      meta: this.meta,
    };
  }

  /** Sends `parts` to `addr`, filling the rest of the datagram with pending gossip. */
  private sendParts(addr: string, parts: Uint8Array[]): void {
    const fixed =
      this.envelope.overheadBytes() + messageHeaderBytes(this.id) + parts.reduce((sum, p) => sum + p.length, 0);
    const budget = this.limits.maxDatagramBytes - fixed;
    const limit = retransmitLimit(this.profile.retransmitMult, this.clusterSize());
    const gossip = this.broadcasts.take(budget, 0, limit);
    if (parts.length === 0 && gossip.length === 0) return;
    const message = assembleMessage(
      this.id,
      gossip.length === 0 ? parts : [...parts, ...gossip],
      this.limits.maxIdBytes,
    );
    const datagram = this.envelope.wrap(message);
    this.counters.datagramsOut++;
    this.counters.bytesOut += datagram.length;
    this.packets.send(addr, datagram);
  }

  // ---------------------------------------------------------------- anti-entropy

  private schedulePushPull(): void {
    const interval = pushPullScaleMs(this.profile.pushPullIntervalMs, this.clusterSize());
    // Jitter the first exchange so a cluster started at once does not synchronise.
    const delay = interval / 2 + this.random.next() * interval;
    this.after(delay, () => {
      if (!this.running) return;
      if (!this.leaving) {
        const [peer] = this.randomMembers(1, (m) => m.state === 'alive');
        if (peer !== undefined) this.pushPull(peer.addr, false, () => {});
        // Reconnect (serf): try one member we believe dead, so a healed partition merges back.
        const [dead] = this.randomMembers(1, (m) => m.state === 'dead');
        if (dead !== undefined) this.pushPull(dead.addr, false, () => {});
      }
      this.schedulePushPull();
    });
  }

  private pushPull(addr: string, join: boolean, done: (ok: boolean) => void): void {
    const request = this.envelope.wrap(this.encodeState('push', join));
    this.counters.streamBytesOut += request.length;
    this.stream.exchange(addr, request, this.profile.streamTimeoutMs, (reply) => {
      if (!this.running) return done(false);
      if (reply === undefined || reply.length > this.limits.maxStreamBytes) {
        this.counters.streamFailures++;
        return done(false);
      }
      this.counters.streamBytesIn += reply.length;
      const message = this.open(reply);
      const header = message?.parts[0];
      if (message === undefined || header?.type !== 'stream-header' || header.kind !== 'reply') {
        this.counters.streamFailures++;
        return done(false);
      }
      try {
        this.counters.streamExchanges++;
        this.mergeState(message);
      } catch {
        this.counters.handlerErrors++;
        return done(false);
      }
      done(true);
    });
  }

  /** Our full state: ourselves and every member we can vouch for (never unconfirmed hearsay). */
  private encodeState(kind: 'push' | 'reply', join: boolean): Uint8Array {
    const parts = [encodePart({ type: 'stream-header', kind, join }, this.codecLimits)];
    const self = this.selfAlivePart();
    parts.push(encodePart({ ...self, type: 'state', state: 'alive' }, this.codecLimits));
    let bytes = parts.reduce((sum, p) => sum + p.length, 0);
    for (const m of this.table.all()) {
      if (m.state === 'unconfirmed') continue;
      const part = encodePart(
        {
          type: 'state',
          id: m.id,
          incarnation: m.incarnation,
          addr: m.addr,
          role: m.role,
          meta: m.meta,
          state: m.state as StateEntryState,
        },
        this.codecLimits,
      );
      if (bytes + part.length > this.limits.maxStreamBytes - 1024) break;
      bytes += part.length;
      parts.push(part);
    }
    return assembleMessage(this.id, parts, this.limits.maxIdBytes);
  }

  /** memberlist mergeState: alive as alive, left as left, suspect and dead only as suspicion. */
  private mergeState(message: DecodedMessage): void {
    const sender = message.senderId;
    for (const part of message.parts) {
      if (part.type !== 'state' || part.id !== sender) continue;
      this.aliveNode({ ...part, type: 'alive' }, true);
    }
    this.heardFrom(sender);
    for (const part of message.parts) {
      if (part.type !== 'state' || part.id === sender) continue;
      switch (part.state) {
        case 'alive':
          this.aliveNode({ ...part, type: 'alive' }, false);
          break;
        case 'left':
          this.deadNode(part.id, part.incarnation, part.id);
          break;
        case 'suspect':
        case 'dead':
          this.suspectNode(part.id, part.incarnation, sender);
          break;
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Members of the table plus ourselves, as memberlist's estNumNodes (dead included). */
  clusterSize(): number {
    let n = 1;
    for (const m of this.table.all()) if (m.state !== 'unconfirmed') n++;
    return n;
  }

  private knownPeers(): number {
    let n = 0;
    for (const m of this.table.all()) if (m.state === 'alive' || m.state === 'suspect') n++;
    return n;
  }

  private randomMembers(count: number, accept: (m: MemberRecord) => boolean): MemberRecord[] {
    const candidates: MemberRecord[] = [];
    for (const m of this.table.all()) if (accept(m)) candidates.push(m);
    // Partial Fisher–Yates: only the first `count` positions are needed.
    const take = Math.min(count, candidates.length);
    for (let i = 0; i < take; i++) {
      const j = i + randomInt(this.random, candidates.length - i);
      const tmp = candidates[i]!;
      candidates[i] = candidates[j]!;
      candidates[j] = tmp;
    }
    return candidates.slice(0, take);
  }

  private nextSeq(): number {
    this.seq = this.seq >= MAX_SEQ ? 1 : this.seq + 1;
    return this.seq;
  }

  private emit(event: MemberEventName, record: MemberRecord): void {
    const set = this.listeners.get(event);
    if (set === undefined || set.size === 0) return;
    const view = viewOf(record);
    for (const listener of set) {
      try {
        listener(view);
      } catch {
        this.counters.listenerErrors++;
      }
    }
  }

  /** A one-shot timer owned by this node (cancelled by stop()). */
  private after(delayMs: number, fn: () => void): void {
    const cancel = this.timers.after(delayMs, () => {
      this.cancels.delete(cancel);
      fn();
    });
    this.cancels.add(cancel);
  }

  private loop(intervalMs: number, fn: () => void): void {
    this.after(intervalMs, () => {
      if (!this.running) return;
      fn();
      this.loop(intervalMs, fn);
    });
  }

  /** A loop whose body returns the delay until its next run; the first run is staggered. */
  private every(firstMaxDelayMs: number, fn: () => number, stagger: boolean): void {
    const first = stagger ? this.random.next() * firstMaxDelayMs : firstMaxDelayMs;
    const run = (delay: number) =>
      this.after(delay, () => {
        if (!this.running) return;
        run(fn());
      });
    run(first);
  }
}

function sameMeta(a: MemberMeta, b: MemberMeta): boolean {
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  for (const key of ak) if (a[key] !== b[key]) return false;
  return true;
}
