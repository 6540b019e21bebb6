// Status enums ⇄ the packages' outcome names.
import type { JobOutcome } from '@hyperscale/jobs';
import { JobStatus, WorkflowStatus } from '@hyperscale/protocol';

const OUTCOME_TO_STATUS: Record<JobOutcome, JobStatus> = {
  completed: JobStatus.COMPLETED,
  failed: JobStatus.FAILED,
  cancelled: JobStatus.CANCELLED,
  timeout: JobStatus.TIMEOUT,
};

export function jobStatusOf(outcome: JobOutcome): JobStatus {
  return OUTCOME_TO_STATUS[outcome];
}

/** The outcome of a terminal status; undefined while the job still runs. */
export function outcomeOf(status: JobStatus): JobOutcome | undefined {
  switch (status) {
    case JobStatus.COMPLETED:
      return 'completed';
    case JobStatus.FAILED:
      return 'failed';
    case JobStatus.CANCELLED:
      return 'cancelled';
    case JobStatus.TIMEOUT:
      return 'timeout';
    default:
      return undefined;
  }
}

export function isTerminalJobStatus(status: JobStatus): boolean {
  return outcomeOf(status) !== undefined;
}

/** 'COMPLETED', 'RUNNING', … for logs and the CLI. */
export function jobStatusName(status: JobStatus): string {
  return JobStatus[status] ?? `UNKNOWN(${status})`;
}

export function workflowStatusName(status: WorkflowStatus): string {
  return WorkflowStatus[status] ?? `UNKNOWN(${status})`;
}

/** The terminal workflow status a worker reports, as the coordinator's result kind. */
export function resultKindOf(status: WorkflowStatus): 'completed' | 'failed' | 'cancelled' | undefined {
  if (status === WorkflowStatus.COMPLETED) return 'completed';
  if (status === WorkflowStatus.FAILED) return 'failed';
  if (status === WorkflowStatus.CANCELLED) return 'cancelled';
  return undefined;
}
