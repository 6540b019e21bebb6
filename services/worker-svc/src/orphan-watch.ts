// The worker stops the shares of a manager it has lost (facts §3.3, "worker loses job leader …
// grace 5 s, check 1 s … then cancel"). The gate moves a lost manager's share to another manager
// for the time it had not run; a share left running here would double the load on the target.
// SWIM says when a manager is down or back (a refuted death keeps its shares); OrphanedShares
// (@hyperscale/jobs) says when the grace is over; this file only connects them to the executor. A
// manager that restarted in place (same id, seen as another instance at re-registration) never
// looks down to SWIM for long: its old process's shares stop at once (`managerRestarted`).
//
// Managers are recognised by node id: the SWIM member id and the dispatch's manager_id are both the
// manager's HYPERSCALE_NODE_ID, which has one spelling where an address can have several (a host
// name or an IP, an advertised address or the bound one).
import { DEFAULT_ORPHANED_SHARES_CONFIG, OrphanedShares } from '@hyperscale/jobs';
import type { BackgroundTasks, Logger } from '@hyperscale/runtime';
import { type Membership, watchLiveness } from '@hyperscale/swim';
import type { WorkflowExecutor } from './workflow-executor.js';

export interface OrphanWatchOptions {
  /** The datacenter pool the worker shares with its managers. */
  membership: Membership;
  executor: Pick<WorkflowExecutor, 'stopSharesOf'>;
  tasks: BackgroundTasks;
  logger: Logger;
  now: () => number;
  graceMs: number;
  checkIntervalMs?: number;
}

export interface OrphanWatch {
  /**
   * The manager registered us again as another instance (restarted in place): its old process is
   * gone for certain, so what it dispatched stops now, without a grace.
   */
  managerRestarted(managerId: string): void;
  /** Shares stopped, by why (`hyperscale_worker_orphan_shares_stopped_total{reason}`). */
  counters(): { sharesStoppedByReason: Readonly<Record<'manager_dead' | 'manager_restarted', number>> };
  /** Managers whose grace is running, for /debug/state. */
  inGrace(): { manager: string; downSinceMs: number }[];
  /** Stops listening to the pool and stops the check loop. */
  stop(): Promise<void>;
}

export function watchOrphanedShares(options: OrphanWatchOptions): OrphanWatch {
  const { logger, now } = options;
  const orphans = new OrphanedShares({ graceMs: options.graceMs });
  const stopped = { manager_dead: 0, manager_restarted: 0 };
  const stopSharesOf = (managerId: string, reason: keyof typeof stopped) => {
    for (const share of options.executor.stopSharesOf(managerId)) {
      stopped[reason]++;
      logger.warn(
        { managerId, managerAddress: share.managerAddress, jobId: share.jobId, workflowId: share.workflowId },
        'manager lost: stopping the share it dispatched',
      );
    }
  };
  const unwatch = watchLiveness(options.membership, {
    role: 'manager',
    onDown: (member, reason) => {
      logger.info({ managerId: member.id, reason, graceMs: options.graceMs }, 'manager down: orphan grace starts');
      const cutShort = orphans.managerDown(member.id, now());
      if (cutShort !== undefined) stopSharesOf(cutShort, 'manager_dead');
    },
    onUp: (member) => orphans.managerUp(member.id),
  });
  const loop = options.tasks.every(
    'orphaned shares',
    options.checkIntervalMs ?? DEFAULT_ORPHANED_SHARES_CONFIG.checkIntervalMs,
    () => {
      for (const managerId of orphans.expired(now())) stopSharesOf(managerId, 'manager_dead');
    },
  );
  return {
    managerRestarted: (managerId) => {
      logger.info({ managerId }, 'manager restarted: its old process is gone');
      orphans.managerUp(managerId);
      stopSharesOf(managerId, 'manager_restarted');
    },
    inGrace: () => orphans.inGrace(),
    counters: () => ({ sharesStoppedByReason: stopped }),
    stop: async () => {
      unwatch();
      await loop.stop();
    },
  };
}
