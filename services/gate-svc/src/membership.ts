// The gate in the global SWIM pool (DESIGN.md §1) with the other gates and every manager. SWIM
// tells the gate which managers died (their datacenter stops counting them at once, instead of
// after a stale report), and the Vivaldi coordinates riding on its probes give the router each
// manager's RTT upper bound and its quality (AD-35, AD-36). Registration introduces managers as
// UNCONFIRMED peers.

import type { Clock } from '@hyperscale/deterministic';
import {
  type DistanceEstimate,
  type DistanceEstimator,
  MaturityLatch,
  memberDistanceEstimator,
  ObservedLatency,
} from '@hyperscale/routing';
import type { Logger } from '@hyperscale/runtime';
import {
  DEPARTURE_EVENTS,
  globalPoolPlacement,
  type PoolView,
  poolView,
  type SwimNode,
  startPoolNode,
} from '@hyperscale/swim';
import type { DatacenterRegistry } from './datacenter-registry.js';

export type GatePoolSettings = Parameters<typeof globalPoolPlacement>[0] & { nodeId: string; grpcHost: string };

function isCoordinate(value: unknown): value is { sampleCount: number; errorMs: number } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { sampleCount?: unknown }).sampleCount === 'number' &&
    typeof (value as { errorMs?: unknown }).errorMs === 'number'
  );
}

export class GateMembership {
  private node: SwimNode | undefined;
  /** Distance routing starts at the converged bar and stops only on a clear loss of confidence. */
  private readonly maturity = new MaturityLatch();
  /** RTTs this gate measured to each datacenter's managers on SWIM probes (AD-45). */
  private readonly observed = new ObservedLatency();

  constructor(
    private readonly registry: DatacenterRegistry,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  async join(settings: GatePoolSettings, grpcAddress: string): Promise<void> {
    this.node = await startPoolNode({
      ...globalPoolPlacement(settings),
      pool: 'global',
      id: settings.nodeId,
      role: 'gate',
      bindHost: settings.grpcHost,
      label: 'global',
      meta: { grpc: grpcAddress },
      logger: this.logger,
      onRttSample: (peerId, rttMs) => {
        const datacenter = this.registry.get(peerId)?.datacenter;
        if (datacenter !== undefined) this.observed.record(datacenter, rttMs, this.clock.now());
      },
      onEvent: (event, member) => {
        if (member.role !== 'manager') return;
        if (DEPARTURE_EVENTS.has(event)) this.registry.managerGone(member.id);
        else if (event === 'member-alive' || event === 'member-join') this.registry.managerBack(member.id);
      },
    });
  }

  get address(): string {
    return this.node?.addr ?? '';
  }

  /** A manager registered over gRPC: it enters the global pool as UNCONFIRMED (AD-35). */
  introduceManager(managerId: string, swimAddress: string): void {
    if (swimAddress) this.node?.addUnconfirmed({ id: managerId, addr: swimAddress, role: 'manager' });
  }

  /**
   * Distances for the router: per-manager RTT bound and quality, median per datacenter, blended
   * with the RTTs this gate measured itself (AD-45).
   */
  distanceEstimator(): DistanceEstimator {
    const estimate = (managerId: string): DistanceEstimate | undefined => {
      const quality = this.node?.coordinateQuality(managerId);
      const rttUcbMs = this.node?.rttUcbMs(managerId);
      // No coordinate yet (quality 0): missing coordinates, which demote but never exclude.
      if (rttUcbMs === undefined || quality === undefined || quality <= 0) return undefined;
      return { rttUcbMs, quality };
    };
    return memberDistanceEstimator<string>({
      membersOf: (dc) => this.registry.managersOf(dc).map((m) => m.managerId),
      estimate,
      manager: estimate,
      localIsMature: () => {
        const local = this.node?.localCoordinate();
        return isCoordinate(local) && this.maturity.update(local.sampleCount, local.errorMs);
      },
      observed: (datacenter) => this.observed.estimate(datacenter, this.clock.now()),
    });
  }

  /** The global pool as this gate sees it, with each member's coordinate quality. */
  pools(): (PoolView & { quality: Record<string, number | undefined> })[] {
    const node = this.node;
    if (!node) return [];
    const view = poolView('global', node);
    return [{ ...view, quality: Object.fromEntries(view.members.map((m) => [m.id, node.coordinateQuality(m.id)])) }];
  }

  async leave(): Promise<void> {
    await this.node?.leave();
  }
}
