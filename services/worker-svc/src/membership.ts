// The worker in its datacenter's SWIM pool (DESIGN.md §1). The worker probes its managers (they
// never probe workers for confirmation, AD-35), so the managers learn at once when it dies, and the
// worker learns when a manager dies: its shares stop after the orphan grace (orphan-watch.ts). A
// manager's registration answer introduces the manager as an UNCONFIRMED peer.
import type { Logger } from '@hyperscale/runtime';
import { datacenterPoolPlacement, type PoolView, poolView, type SwimNode, startPoolNode } from '@hyperscale/swim';

export type WorkerPoolSettings = Parameters<typeof datacenterPoolPlacement>[0] & {
  nodeId: string;
  datacenter: string;
  grpcHost: string;
};

export class WorkerMembership {
  private constructor(readonly pool: SwimNode) {}

  static async join(settings: WorkerPoolSettings, grpcAddress: string, logger: Logger): Promise<WorkerMembership> {
    const pool = await startPoolNode({
      pool: 'datacenter',
      id: settings.nodeId,
      role: 'worker',
      bindHost: settings.grpcHost,
      ...datacenterPoolPlacement(settings),
      label: `dc:${settings.datacenter}`,
      meta: { grpc: grpcAddress, dc: settings.datacenter },
      logger,
    });
    return new WorkerMembership(pool);
  }

  get address(): string {
    return this.pool.addr;
  }

  /** A manager accepted our registration: it enters the pool as UNCONFIRMED and gets probed. */
  introduceManager(managerId: string, swimAddress: string): void {
    if (swimAddress) this.pool.addUnconfirmed({ id: managerId, addr: swimAddress, role: 'manager' });
  }

  /** The pool as this worker sees it (`/membership`, `hyperscale members`). */
  pools(): PoolView[] {
    return [poolView('datacenter', this.pool)];
  }

  async leave(): Promise<void> {
    await this.pool.leave();
  }
}
