// Builders for router tests: datacenter inputs with sensible healthy defaults, and a distance
// estimator whose numbers a test sets by hand.
import type { DatacenterInput, DistanceEstimate, DistanceEstimator, ManagerInput } from '../src/index.js';

export function manager(id: string, overrides: Partial<ManagerInput> = {}): ManagerInput {
  return { managerId: id, circuit: 'closed', heartbeatAgeMs: 1_000, ...overrides };
}

export function dc(id: string, overrides: Partial<DatacenterInput> = {}): DatacenterInput {
  return {
    datacenterId: id,
    health: 'healthy',
    healthAgeMs: 1_000,
    managers: [manager(`${id}-m1`, { isLeader: true, term: 1 }), manager(`${id}-m2`), manager(`${id}-m3`)],
    availableCores: 80,
    totalCores: 100,
    queueDepth: 0,
    ...overrides,
  };
}

export class FakeDistance implements DistanceEstimator {
  readonly estimates = new Map<string, DistanceEstimate>();
  readonly managers = new Map<string, DistanceEstimate>();
  mature = true;

  set(id: string, rttUcbMs: number, quality = 1): this {
    this.estimates.set(id, { rttUcbMs, quality });
    return this;
  }

  datacenter(id: string): DistanceEstimate | undefined {
    return this.estimates.get(id);
  }

  manager(id: string): DistanceEstimate | undefined {
    return this.managers.get(id);
  }

  localIsMature(): boolean {
    return this.mature;
  }
}

/** A mutable list of datacenters a test edits between decisions. */
export class World {
  private readonly byId = new Map<string, DatacenterInput>();

  constructor(dcs: DatacenterInput[]) {
    for (const d of dcs) this.byId.set(d.datacenterId, d);
  }

  update(id: string, overrides: Partial<DatacenterInput>): void {
    const current = this.byId.get(id);
    if (current === undefined) throw new Error(`no dc ${id}`);
    this.byId.set(id, { ...current, ...overrides });
  }

  remove(id: string): void {
    this.byId.delete(id);
  }

  get(id: string): DatacenterInput {
    const d = this.byId.get(id);
    if (d === undefined) throw new Error(`no dc ${id}`);
    return d;
  }

  readonly candidates = (): DatacenterInput[] => [...this.byId.values()];
}
