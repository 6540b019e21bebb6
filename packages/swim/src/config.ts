// Every default of the package in one place, with where each number comes from (anchors §1.1 =
// memberlist's DefaultLANConfig/DefaultWANConfig/DefaultLocalConfig; facts §4 and §7.2 = the
// original system). Profiles are plain objects so a caller can override any field.
import type { Role } from './types.js';

export interface SwimProfile {
  readonly name: string;
  /** Time between probes of successive members (anchors §1.1 ProbeInterval). */
  readonly probeIntervalMs: number;
  /** Base direct-probe timeout (anchors §1.1 ProbeTimeout). */
  readonly probeTimeoutMs: number;
  /** Upper bound of the adaptive probe timeout (ours: ping + indirect round fit one interval). */
  readonly maxProbeTimeoutMs: number;
  /** Helpers asked to ping a target that missed the direct probe (anchors §1.1 IndirectChecks). */
  readonly indirectChecks: number;
  /** anchors §1.1 SuspicionMult. */
  readonly suspicionMult: number;
  /** anchors §1.1 SuspicionMaxTimeoutMult. */
  readonly suspicionMaxTimeoutMult: number;
  /** Lifeguard local-health ceiling (anchors §1.1 AwarenessMaxMultiplier). */
  readonly awarenessMaxMultiplier: number;
  /** anchors §1.1 GossipInterval. */
  readonly gossipIntervalMs: number;
  /** anchors §1.1 GossipNodes. */
  readonly gossipNodes: number;
  /** anchors §1.1 RetransmitMult. */
  readonly retransmitMult: number;
  /** anchors §1.1 PushPullInterval (scaled above 32 members, util.go pushPullScale). */
  readonly pushPullIntervalMs: number;
  /** anchors §1.1 TCPTimeout: bound of one push/pull exchange. */
  readonly streamTimeoutMs: number;
  /** anchors §1.1 GossipToTheDeadTime. */
  readonly gossipToTheDeadMs: number;
  /** How long dead/left members stay in the table before being reaped (facts §4: 3600 s). */
  readonly deadRetentionMs: number;
  /** How often unconfirmed peers are checked for proactive pings and removal (ours). */
  readonly confirmationSweepMs: number;
}

export const LAN_PROFILE: SwimProfile = {
  name: 'lan',
  probeIntervalMs: 1000,
  probeTimeoutMs: 500,
  // LAN RTTs are well under a millisecond: 500 ms already covers them 500 times over, and a longer
  // timeout only delays detection (measured: Vivaldi's UCB on loopback is 6–55 ms, which would push
  // probes to 800 ms). The adaptive scaling acts on the WAN profile.
  maxProbeTimeoutMs: 500,
  indirectChecks: 3,
  suspicionMult: 4,
  suspicionMaxTimeoutMult: 6,
  awarenessMaxMultiplier: 8,
  gossipIntervalMs: 200,
  gossipNodes: 3,
  retransmitMult: 4,
  pushPullIntervalMs: 30_000,
  streamTimeoutMs: 10_000,
  gossipToTheDeadMs: 30_000,
  deadRetentionMs: 3_600_000,
  confirmationSweepMs: 1000,
};

export const WAN_PROFILE: SwimProfile = {
  name: 'wan',
  probeIntervalMs: 5000,
  probeTimeoutMs: 3000,
  maxProbeTimeoutMs: 4000,
  indirectChecks: 3,
  suspicionMult: 6,
  suspicionMaxTimeoutMult: 6,
  awarenessMaxMultiplier: 8,
  gossipIntervalMs: 500,
  gossipNodes: 4,
  retransmitMult: 4,
  pushPullIntervalMs: 60_000,
  streamTimeoutMs: 30_000,
  gossipToTheDeadMs: 60_000,
  deadRetentionMs: 3_600_000,
  confirmationSweepMs: 1000,
};

/** Fast timing for tests and dev clusters on one machine (memberlist Local, probe 5× faster). */
export const LOCAL_PROFILE: SwimProfile = {
  name: 'local',
  probeIntervalMs: 200,
  probeTimeoutMs: 100,
  maxProbeTimeoutMs: 160,
  indirectChecks: 1,
  suspicionMult: 3,
  suspicionMaxTimeoutMult: 6,
  awarenessMaxMultiplier: 8,
  gossipIntervalMs: 50,
  gossipNodes: 3,
  retransmitMult: 2,
  pushPullIntervalMs: 5000,
  streamTimeoutMs: 1000,
  gossipToTheDeadMs: 5000,
  deadRetentionMs: 60_000,
  confirmationSweepMs: 200,
};

export const PROFILES = { lan: LAN_PROFILE, wan: WAN_PROFILE, local: LOCAL_PROFILE } as const;
export type ProfileName = keyof typeof PROFILES;

export function resolveProfile(profile: ProfileName | SwimProfile | undefined): SwimProfile {
  if (profile === undefined) return LAN_PROFILE;
  if (typeof profile === 'string') {
    const found = PROFILES[profile];
    if (found === undefined) throw new RangeError(`unknown SWIM profile '${profile}' (lan | wan | local)`);
    return found;
  }
  return profile;
}

/** AD-35 role-aware confirmation of UNCONFIRMED peers (facts §7.2). */
export interface RoleConfirmationPolicy {
  /** Passive timeout after which a never-confirmed peer is removed. */
  readonly passiveTimeoutMs: number;
  /** Proactive confirmation pings (0 = never probed for confirmation). */
  readonly proactiveAttempts: number;
  /** Spacing of proactive pings; they start at half the timeout. */
  readonly proactiveIntervalMs: number;
  /** Whether Vivaldi latency and confidence scale the timeout. */
  readonly useVivaldi: boolean;
  /** Cap on the local-health multiplier applied to the timeout. */
  readonly loadMultiplierMax: number;
}

export const ROLE_CONFIRMATION: Readonly<Record<Role, RoleConfirmationPolicy>> = {
  gate: {
    passiveTimeoutMs: 120_000,
    proactiveAttempts: 5,
    proactiveIntervalMs: 5000,
    useVivaldi: true,
    loadMultiplierMax: 3,
  },
  manager: {
    passiveTimeoutMs: 90_000,
    proactiveAttempts: 3,
    proactiveIntervalMs: 5000,
    useVivaldi: true,
    loadMultiplierMax: 5,
  },
  worker: {
    passiveTimeoutMs: 180_000,
    proactiveAttempts: 0,
    proactiveIntervalMs: 5000,
    useVivaldi: false,
    loadMultiplierMax: 10,
  },
};

/** Bounds on everything that grows with peers or with input. */
export interface SwimLimits {
  /** Members kept in the table (facts §4: ≤ 10,000); the oldest dead are evicted first. */
  readonly maxMembers: number;
  /** Pending gossip updates (memberlist HandoffQueueDepth 1024). */
  readonly maxBroadcasts: number;
  /** Largest datagram we send or accept (DESIGN §4, anchors §1.1 UDPBufferSize). */
  readonly maxDatagramBytes: number;
  /** Largest push/pull state we send or accept (ours; memberlist caps at 20 MiB). */
  readonly maxStreamBytes: number;
  /** Encoded meta map (ours: room for a gRPC address, a datacenter and a few tags). */
  readonly maxMetaBytes: number;
  /** Node ids and addresses (ours). */
  readonly maxIdBytes: number;
  /** Per-sender token bucket: burst and refill per second (ours, see README). */
  readonly rateLimitBurst: number;
  readonly rateLimitPerSecond: number;
  /** Senders tracked by the rate limiter (least recently seen evicted). */
  readonly rateLimitSenders: number;
  /** Outstanding probes / ping-reqs we track at once (ours; one per member is plenty). */
  readonly maxPendingAcks: number;
  /** Distinct confirmers remembered per suspicion (facts §4: ≤ 1000). */
  readonly maxSuspicionConfirmers: number;
}

export const DEFAULT_LIMITS: SwimLimits = {
  maxMembers: 10_000,
  maxBroadcasts: 1024,
  maxDatagramBytes: 1400,
  maxStreamBytes: 8 << 20,
  maxMetaBytes: 256,
  maxIdBytes: 64,
  rateLimitBurst: 200,
  rateLimitPerSecond: 200,
  rateLimitSenders: 1024,
  maxPendingAcks: 4096,
  maxSuspicionConfirmers: 1000,
};

/** AD-35 adaptive timeout factors (facts §7.2). */
export const ADAPTIVE_TIMEOUT = {
  /** latency multiplier = min(maxLatencyMultiplier, max(1, rttUcb / latencyUnitMs)). */
  latencyUnitMs: 10,
  maxLatencyMultiplier: 10,
  /** confidence = 1 + confidenceWeight × (1 − quality). */
  confidenceWeight: 0.5,
} as const;
