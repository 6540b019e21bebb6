// The workflow DAG of one job. A workflow is ready when every workflow it depends on completed;
// when a workflow fails or is cancelled, everything that depends on it (transitively) is
// cancelled, because its preconditions will never hold.
export type WorkflowState = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface PlannedWorkflow {
  name: string;
  dependsOn: readonly string[];
}

export class DependencyPlan {
  private readonly states: WorkflowState[];
  private readonly deps: number[][];
  private readonly dependents: number[][];

  constructor(readonly workflows: readonly PlannedWorkflow[]) {
    const index = new Map<string, number>();
    workflows.forEach((w, i) => {
      if (index.has(w.name)) throw new RangeError(`workflow name '${w.name}' is used twice`);
      index.set(w.name, i);
    });
    this.deps = workflows.map((w) =>
      w.dependsOn.map((d) => {
        const j = index.get(d);
        if (j === undefined) throw new RangeError(`workflow '${w.name}' depends on unknown workflow '${d}'`);
        return j;
      }),
    );
    this.dependents = workflows.map(() => []);
    this.deps.forEach((ds, i) => {
      for (const d of ds) this.dependents[d]!.push(i);
    });
    const cycle = this.findCycle();
    if (cycle) throw new RangeError(`workflows depend on each other in a cycle: ${cycle.join(' → ')}`);
    this.states = workflows.map(() => 'pending');
  }

  state(i: number): WorkflowState {
    return this.states[i]!;
  }

  /** Pending workflows whose dependencies all completed, in declaration order. */
  ready(): number[] {
    const result: number[] = [];
    this.states.forEach((s, i) => {
      if (s === 'pending' && this.deps[i]!.every((d) => this.states[d] === 'completed')) result.push(i);
    });
    return result;
  }

  markRunning(i: number): void {
    if (this.states[i] === 'pending') this.states[i] = 'running';
  }

  markCompleted(i: number): void {
    if (this.states[i] === 'running' || this.states[i] === 'pending') this.states[i] = 'completed';
  }

  /** Marks `i` failed or cancelled; returns the dependents cancelled as a consequence. */
  markEnded(i: number, state: 'failed' | 'cancelled'): number[] {
    if (this.isTerminal(i)) return [];
    this.states[i] = state;
    const cancelled: number[] = [];
    const stack = [...this.dependents[i]!];
    while (stack.length > 0) {
      const j = stack.pop()!;
      if (this.isTerminal(j)) continue;
      this.states[j] = 'cancelled';
      cancelled.push(j);
      stack.push(...this.dependents[j]!);
    }
    return cancelled.sort((a, b) => a - b);
  }

  /** Cancels every workflow not yet terminal; returns them. */
  cancelAll(): number[] {
    const cancelled: number[] = [];
    this.states.forEach((s, i) => {
      if (s === 'pending' || s === 'running') {
        this.states[i] = 'cancelled';
        cancelled.push(i);
      }
    });
    return cancelled;
  }

  isTerminal(i: number): boolean {
    const s = this.states[i];
    return s === 'completed' || s === 'failed' || s === 'cancelled';
  }

  isFinished(): boolean {
    return this.states.every((_, i) => this.isTerminal(i));
  }

  counts(): Record<WorkflowState, number> {
    const counts: Record<WorkflowState, number> = { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
    for (const s of this.states) counts[s]++;
    return counts;
  }

  private findCycle(): string[] | undefined {
    const colour = this.workflows.map(() => 0); // 0 new, 1 on stack, 2 done
    const path: number[] = [];
    const visit = (i: number): number[] | undefined => {
      colour[i] = 1;
      path.push(i);
      for (const d of this.deps[i]!) {
        if (colour[d] === 1) return [...path.slice(path.indexOf(d)), d];
        if (colour[d] === 0) {
          const found = visit(d);
          if (found) return found;
        }
      }
      path.pop();
      colour[i] = 2;
      return undefined;
    };
    for (let i = 0; i < this.workflows.length; i++) {
      if (colour[i] === 0) {
        const found = visit(i);
        if (found) return found.map((j) => this.workflows[j]!.name);
      }
    }
    return undefined;
  }
}
