// AD-33 workflow lifecycle (facts §1.7): the allowed transitions of a workflow, refusing any other,
// and the progress clock AD-34 reads. Progress callbacks run after the new state is committed
// (outside any critical section), so a callback that re-enters `transition` or throws can never
// leave a half-applied transition behind; callback errors are returned, not swallowed.
import type { Clock } from '@hyperscale/deterministic';

export type WorkflowLifecycleState =
  | 'pending'
  | 'dispatched'
  | 'running'
  | 'completed'
  | 'failed'
  | 'failed-canceling-dependents'
  | 'failed-ready-for-retry'
  | 'cancelling'
  | 'cancelled'
  | 'aggregated';

/** The transition table of facts §1.7. */
export const WORKFLOW_TRANSITIONS: Readonly<Record<WorkflowLifecycleState, readonly WorkflowLifecycleState[]>> =
  Object.freeze({
    pending: ['dispatched', 'cancelling', 'failed'],
    dispatched: ['running', 'cancelling', 'failed'],
    running: ['completed', 'failed', 'cancelling', 'aggregated'],
    failed: ['failed-canceling-dependents', 'cancelled'],
    'failed-canceling-dependents': ['failed-ready-for-retry'],
    'failed-ready-for-retry': ['pending'],
    cancelling: ['cancelled'],
    completed: [],
    cancelled: [],
    aggregated: [],
  });

export function isTerminalWorkflowState(state: WorkflowLifecycleState): boolean {
  return WORKFLOW_TRANSITIONS[state].length === 0;
}

export interface WorkflowProgressEvent {
  workflowId: string;
  jobId: string;
  from: WorkflowLifecycleState | null;
  to: WorkflowLifecycleState;
  reason: string;
  at: number;
}

export type WorkflowProgressCallback = (event: WorkflowProgressEvent) => void;

export type TransitionResult =
  | { ok: true; from: WorkflowLifecycleState; to: WorkflowLifecycleState; callbackErrors: unknown[] }
  | {
      ok: false;
      error: 'unknown-workflow' | 'invalid-transition';
      from: WorkflowLifecycleState | null;
      to: WorkflowLifecycleState;
    };

export type RegisterResult = { ok: true } | { ok: false; error: 'duplicate' | 'capacity' };

interface WorkflowRecord {
  jobId: string;
  state: WorkflowLifecycleState;
  lastProgressAt: number;
  /** Per-workflow `stuck_after` from the spec, if any. */
  stuckAfterMs: number | null;
  terminalAt: number | null;
}

export interface StuckWorkflow {
  workflowId: string;
  jobId: string;
  state: WorkflowLifecycleState;
  sinceProgressMs: number;
}

export interface WorkflowLifecycleOptions {
  clock: Clock;
  /** Cap on tracked workflows (TimeoutConfig.maxWorkflows). */
  maxWorkflows: number;
  /** Terminal workflows are forgotten by `sweep` after this long (TimeoutConfig.terminalRetentionMs). */
  terminalRetentionMs: number;
}

export class WorkflowLifecycle {
  private readonly workflows = new Map<string, WorkflowRecord>();
  private readonly callbacks = new Set<WorkflowProgressCallback>();

  constructor(private readonly options: WorkflowLifecycleOptions) {}

  get size(): number {
    return this.workflows.size;
  }

  register(workflowId: string, jobId: string, stuckAfterMs: number | null = null): RegisterResult {
    if (this.workflows.has(workflowId)) return { ok: false, error: 'duplicate' };
    if (this.workflows.size >= this.options.maxWorkflows) {
      this.sweep();
      if (this.workflows.size >= this.options.maxWorkflows) return { ok: false, error: 'capacity' };
    }
    const now = this.options.clock.now();
    this.workflows.set(workflowId, { jobId, state: 'pending', lastProgressAt: now, stuckAfterMs, terminalAt: null });
    this.notify({ workflowId, jobId, from: null, to: 'pending', reason: 'registered', at: now });
    return { ok: true };
  }

  stateOf(workflowId: string): WorkflowLifecycleState | undefined {
    return this.workflows.get(workflowId)?.state;
  }

  /** Applies one transition of the table, or refuses it and changes nothing. */
  transition(workflowId: string, to: WorkflowLifecycleState, reason: string): TransitionResult {
    const record = this.workflows.get(workflowId);
    if (record === undefined) return { ok: false, error: 'unknown-workflow', from: null, to };
    const from = record.state;
    if (!WORKFLOW_TRANSITIONS[from].includes(to)) return { ok: false, error: 'invalid-transition', from, to };
    const now = this.options.clock.now();
    record.state = to;
    record.lastProgressAt = now;
    record.terminalAt = isTerminalWorkflowState(to) ? now : null;
    const callbackErrors = this.notify({ workflowId, jobId: record.jobId, from, to, reason, at: now });
    return { ok: true, from, to, callbackErrors };
  }

  /** Progress inside a state (items completed while RUNNING). */
  recordProgress(workflowId: string): boolean {
    const record = this.workflows.get(workflowId);
    if (record === undefined || record.terminalAt !== null) return false;
    const now = this.options.clock.now();
    record.lastProgressAt = now;
    this.notify({ workflowId, jobId: record.jobId, from: record.state, to: record.state, reason: 'progress', at: now });
    return true;
  }

  /** Returns an unsubscribe function. */
  onProgress(callback: WorkflowProgressCallback): () => void {
    this.callbacks.add(callback);
    return () => {
      this.callbacks.delete(callback);
    };
  }

  timeSinceProgress(workflowId: string): number | undefined {
    const record = this.workflows.get(workflowId);
    return record === undefined ? undefined : this.options.clock.now() - record.lastProgressAt;
  }

  /**
   * Non-terminal workflows without progress for longer than their own `stuck_after`, or than
   * `thresholdMs` for those without one. Sorted longest-stuck first.
   */
  stuckWorkflows(thresholdMs: number): StuckWorkflow[] {
    const now = this.options.clock.now();
    const stuck: StuckWorkflow[] = [];
    for (const [workflowId, record] of this.workflows) {
      if (record.terminalAt !== null) continue;
      const limit = record.stuckAfterMs ?? thresholdMs;
      const since = now - record.lastProgressAt;
      if (since > limit) stuck.push({ workflowId, jobId: record.jobId, state: record.state, sinceProgressMs: since });
    }
    return stuck.sort((a, b) => b.sinceProgressMs - a.sinceProgressMs || a.workflowId.localeCompare(b.workflowId));
  }

  forget(workflowId: string): boolean {
    return this.workflows.delete(workflowId);
  }

  /** Forgets terminal workflows older than the retention; returns how many. */
  sweep(): number {
    const now = this.options.clock.now();
    let removed = 0;
    for (const [workflowId, record] of this.workflows) {
      if (record.terminalAt !== null && now - record.terminalAt >= this.options.terminalRetentionMs) {
        this.workflows.delete(workflowId);
        removed++;
      }
    }
    return removed;
  }

  private notify(event: WorkflowProgressEvent): unknown[] {
    const errors: unknown[] = [];
    for (const callback of [...this.callbacks]) {
      try {
        callback(event);
      } catch (error) {
        errors.push(error);
      }
    }
    return errors;
  }
}
