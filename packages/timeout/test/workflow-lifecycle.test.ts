import { VirtualClock } from '@hyperscale/deterministic';
import { describe, expect, it } from 'vitest';
import {
  WORKFLOW_TRANSITIONS,
  WorkflowLifecycle,
  type WorkflowLifecycleState,
  type WorkflowProgressEvent,
} from '../src/index.js';

function lifecycle(clock = new VirtualClock(0), maxWorkflows = 100) {
  return { clock, machine: new WorkflowLifecycle({ clock, maxWorkflows, terminalRetentionMs: 300_000 }) };
}

const ALL: WorkflowLifecycleState[] = Object.keys(WORKFLOW_TRANSITIONS) as WorkflowLifecycleState[];

describe('AD-33 workflow lifecycle', () => {
  it('follows the happy path and the retry path of facts §1.7', () => {
    const { machine } = lifecycle();
    machine.register('wf', 'job');
    for (const to of [
      'dispatched',
      'running',
      'failed',
      'failed-canceling-dependents',
      'failed-ready-for-retry',
      'pending',
      'dispatched',
      'running',
      'completed',
    ] as const) {
      expect(machine.transition('wf', to, 'test').ok).toBe(true);
    }
    expect(machine.stateOf('wf')).toBe('completed');
  });

  it('refuses every transition outside the table and changes nothing', () => {
    const { machine } = lifecycle();
    let n = 0;
    for (const from of ALL) {
      for (const to of ALL) {
        if (WORKFLOW_TRANSITIONS[from].includes(to)) continue;
        const id = `wf-${n++}`;
        machine.register(id, 'job');
        // Force the workflow into `from` through a legal path.
        const path: Record<WorkflowLifecycleState, WorkflowLifecycleState[]> = {
          pending: [],
          dispatched: ['dispatched'],
          running: ['dispatched', 'running'],
          completed: ['dispatched', 'running', 'completed'],
          failed: ['failed'],
          'failed-canceling-dependents': ['failed', 'failed-canceling-dependents'],
          'failed-ready-for-retry': ['failed', 'failed-canceling-dependents', 'failed-ready-for-retry'],
          cancelling: ['cancelling'],
          cancelled: ['cancelling', 'cancelled'],
          aggregated: ['dispatched', 'running', 'aggregated'],
        };
        for (const step of path[from]) expect(machine.transition(id, step, 'setup').ok).toBe(true);
        const refused = machine.transition(id, to, 'bad');
        expect(refused).toMatchObject({ ok: false, error: 'invalid-transition', from, to });
        expect(machine.stateOf(id)).toBe(from);
      }
    }
    expect(n).toBeGreaterThan(60);
  });

  it('invokes progress callbacks after the state is committed, even when they re-enter or throw', () => {
    const { machine } = lifecycle();
    machine.register('wf', 'job');
    const seen: WorkflowProgressEvent[] = [];
    machine.onProgress((event) => {
      seen.push(event);
      // Re-entrant: the state is already the new one.
      expect(machine.stateOf('wf')).toBe(event.to);
      if (event.to === 'running') machine.transition('wf', 'completed', 'finished inside callback');
    });
    machine.onProgress(() => {
      throw new Error('observer failed');
    });
    machine.transition('wf', 'dispatched', 'go');
    const result = machine.transition('wf', 'running', 'started');
    expect(result.ok && result.callbackErrors.length).toBe(1);
    expect(machine.stateOf('wf')).toBe('completed');
    expect(seen.map((e) => e.to)).toEqual(['dispatched', 'running', 'completed']);
  });

  it('measures time since progress and lists stuck workflows with per-workflow stuck_after', () => {
    const { clock, machine } = lifecycle();
    machine.register('slow', 'job');
    machine.register('fast', 'job', 30_000);
    machine.register('done', 'job');
    machine.transition('done', 'dispatched', 'x');
    machine.transition('done', 'running', 'x');
    machine.transition('done', 'completed', 'x');
    clock.advance(60_000);
    expect(machine.timeSinceProgress('slow')).toBe(60_000);
    expect(machine.stuckWorkflows(120_000).map((s) => s.workflowId)).toEqual(['fast']);
    clock.advance(60_001);
    expect(machine.stuckWorkflows(120_000).map((s) => s.workflowId)).toEqual(['fast', 'slow']);
    machine.recordProgress('slow');
    expect(machine.stuckWorkflows(120_000).map((s) => s.workflowId)).toEqual(['fast']);
  });

  it('is bounded: terminal workflows are swept, and a full table refuses with capacity', () => {
    const { clock, machine } = lifecycle(new VirtualClock(0), 2);
    machine.register('a', 'job');
    machine.register('b', 'job');
    expect(machine.register('c', 'job')).toEqual({ ok: false, error: 'capacity' });
    machine.transition('a', 'cancelling', 'x');
    machine.transition('a', 'cancelled', 'x');
    clock.advance(300_000);
    expect(machine.register('c', 'job')).toEqual({ ok: true });
    expect(machine.stateOf('a')).toBeUndefined();
    expect(machine.register('c', 'job')).toEqual({ ok: false, error: 'duplicate' });
  });
});
