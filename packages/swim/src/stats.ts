// Counters of everything the node does and everything it refuses, so a test, a benchmark or a
// Prometheus scrape can see why a member was declared dead or why bytes were dropped.
import type { Role } from './types.js';

export interface SwimStats {
  datagramsIn: number;
  datagramsOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Datagrams dropped because they were larger than maxDatagramBytes. */
  oversized: number;
  /** Dropped by the per-sender rate limit. */
  rateLimited: number;
  /** Failed envelope checks, by reason. */
  badMagic: number;
  versionMismatches: number;
  labelMismatches: number;
  decryptFailures: number;
  unencryptedRefused: number;
  /** Envelope fine, message malformed (truncated, bad field). */
  decodeFailures: number;
  /** Parts of unknown type that were skipped. */
  unknownParts: number;
  /** Exceptions caught while handling input (should stay 0). */
  handlerErrors: number;
  listenerErrors: number;
  probesSent: number;
  probeFailures: number;
  indirectProbesSent: number;
  nacksReceived: number;
  nacksSent: number;
  suspicionsStarted: number;
  suspicionConfirmations: number;
  /** Suspicions that expired with fewer than k confirmations (memberlist.degraded.timeout). */
  degradedTimeouts: number;
  refutations: number;
  deathsDeclared: number;
  /** UNCONFIRMED → ALIVE transitions. */
  confirmations: number;
  confirmationPingsByRole: Record<Role, number>;
  unconfirmedRemoved: number;
  membersReaped: number;
  tableFullDrops: number;
  streamExchanges: number;
  streamFailures: number;
  streamBytesIn: number;
  streamBytesOut: number;
  lastProbeRttMs: number;
}

export function emptyStats(): SwimStats {
  return {
    datagramsIn: 0,
    datagramsOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    oversized: 0,
    rateLimited: 0,
    badMagic: 0,
    versionMismatches: 0,
    labelMismatches: 0,
    decryptFailures: 0,
    unencryptedRefused: 0,
    decodeFailures: 0,
    unknownParts: 0,
    handlerErrors: 0,
    listenerErrors: 0,
    probesSent: 0,
    probeFailures: 0,
    indirectProbesSent: 0,
    nacksReceived: 0,
    nacksSent: 0,
    suspicionsStarted: 0,
    suspicionConfirmations: 0,
    degradedTimeouts: 0,
    refutations: 0,
    deathsDeclared: 0,
    confirmations: 0,
    confirmationPingsByRole: { gate: 0, manager: 0, worker: 0 },
    unconfirmedRemoved: 0,
    membersReaped: 0,
    tableFullDrops: 0,
    streamExchanges: 0,
    streamFailures: 0,
    streamBytesIn: 0,
    streamBytesOut: 0,
    lastProbeRttMs: 0,
  };
}

/** Total datagrams dropped as bad input (everything counted and dropped before handling). */
export function droppedDatagrams(stats: SwimStats): number {
  return (
    stats.oversized +
    stats.rateLimited +
    stats.badMagic +
    stats.versionMismatches +
    stats.labelMismatches +
    stats.decryptFailures +
    stats.unencryptedRefused +
    stats.decodeFailures
  );
}
