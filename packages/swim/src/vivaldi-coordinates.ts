// The CoordinateSystem backed by @hyperscale/vivaldi: our coordinate rides on pings and acks
// (≤ 80 bytes), RTTs from direct probes update it, and peers' last coordinates (bounded, dropped
// when the member leaves the table) give the RTT upper bound and quality that scale timeouts.
import type { Clock, Random } from '@hyperscale/deterministic';
import {
  type Coordinate,
  coordinateQuality,
  decodeCoordinate,
  encodeCoordinate,
  estimateRttMs,
  rttUcbMs,
  VivaldiClient,
  type VivaldiClientOptions,
} from '@hyperscale/vivaldi';
import type { CoordinateSystem } from './coordinates.js';

export interface VivaldiCoordinatesOptions {
  selfId: string;
  clock: Clock;
  random: Random;
  /** Peers whose coordinates are remembered (least recently updated forgotten first). */
  maxPeers?: number;
  vivaldi?: Omit<VivaldiClientOptions, 'clock' | 'random'>;
}

export class VivaldiCoordinates implements CoordinateSystem {
  private readonly client: VivaldiClient;
  private readonly peers = new Map<string, Coordinate>();
  private readonly maxPeers: number;
  private encoded: Uint8Array | undefined;
  /** Coordinates that failed to decode (counted, ignored). */
  rejected = 0;

  constructor(private readonly options: VivaldiCoordinatesOptions) {
    this.client = new VivaldiClient({ ...options.vivaldi, clock: options.clock, random: options.random });
    this.maxPeers = options.maxPeers ?? 10_000;
  }

  localBytes(): Uint8Array {
    this.encoded ??= encodeCoordinate(this.client.coordinate());
    return this.encoded;
  }

  observe(peerId: string, peerBytes: Uint8Array, rttMs: number, nowMs: number): void {
    const coordinate = this.decode(peerBytes, nowMs);
    if (coordinate === undefined) return;
    this.store(peerId, coordinate);
    this.client.update(peerId, coordinate, rttMs);
    this.encoded = undefined;
  }

  remember(peerId: string, peerBytes: Uint8Array, nowMs: number): void {
    const coordinate = this.decode(peerBytes, nowMs);
    if (coordinate !== undefined) this.store(peerId, coordinate);
  }

  rttUcbMs(peerId: string): number | undefined {
    return rttUcbMs(this.client.coordinate(), this.peers.get(peerId));
  }

  quality(peerId: string, nowMs: number): number | undefined {
    const remote = this.peers.get(peerId);
    const local = coordinateQuality(this.client.coordinate(), nowMs);
    return remote === undefined ? 0 : Math.min(local, coordinateQuality(remote, nowMs));
  }

  estimateRttMs(fromId: string, toId: string): number | undefined {
    const a = fromId === this.options.selfId ? this.client.coordinate() : this.peers.get(fromId);
    const b = toId === this.options.selfId ? this.client.coordinate() : this.peers.get(toId);
    if (a === undefined || b === undefined) return undefined;
    return estimateRttMs(a, b);
  }

  forget(peerId: string): void {
    this.peers.delete(peerId);
    this.client.forgetPeer(peerId);
  }

  localCoordinate(): Coordinate {
    return this.client.coordinate();
  }

  localError(): number | undefined {
    return this.client.coordinate().error;
  }

  private decode(bytes: Uint8Array, nowMs: number): Coordinate | undefined {
    if (bytes.length === 0) return undefined;
    try {
      return decodeCoordinate(bytes, nowMs);
    } catch {
      this.rejected++;
      return undefined;
    }
  }

  private store(peerId: string, coordinate: Coordinate): void {
    this.peers.delete(peerId);
    if (this.peers.size >= this.maxPeers) {
      const oldest = this.peers.keys().next().value;
      if (oldest !== undefined) this.peers.delete(oldest);
    }
    this.peers.set(peerId, coordinate);
  }
}
