// When a gate holds a running datacenter share lost, and where the share goes next (AD-36's review
// of running jobs; facts §3 failure table). Pure: the gate's registry and router supply the facts.
import { DEFAULT_ORPHANED_SHARES_CONFIG } from './orphaned-shares.js';

/** Why and for how long the manager instance running a share is lost. */
export interface ManagerLoss {
  /** SWIM holds it dead or gone; another instance registered under its id; the gate forgot it. */
  reason: 'dead' | 'restarted' | 'forgotten';
  forMs: number;
}

export type ShareLossReason = `manager_${ManagerLoss['reason']}` | 'datacenter_unreachable';

export const SHARE_LOSS_REASONS: readonly ShareLossReason[] = [
  'manager_dead',
  'manager_restarted',
  'manager_forgotten',
  'datacenter_unreachable',
];

export interface ShareLossInput {
  /** The loss of the share's manager instance, if it is lost. */
  managerLoss: ManagerLoss | undefined;
  /** Whether the gate can reach any manager of the share's datacenter. */
  datacenterReachable: boolean;
  /** The workers' orphan grace: they stop a lost manager's shares this long (plus one check) after. */
  orphanGraceMs: number;
}

/** Whether a running share is lost now, and why; undefined keeps it where it is (for now). */
export function shareLoss(input: ShareLossInput): ShareLossReason | undefined {
  const { managerLoss } = input;
  if (managerLoss !== undefined) {
    // Moving the share before the workers stopped the old one would run it twice at once.
    const stoppedAfterMs = input.orphanGraceMs + DEFAULT_ORPHANED_SHARES_CONFIG.checkIntervalMs;
    return managerLoss.forMs >= stoppedAfterMs ? `manager_${managerLoss.reason}` : undefined;
  }
  return input.datacenterReachable ? undefined : 'datacenter_unreachable';
}

/**
 * The datacenters to try for a lost share, in order: its own first while reachable (another of its
 * managers, or the restarted one, takes it), then those of the router's `chain` the job does not
 * use yet.
 */
export function lostShareDestinations(
  from: string,
  datacenterReachable: boolean,
  chain: readonly string[],
  usedByJob: (datacenter: string) => boolean,
): string[] {
  const unused = chain.filter((dc) => !usedByJob(dc));
  return datacenterReachable ? [from, ...unused.filter((dc) => dc !== from)] : unused;
}
