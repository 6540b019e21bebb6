// @hyperscale/swim: SWIM + Lifeguard membership and failure detection (see README).
export {
  adaptiveProbeTimeoutMs,
  confidenceMultiplier,
  latencyMultiplier,
  unconfirmedTimeoutMs,
} from './adaptive-timeout.js';
export { Awareness } from './awareness.js';
export { type BroadcastKind, BroadcastQueue } from './broadcast-queue.js';
export {
  assembleMessage,
  ByteReader,
  ByteWriter,
  type DecodedMessage,
  DecodeError,
  decodeMessage,
  encodePart,
  type Part,
} from './codec.js';
export {
  ADAPTIVE_TIMEOUT,
  DEFAULT_LIMITS,
  LAN_PROFILE,
  LOCAL_PROFILE,
  PROFILES,
  type ProfileName,
  ROLE_CONFIRMATION,
  type RoleConfirmationPolicy,
  resolveProfile,
  type SwimLimits,
  type SwimProfile,
  WAN_PROFILE,
} from './config.js';
export { type CoordinateSystem, NO_COORDINATES } from './coordinates.js';
export { Envelope, type EnvelopeError, type PacketSealer, PROTOCOL_MAJOR, PROTOCOL_MINOR } from './envelope.js';
export { pushPullScaleMs, remainingSuspicionTimeMs, retransmitLimit, suspicionTimeoutMs } from './formulas.js';
export {
  type PacketTransport,
  type StreamTransport,
  SwimMembership,
  type SwimMembershipOptions,
} from './membership.js';
export { aliveMembers, type LivenessWatch, type Membership, watchLiveness } from './membership-view.js';
export { renderMetrics } from './metrics.js';
export { SenderRateLimiter } from './rate-limiter.js';
export { formatHostPort, parseHostPort } from './shell/address.js';
export { FaultInjectingTransport, type FaultOptions } from './shell/fault-transport.js';
export { Keyring } from './shell/keyring.js';
export {
  DEPARTURE_EVENTS,
  datacenterPoolPlacement,
  globalPoolPlacement,
  type PoolMemberRow,
  type PoolNodeOptions,
  type PoolView,
  poolView,
  startPoolNode,
} from './shell/pool-node.js';
export { datacenterPoolSettings, globalPoolSettings, swimCommonSettings } from './shell/pool-settings.js';
export { createSwimNode, type SwimNode, type SwimNodeOptions } from './shell/swim-node.js';
export { systemTimers } from './shell/system-timers.js';
export { TcpStreamTransport } from './shell/tcp-stream.js';
export { RECEIVE_BUFFER_BYTES, UdpTransport } from './shell/udp-transport.js';
export { EventScheduler } from './sim/event-scheduler.js';
export { matrixRtt, SimCluster, type SimClusterOptions, type SimEvent } from './sim/sim-cluster.js';
export { type SimHandler, SimHost, SimNetwork, type SimNetworkOptions } from './sim/sim-network.js';
export { droppedDatagrams, emptyStats, type SwimStats } from './stats.js';
export { SuspicionTimer } from './suspicion.js';
export {
  MEMBER_EVENTS,
  type MemberEventName,
  type MemberListener,
  type MemberMeta,
  type MemberState,
  type MemberView,
  ROLES,
  type Role,
  type Timers,
} from './types.js';
export { VivaldiCoordinates, type VivaldiCoordinatesOptions } from './vivaldi-coordinates.js';
