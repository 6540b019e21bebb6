// The manager in its two SWIM pools (DESIGN.md §1): the datacenter pool with its workers and peer
// managers (LAN timing), and the global pool with the gates (WAN timing; its coordinates drive the
// gates' routing). SWIM is the failure detector: a worker it declares dead, or that leaves, has its
// shares re-dispatched at once. Registration introduces workers and gates as UNCONFIRMED peers.
import type { Logger } from '@hyperscale/runtime';
import {
  DEPARTURE_EVENTS,
  datacenterPoolPlacement,
  globalPoolPlacement,
  type PoolView,
  poolView,
  type SwimNode,
  startPoolNode,
} from '@hyperscale/swim';
import type { ManagerIdentity, ManagerJobs } from './manager-jobs.js';

export type ManagerPoolSettings = Parameters<typeof datacenterPoolPlacement>[0] &
  Parameters<typeof globalPoolPlacement>[0] & { nodeId: string; datacenter: string; grpcHost: string };

export class ManagerMembership {
  private constructor(
    readonly datacenterPool: SwimNode,
    readonly globalPool: SwimNode,
  ) {}

  static async join(
    settings: ManagerPoolSettings,
    identity: ManagerIdentity,
    jobs: ManagerJobs,
    logger: Logger,
  ): Promise<ManagerMembership> {
    const meta = { grpc: identity.address, dc: settings.datacenter };
    const common = { id: settings.nodeId, role: 'manager' as const, bindHost: settings.grpcHost, meta, logger };
    const datacenterPool = await startPoolNode({
      ...common,
      ...datacenterPoolPlacement(settings),
      pool: 'datacenter',
      label: `dc:${settings.datacenter}`,
      onEvent: (event, member) => {
        if (member.role === 'worker' && DEPARTURE_EVENTS.has(event)) jobs.workerLost(member.id, `SWIM: ${event}`);
      },
    });
    const globalPool = await startPoolNode({
      ...common,
      ...globalPoolPlacement(settings),
      pool: 'global',
      label: 'global',
    });
    return new ManagerMembership(datacenterPool, globalPool);
  }

  get datacenterSwimAddress(): string {
    return this.datacenterPool.addr;
  }

  get globalSwimAddress(): string {
    return this.globalPool.addr;
  }

  /**
   * The gRPC address is known once its port is bound (port 0 picks one): both pools then gossip
   * the address peers can call, not the one configured before the bind.
   */
  advertiseGrpc(address: string): void {
    for (const pool of [this.datacenterPool, this.globalPool]) {
      const meta = pool.self().meta;
      if (meta['grpc'] !== address) pool.updateMeta({ ...meta, grpc: address });
    }
  }

  /** A worker registered over gRPC: it enters the datacenter pool as UNCONFIRMED (AD-35). */
  introduceWorker(workerId: string, swimAddress: string): void {
    if (swimAddress) this.datacenterPool.addUnconfirmed({ id: workerId, addr: swimAddress, role: 'worker' });
  }

  /** A gate accepted our registration: it enters the global pool as UNCONFIRMED. */
  introduceGate(gateId: string, swimAddress: string): void {
    if (swimAddress) this.globalPool.addUnconfirmed({ id: gateId, addr: swimAddress, role: 'gate' });
  }

  /** Both pools as this manager sees them (`/membership`, `hyperscale members`). */
  pools(): PoolView[] {
    return [poolView('datacenter', this.datacenterPool), poolView('global', this.globalPool)];
  }

  /** Graceful: both pools hear that we leave, so nobody has to detect it. */
  async leave(): Promise<void> {
    await Promise.all([this.datacenterPool.leave(), this.globalPool.leave()]);
  }
}
