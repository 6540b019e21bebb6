// When a worker gives up on a manager it has lost (facts §3.3, "worker loses job leader: workflows
// marked orphaned … grace 5 s, check 1 s … then cancel"). The gate moves a lost manager's share to
// another manager, so the worker must stop the old one or the target gets twice the load asked for.
// The grace lets a false positive (a suspicion refuted, a member back) keep its shares. Pure: the
// worker's shell feeds it membership events and ticks, and stops the shares it names.

export interface OrphanedSharesConfig {
  /** How long a manager stays down before its shares stop (facts §3.3: 5 s). */
  graceMs: number;
  /** How often the shell asks for expired managers (facts §3.3: 1 s). */
  checkIntervalMs: number;
  /** Managers tracked at once; beyond it the longest down has its grace cut short. */
  maxManagers: number;
}

export const DEFAULT_ORPHANED_SHARES_CONFIG: OrphanedSharesConfig = {
  graceMs: 5_000,
  checkIntervalMs: 1_000,
  // ours: a datacenter has a handful of managers; this only bounds a flapping or misconfigured pool
  maxManagers: 256,
};

/**
 * The one setting of the grace, read by workers (how long they wait) and gates (how long they wait
 * for the workers before moving a share): the same key, default and bounds on both, so they agree.
 * Each service adds its own description.
 */
export const ORPHAN_GRACE_SETTING = {
  env: 'HYPERSCALE_ORPHAN_GRACE',
  default: DEFAULT_ORPHANED_SHARES_CONFIG.graceMs,
  min: 0,
  max: 600_000,
} as const;

export class OrphanedShares {
  private readonly graceMs: number;
  private readonly maxManagers: number;
  /** Down managers by when they went down, oldest first (Map keeps insertion order). */
  private readonly downSince = new Map<string, number>();

  constructor(config: Partial<Pick<OrphanedSharesConfig, 'graceMs' | 'maxManagers'>> = {}) {
    this.graceMs = config.graceMs ?? DEFAULT_ORPHANED_SHARES_CONFIG.graceMs;
    this.maxManagers = Math.max(1, config.maxManagers ?? DEFAULT_ORPHANED_SHARES_CONFIG.maxManagers);
  }

  /**
   * `manager` is down from `nowMs` (a repeat keeps the first time: the grace never restarts).
   * Returns the manager whose grace was cut short to stay within the bound — the caller stops its
   * shares now — or undefined. Stopping early is the lesser error: forgetting it would leave its
   * shares running with nobody watching them.
   */
  managerDown(manager: string, nowMs: number): string | undefined {
    if (this.downSince.has(manager)) return undefined;
    let cutShort: string | undefined;
    if (this.downSince.size >= this.maxManagers) {
      cutShort = this.downSince.keys().next().value;
      if (cutShort !== undefined) this.downSince.delete(cutShort);
    }
    this.downSince.set(manager, nowMs);
    return cutShort;
  }

  /** `manager` is back within its grace (e.g. a refuted suspicion): its shares keep running. */
  managerUp(manager: string): void {
    this.downSince.delete(manager);
  }

  /** Managers down for at least the grace, each returned once and then forgotten. */
  expired(nowMs: number): string[] {
    const expired: string[] = [];
    for (const [manager, since] of this.downSince) {
      if (nowMs - since < this.graceMs) continue;
      expired.push(manager);
      this.downSince.delete(manager);
    }
    return expired;
  }

  /** Managers in their grace now, for debug state. */
  inGrace(): { manager: string; downSinceMs: number }[] {
    return [...this.downSince].map(([manager, downSinceMs]) => ({ manager, downSinceMs }));
  }
}
