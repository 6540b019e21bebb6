// The manager in its two SWIM pools (DESIGN.md §1): the datacenter pool with its workers and peer
// managers (LAN timing), and the global pool with the gates (WAN timing; its coordinates drive the
// gates' routing). SWIM is the failure detector: a worker it declares dead, or that leaves, has its
// shares re-dispatched at once. Registration introduces workers and gates as UNCONFIRMED peers.
import type { Logger } from '@hyperscale/runtime';
import {
  type MemberEventName,
  type MemberView,
  type PoolView,
  type ProfileName,
  poolView,
  type SwimNode,
  startPoolNode,
} from '@hyperscale/swim';
import type { ManagerIdentity, ManagerJobs } from './manager-jobs.js';

export interface ManagerPoolSettings {
  nodeId: string;
  datacenter: string;
  grpcHost: string;
  swimPort: number;
  swimAdvertiseAddress: string | undefined;
  swimSeeds: readonly string[];
  swimProfile: ProfileName;
  globalSwimPort: number;
  globalSwimAdvertiseAddress: string | undefined;
  globalSwimSeeds: readonly string[];
  globalSwimProfile: ProfileName;
  swimKeys: readonly string[];
  swimInjectDelay: number;
}

const GONE: ReadonlySet<MemberEventName> = new Set(['member-dead', 'member-leave', 'member-removed']);

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
    const log = (pool: string) => (event: MemberEventName, member: MemberView) => {
      const fields = { pool, event, member: member.id, role: member.role, state: member.state, addr: member.addr };
      if (event === 'member-dead' || event === 'member-suspect') logger.warn(fields, 'membership change');
      else logger.info(fields, 'membership change');
    };
    const datacenterLog = log('datacenter');
    const datacenterPool = await startPoolNode({
      id: settings.nodeId,
      role: 'manager',
      bindHost: settings.grpcHost,
      bindPort: settings.swimPort,
      ...(settings.swimAdvertiseAddress ? { advertiseAddr: settings.swimAdvertiseAddress } : {}),
      seeds: settings.swimSeeds,
      profile: settings.swimProfile,
      keys: settings.swimKeys,
      label: `dc:${settings.datacenter}`,
      meta,
      injectDelayMs: settings.swimInjectDelay,
      onEvent: (event, member) => {
        datacenterLog(event, member);
        if (member.role === 'worker' && GONE.has(event)) jobs.workerLost(member.id, `SWIM: ${event}`);
      },
    });
    const globalPool = await startPoolNode({
      id: settings.nodeId,
      role: 'manager',
      bindHost: settings.grpcHost,
      bindPort: settings.globalSwimPort,
      ...(settings.globalSwimAdvertiseAddress ? { advertiseAddr: settings.globalSwimAdvertiseAddress } : {}),
      seeds: settings.globalSwimSeeds,
      profile: settings.globalSwimProfile,
      keys: settings.swimKeys,
      label: 'global',
      meta,
      injectDelayMs: settings.swimInjectDelay,
      onEvent: log('global'),
    });
    return new ManagerMembership(datacenterPool, globalPool);
  }

  get datacenterSwimAddress(): string {
    return this.datacenterPool.addr;
  }

  get globalSwimAddress(): string {
    return this.globalPool.addr;
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
