// Per-job routing memory: the job's current primary (for hysteresis), datacenters cooling down after
// a failed dispatch, and the manager that accepted the job in each datacenter (stickiness).
// The store is bounded twice: entries idle for `jobStateTtlMs` expire, and at most `maxTrackedJobs`
// are kept (least recently routed evicted first) — the original's per-job maps grew without bound
// (facts §9.1), which this must not repeat.

/** How many datacenters one job may remember cooldowns or sticky managers for. A job is routed to
 * few datacenters; the cap only guards against a caller feeding unbounded ids. */
export const MAX_DATACENTERS_PER_JOB = 256;

export type ScoreMode = 'scored' | 'bootstrap';

export class JobRoutingState {
  primary: string | null = null;
  selectedAtMs = 0;
  /** The primary's sort key when it was selected (score, or rank in bootstrap mode). */
  baselineKey = 0;
  baselineMode: ScoreMode = 'scored';
  /** When the primary's key first rose past degradeRatio × baseline; null when it is not degraded. */
  degradedSinceMs: number | null = null;
  lastTouchedMs: number;
  private cooldowns: Map<string, number> | null = null;
  private stickyManagers: Map<string, string> | null = null;

  constructor(nowMs: number) {
    this.lastTouchedMs = nowMs;
  }

  select(datacenterId: string, key: number, mode: ScoreMode, nowMs: number): void {
    this.primary = datacenterId;
    this.selectedAtMs = nowMs;
    this.baselineKey = key;
    this.baselineMode = mode;
    this.degradedSinceMs = null;
  }

  startCooldown(datacenterId: string, untilMs: number): void {
    if (this.cooldowns === null) this.cooldowns = new Map();
    this.cooldowns.delete(datacenterId);
    this.cooldowns.set(datacenterId, untilMs);
    boundMap(this.cooldowns);
  }

  isCooling(datacenterId: string, nowMs: number): boolean {
    const until = this.cooldowns?.get(datacenterId);
    return until !== undefined && until > nowMs;
  }

  /** Drops cooldowns that have ended; returns the datacenters still cooling. */
  expireCooldowns(nowMs: number): string[] {
    const cooling: string[] = [];
    if (this.cooldowns === null) return cooling;
    for (const [dc, until] of this.cooldowns) {
      if (until <= nowMs) this.cooldowns.delete(dc);
      else cooling.push(dc);
    }
    if (this.cooldowns.size === 0) this.cooldowns = null;
    return cooling;
  }

  stickyManager(datacenterId: string): string | undefined {
    return this.stickyManagers?.get(datacenterId);
  }

  setStickyManager(datacenterId: string, managerId: string): void {
    if (this.stickyManagers === null) this.stickyManagers = new Map();
    this.stickyManagers.delete(datacenterId);
    this.stickyManagers.set(datacenterId, managerId);
    boundMap(this.stickyManagers);
  }

  clearStickyManager(datacenterId: string): void {
    this.stickyManagers?.delete(datacenterId);
  }
}

function boundMap<V>(map: Map<string, V>): void {
  while (map.size > MAX_DATACENTERS_PER_JOB) {
    const oldest = map.keys().next();
    if (oldest.done === true) break;
    map.delete(oldest.value);
  }
}

export class JobRoutingStateStore {
  // Map iteration order is insertion order; re-inserting on every touch keeps the least recently
  // routed job first, so both TTL expiry and LRU eviction only ever look at the front.
  private readonly states = new Map<string, JobRoutingState>();
  /** touch() sweeps for expired states at most this often (the TTL is an hour; a second is exact enough). */
  private static readonly SWEEP_EVERY_MS = 1_000;
  private lastSweepMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly ttlMs: number,
    private readonly maxJobs: number,
  ) {}

  get size(): number {
    return this.states.size;
  }

  /** The job's state if it is tracked (does not touch it). */
  peek(jobId: string): JobRoutingState | undefined {
    return this.states.get(jobId);
  }

  /** The job's state, created if missing, marked as used now. */
  touch(jobId: string, nowMs: number): JobRoutingState {
    if (nowMs - this.lastSweepMs >= JobRoutingStateStore.SWEEP_EVERY_MS) {
      this.lastSweepMs = nowMs;
      this.expire(nowMs);
    }
    let state = this.states.get(jobId);
    if (state === undefined) {
      state = new JobRoutingState(nowMs);
    } else {
      this.states.delete(jobId);
    }
    state.lastTouchedMs = nowMs;
    this.states.set(jobId, state);
    while (this.states.size > this.maxJobs) {
      const oldest = this.states.keys().next();
      if (oldest.done === true) break;
      this.states.delete(oldest.value);
    }
    return state;
  }

  delete(jobId: string): boolean {
    return this.states.delete(jobId);
  }

  /** Drops every state idle for the TTL or longer. Amortised O(expired). */
  expire(nowMs: number): number {
    let dropped = 0;
    for (const [jobId, state] of this.states) {
      if (nowMs - state.lastTouchedMs < this.ttlMs) break;
      this.states.delete(jobId);
      dropped++;
    }
    return dropped;
  }

  values(): IterableIterator<JobRoutingState> {
    return this.states.values();
  }
}
