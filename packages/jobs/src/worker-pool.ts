// A manager's view of its workers: who is registered, how many cores each has free by the
// manager's own accounting (it knows what it dispatched), and whose liveness lapsed. Liveness
// comes from whatever membership feeds it (gRPC heartbeats now, SWIM later): `touch` on evidence
// of life, `expire` on the tick, `markLost` when membership declares a death.
import type { Clock } from '@hyperscale/deterministic';

export interface PoolWorker {
  id: string;
  address: string;
  totalCores: number;
  /** Cores held by sub-workflows this manager dispatched. */
  assignedCores: number;
  lastSeenMs: number;
  registeredAtMs: number;
}

export interface WorkerPoolOptions {
  /** A worker silent for this long is lost (default 3 × a 1 s heartbeat, like facts §1.7's 3 × interval). */
  livenessTimeoutMs: number;
  /** Upper bound on registered workers. */
  maxWorkers: number;
}

export class WorkerPool {
  private readonly workers = new Map<string, PoolWorker>();
  private readonly assignments = new Map<string, { workerId: string; cores: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly options: WorkerPoolOptions = { livenessTimeoutMs: 3_000, maxWorkers: 10_000 },
  ) {}

  /** Registers (or re-registers) a worker; returns an error message when refused. */
  register(id: string, address: string, totalCores: number): string | undefined {
    if (!Number.isInteger(totalCores) || totalCores < 1) return `total_cores must be ≥ 1, got ${totalCores}`;
    const existing = this.workers.get(id);
    if (!existing && this.workers.size >= this.options.maxWorkers)
      return `worker limit ${this.options.maxWorkers} reached`;
    const now = this.clock.now();
    this.workers.set(id, {
      id,
      address,
      totalCores,
      assignedCores: existing?.assignedCores ?? 0,
      lastSeenMs: now,
      registeredAtMs: existing?.registeredAtMs ?? now,
    });
    return undefined;
  }

  /** Evidence the worker is alive; false when it is unknown (it must register again). */
  touch(id: string): boolean {
    const worker = this.workers.get(id);
    if (!worker) return false;
    worker.lastSeenMs = this.clock.now();
    return true;
  }

  /** Removes workers whose liveness lapsed; returns their ids. */
  expire(): string[] {
    const now = this.clock.now();
    const lost: string[] = [];
    for (const worker of this.workers.values()) {
      if (now - worker.lastSeenMs > this.options.livenessTimeoutMs) lost.push(worker.id);
    }
    for (const id of lost) this.markLost(id);
    return lost;
  }

  /** Forgets a worker declared dead; its assignments are dropped (the jobs re-dispatch them). */
  markLost(id: string): boolean {
    if (!this.workers.delete(id)) return false;
    for (const [subId, a] of this.assignments) if (a.workerId === id) this.assignments.delete(subId);
    return true;
  }

  get(id: string): PoolWorker | undefined {
    return this.workers.get(id);
  }

  list(): PoolWorker[] {
    return [...this.workers.values()];
  }

  freeCores(id: string): number {
    const w = this.workers.get(id);
    return w ? Math.max(0, w.totalCores - w.assignedCores) : 0;
  }

  totalFreeCores(): number {
    let free = 0;
    for (const w of this.workers.values()) free += Math.max(0, w.totalCores - w.assignedCores);
    return free;
  }

  totalCores(): number {
    let total = 0;
    for (const w of this.workers.values()) total += w.totalCores;
    return total;
  }

  /** Workers with free cores, most free first (facts §1.3 step 5), ties by id for determinism. */
  withFreeCores(): PoolWorker[] {
    return this.list()
      .filter((w) => w.totalCores - w.assignedCores > 0)
      .sort((a, b) => b.totalCores - b.assignedCores - (a.totalCores - a.assignedCores) || a.id.localeCompare(b.id));
  }

  /** Holds `cores` of `workerId` for `subId`; false when they are not free. */
  assign(subId: string, workerId: string, cores: number): boolean {
    const w = this.workers.get(workerId);
    if (!w || this.assignments.has(subId) || w.totalCores - w.assignedCores < cores) return false;
    w.assignedCores += cores;
    this.assignments.set(subId, { workerId, cores });
    return true;
  }

  /** Returns a sub-workflow's cores to its worker (idempotent). */
  release(subId: string): void {
    const a = this.assignments.get(subId);
    if (!a) return;
    this.assignments.delete(subId);
    const w = this.workers.get(a.workerId);
    if (w) w.assignedCores = Math.max(0, w.assignedCores - a.cores);
  }

  assignmentCount(): number {
    return this.assignments.size;
  }
}
