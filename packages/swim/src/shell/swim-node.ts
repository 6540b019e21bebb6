// createSwimNode: the SWIM state machine on real sockets and real time. UDP for datagrams, TCP on
// the same port for push/pull, setTimeout for timers, AES-256-GCM for the optional keyring, Vivaldi
// for coordinates. This is the object services hold; they read it through the Membership interface.
import { seededRandom, systemRandom } from '@hyperscale/deterministic';
import { DEFAULT_LIMITS, type ProfileName, resolveProfile, type SwimLimits, type SwimProfile } from '../config.js';
import type { CoordinateSystem } from '../coordinates.js';
import { SwimMembership } from '../membership.js';
import type { Membership } from '../membership-view.js';
import { renderMetrics } from '../metrics.js';
import type { SwimStats } from '../stats.js';
import type { MemberEventName, MemberListener, MemberMeta, MemberView, Role } from '../types.js';
import { VivaldiCoordinates } from '../vivaldi-coordinates.js';
import { formatHostPort } from './address.js';
import { bindUdpAndTcp } from './bind-udp-and-tcp.js';
import { FaultInjectingTransport, type FaultOptions } from './fault-transport.js';
import { Keyring } from './keyring.js';
import { systemTimers } from './system-timers.js';
import { TcpStreamTransport } from './tcp-stream.js';
import { UdpTransport } from './udp-transport.js';

export interface SwimNodeOptions {
  id: string;
  role: Role;
  bindHost: string;
  /** 0 picks a free port (UDP first, then TCP on the same number). */
  bindPort: number;
  /** host:port peers should use, when it differs from bindHost:bindPort (NAT, 0.0.0.0). */
  advertiseAddr?: string;
  seeds?: readonly string[];
  profile?: ProfileName | SwimProfile;
  /** 32-byte keys, primary first; or a Keyring to rotate keys at run time. */
  keyring?: Keyring | readonly Uint8Array[];
  label?: string;
  meta?: MemberMeta;
  limits?: Partial<SwimLimits>;
  /** Vivaldi (default) or your own CoordinateSystem, or 'none'. */
  coordinates?: CoordinateSystem | 'vivaldi' | 'none';
  /** Seed for the node's random stream (default: unseeded). */
  seed?: number;
  /** Fault injection around the UDP transport (tests, chaos drills). */
  faults?: FaultOptions;
  /** How long start() waits for the first join round before resolving anyway. */
  joinWaitMs?: number;
  /** Every RTT measured on a direct probe (the sample Vivaldi learns from), e.g. for routing (AD-45). */
  onRttSample?: (peerId: string, rttMs: number) => void;
}

export interface SwimNode extends Membership {
  readonly id: string;
  /** The UDP (and TCP) address we are reachable at. */
  readonly addr: string;
  readonly core: SwimMembership;
  readonly keyring: Keyring | undefined;
  readonly faults: FaultInjectingTransport;
  /** Binds, starts the loops and joins the seeds; resolves with the number of seeds that answered. */
  start(): Promise<number>;
  leave(): Promise<void>;
  stop(): Promise<void>;
  localCoordinate(): unknown;
  rttUcbMs(peerId: string): number | undefined;
  /** Quality in [0, 1] of the RTT estimate to a peer (AD-35). */
  coordinateQuality(peerId: string): number | undefined;
  estimateRttMs(fromId: string, toId: string): number | undefined;
  stats(): SwimStats;
  metricsText(): string;
  validateState(): string[];
  addUnconfirmed(peer: { id: string; addr: string; role: Role; meta?: MemberMeta }): void;
  /** Replaces this node's meta and gossips it (a bumped incarnation), e.g. once a port is bound. */
  updateMeta(meta: MemberMeta): void;
}

export function createSwimNode(options: SwimNodeOptions): SwimNode {
  const profile = resolveProfile(options.profile);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const random = options.seed === undefined ? systemRandom : seededRandom(options.seed);
  const keyring =
    options.keyring === undefined
      ? undefined
      : options.keyring instanceof Keyring
        ? options.keyring
        : new Keyring(options.keyring);
  let core: SwimMembership | undefined;
  const udp = new UdpTransport((from, bytes) => core?.handlePacket(from, bytes));
  const faults = new FaultInjectingTransport(udp, systemTimers, random, options.faults ?? {});
  const tcp = new TcpStreamTransport(
    limits.maxStreamBytes,
    (from, bytes) => core?.handleStream(from, bytes),
    profile.streamTimeoutMs,
  );
  let addr = options.advertiseAddr ?? formatHostPort(options.bindHost, options.bindPort);
  let started = false;

  const build = (): SwimMembership => {
    const coordinates =
      options.coordinates === 'none'
        ? undefined
        : options.coordinates === undefined || options.coordinates === 'vivaldi'
          ? new VivaldiCoordinates({ selfId: options.id, clock: systemTimers, random })
          : options.coordinates;
    return new SwimMembership({
      id: options.id,
      role: options.role,
      addr,
      meta: options.meta,
      profile,
      limits,
      timers: systemTimers,
      random,
      packets: faults,
      stream: tcp,
      sealer: keyring,
      label: options.label,
      coordinates,
      onRttSample: options.onRttSample,
    });
  };
  // Build once up front so bad ids/meta fail in createSwimNode, not in start().
  core = build();
  const pendingListeners: [MemberEventName, MemberListener][] = [];

  const node: SwimNode = {
    id: options.id,
    get addr() {
      return addr;
    },
    get core() {
      return core!;
    },
    keyring,
    faults,
    async start() {
      if (started) return 0;
      started = true;
      const port = await bindUdpAndTcp(udp, tcp, options.bindHost, options.bindPort);
      if (options.bindPort === 0 && options.advertiseAddr === undefined) {
        addr = formatHostPort(options.bindHost, port);
        core = build();
        for (const [event, listener] of pendingListeners) core.on(event, listener);
      }
      const seeds = options.seeds ?? [];
      return new Promise<number>((resolve) => {
        const timer = setTimeout(() => resolve(0), options.joinWaitMs ?? profile.streamTimeoutMs + 1000);
        core!.start(seeds, (joined) => {
          clearTimeout(timer);
          resolve(joined);
        });
      });
    },
    leave() {
      return new Promise<void>((resolve) => {
        core!.leave(() => {
          // Let the last datagrams leave the socket before closing it.
          setTimeout(() => {
            void Promise.all([udp.close(), tcp.close()]).then(() => resolve());
          }, 100);
        });
      });
    },
    async stop() {
      core!.stop();
      await Promise.all([udp.close(), tcp.close()]);
    },
    members: () => core!.members(),
    member: (id: string): MemberView | undefined => core!.member(id),
    self: () => core!.self(),
    on(event, listener) {
      pendingListeners.push([event, listener]);
      core!.on(event, listener);
    },
    off(event, listener) {
      const index = pendingListeners.findIndex(([e, l]) => e === event && l === listener);
      if (index >= 0) pendingListeners.splice(index, 1);
      core!.off(event, listener);
    },
    localCoordinate: () => core!.localCoordinate(),
    rttUcbMs: (peerId) => core!.rttUcbMs(peerId),
    coordinateQuality: (peerId) => core!.coordinateQuality(peerId),
    estimateRttMs: (fromId, toId) => core!.estimateRttMs(fromId, toId),
    stats: () => core!.stats(),
    metricsText: () => renderMetrics(core!),
    validateState: () => core!.validateState(),
    addUnconfirmed: (peer) => core!.addUnconfirmed(peer),
    updateMeta: (meta) => core!.updateMeta(meta),
  };
  return node;
}
