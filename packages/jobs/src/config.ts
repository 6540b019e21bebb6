// Defaults of the job model, each with its source (README lists them too).
export interface JobConfig {
  /** Attempts to place one share of a workflow before the workflow fails (facts §1.3 step 2). */
  maxDispatchAttempts: number;
  /** Backoff after a rejected dispatch: base, factor and cap (facts §1.3 step 2). */
  retryBaseMs: number;
  retryFactor: number;
  retryCapMs: number;
  /** Re-dispatches a job may spend on lost or rejected shares (AD-44: 10 per job). */
  jobRetryBudget: number;
  /** A lost share is re-dispatched for the workflow's remaining time, never less than this. */
  minRedispatchMs: number;
  /** How long a cancelled job waits for its workers' final results before finishing anyway. */
  cancelGraceMs: number;
}

export const DEFAULT_JOB_CONFIG: JobConfig = {
  maxDispatchAttempts: 5,
  retryBaseMs: 1_000,
  retryFactor: 2,
  retryCapMs: 60_000,
  jobRetryBudget: 10,
  minRedispatchMs: 1_000,
  cancelGraceMs: 5_000,
};
