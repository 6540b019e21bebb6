// How the membership layer talks to a network-coordinate system: our coordinate rides on every
// ping and ack as opaque bytes, RTTs measured on direct probes feed it, and it answers the RTT
// upper bound and quality that scale timeouts. @hyperscale/vivaldi implements the maths; this
// interface keeps SWIM testable without it.

export interface CoordinateSystem {
  /** Our coordinate, encoded (≤ 255 bytes) for a ping or ack. */
  localBytes(): Uint8Array;
  /** A direct probe of `peerId` took `rttMs`; the peer's coordinate bytes came with its reply. */
  observe(peerId: string, peerBytes: Uint8Array, rttMs: number, nowMs: number): void;
  /** The peer's coordinate bytes arrived on a ping (no RTT sample): remember them for estimates. */
  remember(peerId: string, peerBytes: Uint8Array, nowMs: number): void;
  /** RTT upper confidence bound to `peerId` in ms, or undefined when nothing is known. */
  rttUcbMs(peerId: string): number | undefined;
  /** Quality in [0, 1] of the estimate towards `peerId`, or undefined when nothing is known. */
  quality(peerId: string, nowMs: number): number | undefined;
  /** Estimated RTT between two known members (ourselves included), ms. */
  estimateRttMs(fromId: string, toId: string): number | undefined;
  /** Drop what is kept about a peer that left the table. */
  forget(peerId: string): void;
  /** Our coordinate, for display and metrics. */
  localCoordinate(): unknown;
  /** Our coordinate's error estimate (for metrics), or undefined. */
  localError(): number | undefined;
}

/** No coordinates: empty bytes, no estimates (timeouts stay at their base). */
export const NO_COORDINATES: CoordinateSystem = {
  localBytes: () => new Uint8Array(0),
  observe: () => {},
  remember: () => {},
  rttUcbMs: () => undefined,
  quality: () => undefined,
  estimateRttMs: () => undefined,
  forget: () => {},
  localCoordinate: () => undefined,
  localError: () => undefined,
};
