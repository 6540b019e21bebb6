// A simulated datagram and stream network for many members in one process (DESIGN §7.2): per-link
// latency from a matrix, jitter, loss, duplication, partitions, crashed hosts and stalled event
// loops, all on one virtual clock and one seeded random stream, so a failing seed replays exactly.
import type { Random } from '@hyperscale/deterministic';
import type { PacketTransport, StreamTransport } from '../membership.js';
import type { Timers } from '../types.js';
import type { EventScheduler } from './event-scheduler.js';

export interface SimHandler {
  packet(fromAddr: string, bytes: Uint8Array): void;
  stream(fromAddr: string, bytes: Uint8Array): Uint8Array | undefined;
}

export interface SimNetworkOptions {
  scheduler: EventScheduler;
  random: Random;
  /** Round-trip time between two hosts, ms (one way = half). */
  rttMs: (fromAddr: string, toAddr: string) => number;
  /** Each delivery's one-way delay is multiplied by 1 ± U(0, jitter). */
  jitter?: number;
  /** Probability that a datagram is lost. */
  loss?: number;
  /** Probability that a datagram is delivered twice. */
  duplication?: number;
}

/** One member's view of the network: its transports and its (stallable) timers. */
export class SimHost {
  stalledUntilMs = 0;
  alive = true;
  handler: SimHandler | undefined;
  sent = 0;
  received = 0;
  bytesSent = 0;

  constructor(
    readonly addr: string,
    private readonly network: SimNetwork,
  ) {}

  readonly packets: PacketTransport = {
    send: (toAddr, bytes) => {
      if (!this.alive) return;
      this.sent++;
      this.bytesSent += bytes.length;
      this.network.deliverPacket(this.addr, toAddr, bytes);
    },
  };

  readonly stream: StreamTransport = {
    exchange: (toAddr, request, timeoutMs, done) => this.network.exchange(this, toAddr, request, timeoutMs, done),
  };

  /** Timers that do not fire while this host's event loop is stalled (they run when it resumes). */
  readonly timers: Timers = {
    now: () => this.network.scheduler.now(),
    after: (delayMs, fn) => {
      let cancelled = false;
      let cancelInner = this.network.scheduler.after(delayMs, () =>
        this.runWhenAwake(
          fn,
          () => cancelled,
          (c) => (cancelInner = c),
        ),
      );
      return () => {
        cancelled = true;
        cancelInner();
      };
    },
  };

  /** Runs `fn` now, or when the host wakes up; `setCancel` tracks the re-scheduled timer. */
  runWhenAwake(fn: () => void, isCancelled: () => boolean, setCancel: (cancel: () => void) => void): void {
    if (isCancelled() || !this.alive) return;
    const now = this.network.scheduler.now();
    if (this.stalledUntilMs > now) {
      setCancel(this.network.scheduler.at(this.stalledUntilMs, () => this.runWhenAwake(fn, isCancelled, setCancel)));
      return;
    }
    fn();
  }
}

export class SimNetwork {
  readonly scheduler: EventScheduler;
  private readonly random: Random;
  private readonly rttMs: (fromAddr: string, toAddr: string) => number;
  jitter: number;
  loss: number;
  duplication: number;
  private readonly hosts = new Map<string, SimHost>();
  /** addr → partition group; hosts in different groups cannot talk. Empty map = no partition. */
  private groups = new Map<string, number>();
  datagramsDelivered = 0;
  datagramsDropped = 0;

  constructor(options: SimNetworkOptions) {
    this.scheduler = options.scheduler;
    this.random = options.random;
    this.rttMs = options.rttMs;
    this.jitter = options.jitter ?? 0;
    this.loss = options.loss ?? 0;
    this.duplication = options.duplication ?? 0;
  }

  addHost(addr: string): SimHost {
    const host = new SimHost(addr, this);
    this.hosts.set(addr, host);
    return host;
  }

  host(addr: string): SimHost | undefined {
    return this.hosts.get(addr);
  }

  /** The host stops: no more sends, receives or timers (kill -9). */
  kill(addr: string): void {
    const host = this.hosts.get(addr);
    if (host !== undefined) host.alive = false;
  }

  /** The host's event loop freezes for `ms`: timers and arrivals wait until it resumes. */
  stall(addr: string, ms: number): void {
    const host = this.hosts.get(addr);
    if (host !== undefined) host.stalledUntilMs = this.scheduler.now() + ms;
  }

  partition(groups: readonly (readonly string[])[]): void {
    this.groups = new Map();
    groups.forEach((group, index) => {
      for (const addr of group) this.groups.set(addr, index);
    });
  }

  heal(): void {
    this.groups = new Map();
  }

  canReach(fromAddr: string, toAddr: string): boolean {
    if (this.groups.size === 0) return true;
    return (this.groups.get(fromAddr) ?? -1) === (this.groups.get(toAddr) ?? -1);
  }

  deliverPacket(fromAddr: string, toAddr: string, bytes: Uint8Array): void {
    if (!this.canReach(fromAddr, toAddr) || this.random.next() < this.loss) {
      this.datagramsDropped++;
      return;
    }
    const copies = this.random.next() < this.duplication ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      this.scheduler.after(this.oneWayMs(fromAddr, toAddr), () => this.arrive(fromAddr, toAddr, bytes));
    }
  }

  exchange(
    from: SimHost,
    toAddr: string,
    request: Uint8Array,
    timeoutMs: number,
    done: (reply: Uint8Array | undefined) => void,
  ): void {
    let settled = false;
    const settle = (reply: Uint8Array | undefined) => {
      if (settled) return;
      settled = true;
      from.runWhenAwake(
        () => done(reply),
        () => false,
        () => {},
      );
    };
    this.scheduler.after(timeoutMs, () => settle(undefined));
    if (!this.canReach(from.addr, toAddr)) return;
    this.scheduler.after(this.oneWayMs(from.addr, toAddr), () => {
      const target = this.hosts.get(toAddr);
      if (target === undefined || !target.alive || target.handler === undefined || !this.canReach(from.addr, toAddr))
        return;
      target.runWhenAwake(
        () => {
          const reply = target.handler?.stream(from.addr, request);
          if (reply === undefined) return;
          this.scheduler.after(this.oneWayMs(toAddr, from.addr), () => {
            if (this.canReach(toAddr, from.addr)) settle(reply);
          });
        },
        () => false,
        () => {},
      );
    });
  }

  private arrive(fromAddr: string, toAddr: string, bytes: Uint8Array): void {
    const target = this.hosts.get(toAddr);
    if (target === undefined || !target.alive || target.handler === undefined) {
      this.datagramsDropped++;
      return;
    }
    target.runWhenAwake(
      () => {
        this.datagramsDelivered++;
        target.received++;
        target.handler?.packet(fromAddr, bytes);
      },
      () => false,
      () => {},
    );
  }

  private oneWayMs(fromAddr: string, toAddr: string): number {
    const base = Math.max(0.05, this.rttMs(fromAddr, toAddr) / 2);
    const wobble = this.jitter === 0 ? 1 : 1 + (this.random.next() * 2 - 1) * this.jitter;
    return base * Math.max(0.1, wobble);
  }
}
