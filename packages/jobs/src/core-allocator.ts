// A worker's cores. Allocation is all-or-nothing per workflow so a dispatch either gets every
// core it asked for or changes nothing (facts §1.4: lowest free indices first).
export type CoreAllocation = { ok: true; cores: number[] } | { ok: false; reason: string };

export class CoreAllocator {
  private readonly owners: (string | undefined)[];

  constructor(readonly totalCores: number) {
    if (!Number.isInteger(totalCores) || totalCores < 1)
      throw new RangeError(`totalCores must be ≥ 1, got ${totalCores}`);
    this.owners = new Array<string | undefined>(totalCores).fill(undefined);
  }

  get availableCores(): number {
    return this.owners.filter((o) => o === undefined).length;
  }

  allocate(workflowId: string, count: number): CoreAllocation {
    if (!Number.isInteger(count) || count < 1)
      return { ok: false, reason: `cores must be a positive integer, got ${count}` };
    if (count > this.totalCores)
      return { ok: false, reason: `asked for ${count} cores, worker has ${this.totalCores}` };
    if (this.owners.includes(workflowId)) return { ok: false, reason: `workflow ${workflowId} already holds cores` };
    const free: number[] = [];
    for (let i = 0; i < this.owners.length && free.length < count; i++) if (this.owners[i] === undefined) free.push(i);
    if (free.length < count) return { ok: false, reason: `asked for ${count} cores, ${free.length} free` };
    for (const i of free) this.owners[i] = workflowId;
    return { ok: true, cores: free };
  }

  /** Releases every core of the workflow; returns how many were freed. */
  free(workflowId: string): number {
    let freed = 0;
    for (let i = 0; i < this.owners.length; i++) {
      if (this.owners[i] === workflowId) {
        this.owners[i] = undefined;
        freed++;
      }
    }
    return freed;
  }

  holders(): Map<string, number[]> {
    const result = new Map<string, number[]>();
    this.owners.forEach((owner, core) => {
      if (owner !== undefined) result.set(owner, [...(result.get(owner) ?? []), core]);
    });
    return result;
  }
}
