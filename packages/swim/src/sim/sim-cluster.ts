// Many SwimMembership instances on one SimNetwork: the harness behind the simulation tests and
// anyone (services, benchmarks) who wants a deterministic cluster. Every member's events land in
// one log with the virtual time they happened at.
import { seededRandom } from '@hyperscale/deterministic';
import type { ProfileName, RoleConfirmationPolicy, SwimLimits, SwimProfile } from '../config.js';
import type { CoordinateSystem } from '../coordinates.js';
import type { PacketSealer } from '../envelope.js';
import { SwimMembership } from '../membership.js';
import { MEMBER_EVENTS, type MemberEventName, type Role } from '../types.js';
import { EventScheduler } from './event-scheduler.js';
import { SimNetwork } from './sim-network.js';

export interface SimClusterOptions {
  size: number;
  seed: number;
  profile: ProfileName | SwimProfile;
  /** RTT between member i and member j, ms. */
  rttMs: (i: number, j: number) => number;
  roleOf?: (i: number) => Role;
  jitter?: number;
  loss?: number;
  duplication?: number;
  sealerFor?: (i: number) => PacketSealer | undefined;
  label?: string;
  coordinatesFor?: (i: number) => CoordinateSystem | undefined;
  roleConfirmation?: Partial<Record<Role, RoleConfirmationPolicy>>;
  limits?: Partial<SwimLimits>;
  /** The virtual clock to use (default: a new one at 0), e.g. to share it with coordinates. */
  scheduler?: EventScheduler;
}

export interface SimEvent {
  atMs: number;
  observer: string;
  event: MemberEventName;
  member: string;
  incarnation: number;
}

export class SimCluster {
  readonly scheduler: EventScheduler;
  readonly network: SimNetwork;
  readonly nodes: SwimMembership[] = [];
  readonly addrs: string[] = [];
  readonly events: SimEvent[] = [];
  private readonly indexByAddr = new Map<string, number>();
  private readonly killed = new Set<number>();

  constructor(private readonly options: SimClusterOptions) {
    this.scheduler = options.scheduler ?? new EventScheduler(0);
    const random = seededRandom(options.seed);
    for (let i = 0; i < options.size; i++) {
      const addr = `sim-${i}:7946`;
      this.addrs.push(addr);
      this.indexByAddr.set(addr, i);
    }
    this.network = new SimNetwork({
      scheduler: this.scheduler,
      random,
      rttMs: (a, b) => options.rttMs(this.indexByAddr.get(a) ?? 0, this.indexByAddr.get(b) ?? 0),
      jitter: options.jitter ?? 0,
      loss: options.loss ?? 0,
      duplication: options.duplication ?? 0,
    });
    for (let i = 0; i < options.size; i++) this.nodes.push(this.build(i, options.seed * 7919 + i));
  }

  /** Builds (or rebuilds after a crash) member `i` on its host. */
  private build(i: number, seed: number): SwimMembership {
    const addr = this.addrs[i]!;
    const host = this.network.host(addr) ?? this.network.addHost(addr);
    host.alive = true;
    host.stalledUntilMs = 0;
    const node = new SwimMembership({
      id: `n${i}`,
      role: this.options.roleOf?.(i) ?? 'manager',
      addr,
      meta: { dc: `dc-${i % 3}` },
      profile: this.options.profile,
      timers: host.timers,
      random: seededRandom(seed),
      packets: host.packets,
      stream: host.stream,
      sealer: this.options.sealerFor?.(i),
      label: this.options.label,
      coordinates: this.options.coordinatesFor?.(i),
      roleConfirmation: this.options.roleConfirmation,
      limits: this.options.limits,
    });
    host.handler = {
      packet: (from, bytes) => node.handlePacket(from, bytes),
      stream: (from, bytes) => node.handleStream(from, bytes),
    };
    for (const event of MEMBER_EVENTS) {
      node.on(event, (member) =>
        this.events.push({
          atMs: this.scheduler.now(),
          observer: node.id,
          event,
          member: member.id,
          incarnation: member.incarnation,
        }),
      );
    }
    return node;
  }

  /** Starts every member, each joining through member 0 (or `seeds`), spread over `spreadMs`. */
  startAll(spreadMs = 1000, seeds: readonly number[] = [0]): void {
    this.nodes.forEach((node, i) => {
      const seedAddrs = seeds.filter((s) => s !== i).map((s) => this.addrs[s]!);
      const delay = i === 0 ? 0 : (spreadMs * i) / this.nodes.length;
      this.scheduler.after(delay, () => node.start(seedAddrs));
    });
  }

  /** kill -9: the member stops and its host drops everything. */
  kill(i: number): void {
    this.killed.add(i);
    this.nodes[i]!.stop();
    this.network.kill(this.addrs[i]!);
  }

  /** A fresh process at the same address and id, joining through `seeds`. */
  restart(i: number, seeds: readonly number[] = [0], seed = 1000 + i): SwimMembership {
    this.nodes[i]!.stop();
    const node = this.build(i, seed);
    this.nodes[i] = node;
    this.killed.delete(i);
    node.start(seeds.filter((s) => s !== i).map((s) => this.addrs[s]!));
    return node;
  }

  stall(i: number, ms: number): void {
    this.network.stall(this.addrs[i]!, ms);
  }

  running(): SwimMembership[] {
    return this.nodes.filter((node) => node.isRunning());
  }

  /** Every member not killed is running and sees every other one as alive. */
  converged(): boolean {
    const live = this.running();
    if (live.length !== this.nodes.length - this.killed.size) return false;
    const ids = live.map((n) => n.id);
    return live.every((node) => ids.every((id) => id === node.id || node.member(id)?.state === 'alive'));
  }

  /** Members in `observers` that report `memberId` in `state`. */
  countSeeing(memberId: string, state: string, observers = this.running()): number {
    return observers.filter((node) => node.member(memberId)?.state === state).length;
  }

  eventsOf(event: MemberEventName, member?: string): SimEvent[] {
    return this.events.filter((e) => e.event === event && (member === undefined || e.member === member));
  }
}

/** RTT matrix lookup with members assigned round-robin to its regions (1 ms inside a region). */
export function matrixRtt(matrix: readonly (readonly number[])[]): (i: number, j: number) => number {
  const regions = matrix.length;
  return (i, j) => {
    const a = i % regions;
    const b = j % regions;
    if (a === b) return 1;
    return matrix[a]?.[b] ?? 100;
  };
}
