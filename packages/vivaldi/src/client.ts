// The Vivaldi state machine of one node (serf coordinate/client.go is the model): feed it
// (peer, peer's coordinate, measured RTT) after every successful direct probe and read back the
// node's coordinate. Pure: time comes from an injected Clock, randomness from a seeded Random.
// The per-peer state (latency filter, replay memory) is bounded by `maxTrackedPeers`.
import { type Clock, type Random, seededRandom, systemClock } from '@hyperscale/deterministic';
import { resolveConfig, type VivaldiConfig } from './config.js';
import { type Coordinate, coordinateProblem } from './coordinate.js';
import { PeerMemory, type PeerRecord } from './peer-memory.js';

/** Coordinates closer than this are coincident, ms (serf zeroThreshold 1e-6 s). */
const COINCIDENT_MS = 1e-3;
/** RTTs below this are treated as this, ms (serf zeroThreshold 1e-6 s), to keep wrongness finite. */
const MIN_RTT_MS = 1e-3;
/** Floor of the summed errors in the weight, so two perfect nodes still move (serf zeroThreshold). */
const MIN_TOTAL_ERROR = 1e-6;

export interface VivaldiClientOptions extends Partial<VivaldiConfig> {
  /** Source of updatedAtMs. Default: the system's monotonic clock. */
  clock?: Clock;
  /** Random unit vectors when two coordinates coincide. Default: seededRandom(1); shells should seed per node. */
  random?: Random;
}

export class VivaldiClient {
  readonly config: Readonly<VivaldiConfig>;
  /** Times the coordinate became NaN/Inf and was reset to the origin (serf Stats.Resets). */
  resets = 0;
  /** Updates refused because of a bad RTT or peer coordinate. */
  rejected = 0;

  private readonly clock: Clock;
  private readonly random: Random;
  private readonly vec: Float64Array;
  private height: number;
  private adjustment = 0;
  private error: number;
  private errorMs: number;
  private sampleCount = 0;
  private updatedAtMs: number;
  private readonly adjustmentSamples: Float64Array;
  private adjustmentIndex = 0;
  private readonly peers: PeerMemory;
  private readonly replayOwners: (PeerRecord | undefined)[];
  private readonly replayVecs: Float64Array;
  private readonly replayHeight: Float64Array;
  private readonly replayAdjustment: Float64Array;
  private readonly replayError: Float64Array;
  private readonly replayRtt: Float64Array;
  private replayNext = 0;
  private readonly unit: Float64Array;
  private readonly push: Float64Array;

  constructor(options: VivaldiClientOptions = {}) {
    const { clock, random, ...overrides } = options;
    this.config = Object.freeze(resolveConfig(overrides));
    this.clock = clock ?? systemClock;
    this.random = random ?? seededRandom(1);
    const d = this.config.dimensions;
    this.vec = new Float64Array(d);
    this.unit = new Float64Array(d);
    this.push = new Float64Array(d);
    this.height = this.config.heightMinMs;
    this.error = this.config.errorMax;
    this.errorMs = this.config.initialErrorMs;
    this.updatedAtMs = this.clock.now();
    this.adjustmentSamples = new Float64Array(this.config.adjustmentWindowSize);
    const k = this.config.neighborReplay;
    this.replayOwners = new Array<PeerRecord | undefined>(k).fill(undefined);
    this.replayVecs = new Float64Array(k * d);
    this.replayHeight = new Float64Array(k);
    this.replayAdjustment = new Float64Array(k);
    this.replayError = new Float64Array(k);
    this.replayRtt = new Float64Array(k);
    this.peers = new PeerMemory(this.config.latencyFilterSize, this.config.maxTrackedPeers);
  }

  /** A copy of the node's coordinate (plain and serialisable). */
  coordinate(): Coordinate {
    return {
      vec: Array.from(this.vec),
      height: this.height,
      adjustment: this.adjustment,
      error: this.error,
      sampleCount: this.sampleCount,
      updatedAtMs: this.updatedAtMs,
      errorMs: this.errorMs,
    };
  }

  /** Enough samples and a small enough error to be trusted (facts §7.2: ≥ 10 samples, low error). */
  isConverged(): boolean {
    return this.sampleCount >= this.config.minSamplesForRouting && this.error <= this.config.convergedErrorMax;
  }

  /**
   * Replaces the coordinate, e.g. with one persisted before a restart (serf SetCoordinate). Throws a
   * RangeError on a malformed coordinate or another dimensionality, leaving the state unchanged.
   */
  setCoordinate(c: Coordinate): void {
    const problem = coordinateProblem(c, this.config.dimensions);
    if (problem !== undefined) throw new RangeError(`vivaldi setCoordinate: ${problem}`);
    this.vec.set(c.vec);
    this.height = Math.max(this.config.heightMinMs, c.height);
    this.adjustment = c.adjustment;
    this.error = Math.min(this.config.errorMax, c.error);
    this.errorMs = c.errorMs ?? this.config.sigmaDefaultMs;
    this.sampleCount = c.sampleCount;
    this.updatedAtMs = this.clock.now();
  }

  /** Peers whose filter state is held (≤ maxTrackedPeers). */
  get trackedPeers(): number {
    return this.peers.size;
  }

  /** Drops the state held for a peer (call when it leaves the pool; serf ForgetNode). */
  forgetPeer(peerId: string): void {
    const record = this.peers.forget(peerId);
    if (record !== undefined) this.dropFromReplay(record);
  }

  /**
   * Learns from one RTT sample to `peerId`, whose coordinate is `peerCoordinate`. Throws a
   * RangeError naming the problem (and changes nothing) when the RTT is not in [0, rttMaxMs] or the
   * coordinate is malformed or of another dimensionality.
   */
  update(peerId: string, peerCoordinate: Coordinate, rttMs: number): void {
    if (typeof rttMs !== 'number' || !Number.isFinite(rttMs) || rttMs < 0 || rttMs > this.config.rttMaxMs) {
      this.rejected++;
      throw new RangeError(
        `vivaldi update: rttMs must be a finite number in [0, ${this.config.rttMaxMs}], got ${rttMs}`,
      );
    }
    const problem = coordinateProblem(peerCoordinate, this.config.dimensions);
    if (problem !== undefined) {
      this.rejected++;
      throw new RangeError(`vivaldi update: bad coordinate from peer ${peerId}: ${problem}`);
    }

    const record = this.peers.observe(peerId, rttMs, (evicted) => {
      this.dropFromReplay(evicted);
    });
    const rtt = Math.max(record.filteredRttMs, MIN_RTT_MS);
    const other = peerCoordinate.vec;

    const residualMs = Math.abs(rtt - this.estimateTo(other, peerCoordinate.height, peerCoordinate.adjustment));
    this.errorMs += this.config.errorMsSmoothing * (residualMs - this.errorMs);

    this.vivaldiStep(other, peerCoordinate.height, peerCoordinate.adjustment, peerCoordinate.error, rtt);
    if (this.config.neighborReplay > 0) this.replayNeighbours(record, peerCoordinate, rtt);
    this.updateAdjustment(other, peerCoordinate.height, rtt);
    this.applyGravity();
    this.sampleCount++;
    this.updatedAtMs = this.clock.now();

    if (!this.isValid()) {
      this.resets++;
      this.resetCoordinate();
    }
  }

  /** Estimated RTT from this node to a coordinate, ms (same as estimateRttMs(coordinate(), other)). */
  estimateRttTo(other: Coordinate): number {
    if (other.vec.length !== this.vec.length) {
      throw new RangeError(`estimateRttTo: dimensionality differs (${this.vec.length} vs ${other.vec.length})`);
    }
    return this.estimateTo(other.vec, other.height, other.adjustment);
  }

  // serf DistanceTo: raw distance plus adjustments when the sum stays positive.
  private estimateTo(other: ArrayLike<number>, otherHeight: number, otherAdjustment: number): number {
    const raw = this.euclidean(other) + this.height + otherHeight;
    const adjusted = raw + this.adjustment + otherAdjustment;
    return adjusted > 0 ? adjusted : raw;
  }

  private euclidean(other: ArrayLike<number>): number {
    const v = this.vec;
    let sum = 0;
    for (let i = 0; i < v.length; i++) {
      const d = (v[i] as number) - (other[i] as number);
      sum += d * d;
    }
    return Math.sqrt(sum);
  }

  // serf updateVivaldi + ApplyForce: move along the spring by an error-weighted share of the residual.
  private vivaldiStep(
    other: ArrayLike<number>,
    otherHeight: number,
    otherAdj: number,
    otherError: number,
    rtt: number,
  ) {
    const c = this.config;
    const dist = this.estimateTo(other, otherHeight, otherAdj);
    const wrongness = Math.abs(dist - rtt) / rtt;
    const weight = this.error / Math.max(this.error + otherError, MIN_TOTAL_ERROR);
    this.error = Math.min(c.errorMax, c.ce * weight * wrongness + this.error * (1 - c.ce * weight));
    const force = c.cc * weight * (rtt - dist);
    this.applyForce(force, other, otherHeight);
  }

  // Moves the coordinate by `force` ms away from `other` (towards it when negative) and lets the
  // height take its share of the force (serf ApplyForce).
  private applyForce(force: number, other: ArrayLike<number>, otherHeight: number): void {
    const mag = this.unitAwayFrom(other);
    const v = this.vec;
    const u = this.unit;
    for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) + (u[i] as number) * force;
    if (mag > COINCIDENT_MS) {
      this.height = Math.max(this.config.heightMinMs, this.height + (force * (this.height + otherHeight)) / mag);
    }
  }

  // Fills this.unit with the unit vector from `other` to us; returns the distance (0 if coincident,
  // in which case the direction is random, as in serf unitVectorAt).
  private unitAwayFrom(other: ArrayLike<number>): number {
    const v = this.vec;
    const u = this.unit;
    let sum = 0;
    for (let i = 0; i < v.length; i++) {
      const d = (v[i] as number) - (other[i] as number);
      u[i] = d;
      sum += d * d;
    }
    const mag = Math.sqrt(sum);
    if (mag > COINCIDENT_MS) {
      for (let i = 0; i < u.length; i++) u[i] = (u[i] as number) / mag;
      return mag;
    }
    let rsum = 0;
    for (let i = 0; i < u.length; i++) {
      const r = this.random.next() - 0.5;
      u[i] = r;
      rsum += r * r;
    }
    const rmag = Math.sqrt(rsum);
    if (rmag > COINCIDENT_MS) {
      for (let i = 0; i < u.length; i++) u[i] = (u[i] as number) / rmag;
    } else {
      u.fill(0);
      u[0] = 1;
    }
    return 0;
  }

  // Neighbour replay: remember this peer, then add the mean spring force of the other remembered
  // peers (their last coordinate and smoothed RTT), error-weighted as in the main step. The
  // remembered coordinates sit in one flat array so the loop stays in cache and allocates nothing.
  private replayNeighbours(current: PeerRecord, peer: Coordinate, rtt: number): void {
    const c = this.config;
    const d = this.vec.length;
    // Average the first samples, then smooth exponentially.
    current.replayCount++;
    const alpha = Math.max(c.replaySmoothing, 1 / current.replayCount);
    current.replayRttMs += alpha * (rtt - current.replayRttMs);
    let slot = current.replaySlot;
    if (slot < 0) {
      slot = this.freeReplaySlot();
      const previous = this.replayOwners[slot];
      if (previous !== undefined) previous.replaySlot = -1;
      this.replayOwners[slot] = current;
      current.replaySlot = slot;
    }
    const vecs = this.replayVecs;
    const base = slot * d;
    for (let i = 0; i < d; i++) vecs[base + i] = peer.vec[i] as number;
    this.replayHeight[slot] = peer.height;
    this.replayAdjustment[slot] = peer.adjustment;
    this.replayError[slot] = peer.error;
    this.replayRtt[slot] = current.replayRttMs;

    // A young node only remembers: replaying before the adjustment window has ramped in pushes the
    // Euclidean part to cover constant latency, a minimum serf's step cannot leave (serf's split topology).
    if (this.sampleCount < c.replayAfterSamples) return;

    // Hot loop: everything it reads is hoisted into locals.
    const v = this.vec;
    const push = this.push;
    push.fill(0);
    const u = this.unit;
    const owners = this.replayOwners;
    const heights = this.replayHeight;
    const adjustments = this.replayAdjustment;
    const errors = this.replayError;
    const rtts = this.replayRtt;
    const ownHeight = this.height;
    const ownAdjustment = this.adjustment;
    const ownError = this.error;
    const cc = c.cc;
    let n = 0;
    for (let k = 0; k < owners.length; k++) {
      if (k === slot || owners[k] === undefined) continue;
      const off = k * d;
      let sum = 0;
      for (let i = 0; i < d; i++) {
        const diff = (v[i] as number) - (vecs[off + i] as number);
        u[i] = diff;
        sum += diff * diff;
      }
      const mag = Math.sqrt(sum);
      if (mag <= COINCIDENT_MS) continue;
      const raw = mag + ownHeight + (heights[k] as number);
      const adjusted = raw + ownAdjustment + (adjustments[k] as number);
      const dist = adjusted > 0 ? adjusted : raw;
      const weight = ownError / Math.max(ownError + (errors[k] as number), MIN_TOTAL_ERROR);
      const force = cc * weight * ((rtts[k] as number) - dist);
      const scaled = force / mag;
      for (let i = 0; i < d; i++) push[i] = (push[i] as number) + (u[i] as number) * scaled;
      n++;
    }
    if (n === 0) return;
    const scale = c.replayWeight / n;
    for (let i = 0; i < d; i++) v[i] = (v[i] as number) + (push[i] as number) * scale;
  }

  // An empty slot if there is one, else the next one round the ring (the oldest insertion).
  private freeReplaySlot(): number {
    const owners = this.replayOwners;
    for (let k = 0; k < owners.length; k++) if (owners[k] === undefined) return k;
    const slot = this.replayNext;
    this.replayNext = (this.replayNext + 1) % owners.length;
    return slot;
  }

  private dropFromReplay(record: PeerRecord): void {
    if (record.replaySlot >= 0 && this.replayOwners[record.replaySlot] === record) {
      this.replayOwners[record.replaySlot] = undefined;
    }
    record.replaySlot = -1;
  }

  // serf updateAdjustment: half the mean residual (rtt − raw distance) over the window (Lee ToN'10).
  private updateAdjustment(other: ArrayLike<number>, otherHeight: number, rtt: number): void {
    const window = this.adjustmentSamples;
    if (window.length === 0) return;
    window[this.adjustmentIndex] = rtt - (this.euclidean(other) + this.height + otherHeight);
    this.adjustmentIndex = (this.adjustmentIndex + 1) % window.length;
    let sum = 0;
    for (let i = 0; i < window.length; i++) sum += window[i] as number;
    this.adjustment = sum / (2 * window.length);
  }

  // serf updateGravity: a force of −(d/ρ)² seconds towards the origin keeps the whole system from
  // drifting away; the origin has height heightMin and no adjustment.
  private applyGravity(): void {
    const v = this.vec;
    let sum = 0;
    for (let i = 0; i < v.length; i++) sum += (v[i] as number) * (v[i] as number);
    const raw = Math.sqrt(sum) + this.height + this.config.heightMinMs;
    const adjusted = raw + this.adjustment;
    const dist = adjusted > 0 ? adjusted : raw;
    const ratio = dist / this.config.gravityRhoMs;
    // Replayed neighbours are last-seen positions that lag a drifting system and hold it back by
    // up to replayWeight springs, so while replay is on gravity pulls that much harder.
    const replaying = this.config.neighborReplay > 0 && this.sampleCount >= this.config.replayAfterSamples;
    const force = -1000 * ratio * ratio * (replaying ? 1 + this.config.replayWeight : 1);
    this.push.fill(0);
    this.applyForce(force, this.push, this.config.heightMinMs);
  }

  private isValid(): boolean {
    for (let i = 0; i < this.vec.length; i++) if (!Number.isFinite(this.vec[i])) return false;
    return (
      Number.isFinite(this.height) &&
      Number.isFinite(this.adjustment) &&
      Number.isFinite(this.error) &&
      Number.isFinite(this.errorMs)
    );
  }

  private resetCoordinate(): void {
    this.vec.fill(0);
    this.height = this.config.heightMinMs;
    this.adjustment = 0;
    this.adjustmentSamples.fill(0);
    this.adjustmentIndex = 0;
    this.error = this.config.errorMax;
    this.errorMs = this.config.initialErrorMs;
    this.sampleCount = 0;
  }
}
