// How per-datacenter outcomes combine into the job's global status (facts §1.5): any FAILED ⇒
// FAILED, else any CANCELLED ⇒ CANCELLED, else any TIMEOUT ⇒ TIMEOUT, all COMPLETED ⇒ COMPLETED.
export type JobOutcome = 'completed' | 'failed' | 'cancelled' | 'timeout';

export function globalOutcome(outcomes: readonly JobOutcome[]): JobOutcome {
  if (outcomes.length === 0) return 'failed';
  if (outcomes.includes('failed')) return 'failed';
  if (outcomes.includes('cancelled')) return 'cancelled';
  if (outcomes.includes('timeout')) return 'timeout';
  return 'completed';
}
