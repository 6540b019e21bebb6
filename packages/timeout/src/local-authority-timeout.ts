// Single-DC jobs (no gate): the manager is the only authority. It applies the DC-local rules and
// decides TIMEOUT itself; the decision is idempotent because the job then has a final status.
import {
  detectLocalTimeout,
  type StrategyCheckResult,
  type StrategyContext,
  type TimeoutStrategy,
} from './timeout-strategy.js';
import type { TimeoutTrackingState } from './tracking-state.js';

export class LocalAuthorityTimeout implements TimeoutStrategy {
  readonly kind = 'local-authority' as const;

  check(state: TimeoutTrackingState, ctx: StrategyContext): StrategyCheckResult {
    if (state.finalStatus !== null || state.locallyTimedOut) return { effects: [], timeOut: null };
    const verdict = detectLocalTimeout(state, ctx.now);
    if (verdict === null) return { effects: [], timeOut: null };
    state.locallyTimedOut = true;
    state.localTimeoutAt = ctx.now;
    state.localTimeoutReason = verdict.reason;
    state.localTimeoutDetail = verdict.detail;
    return { effects: [], timeOut: verdict };
  }
}
