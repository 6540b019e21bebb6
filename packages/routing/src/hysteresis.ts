// AD-36 part 5: keeps a job on its primary unless moving is clearly worth it, so routing does not
// flap between two datacenters whose scores cross back and forth.
//   forced (immediate):  current excluded or gone · dropped out of the primary bucket ·
//                        a dispatch to it failed (cooling) · its score stayed ≥ degradeRatio × its
//                        score at selection for degradeConfirmMs
//   voluntary:           only after holdDownMs, and only if best < improvementRatio × current
// Scores are compared as they are now (the current primary's fresh score), not as they were.
// A job already running at its primary is only moved by what stops it running there (exclusion, a
// failed dispatch): a busier bucket, a degraded score or a better datacenter elsewhere are reasons
// to place the next job differently, not to restart a running load test's ramp-up in another
// datacenter (Nomad likewise reschedules allocations on node failure, never for load).
import type { RoutingConfig } from './config.js';
import type { JobRoutingState, ScoreMode } from './job-routing-state.js';
import type { RoutingReason } from './routing-decision.js';

export interface HysteresisInput {
  readonly state: JobRoutingState;
  /** The best-ranked eligible datacenter (head of the primary bucket). */
  readonly bestId: string;
  readonly bestKey: number;
  /** The current primary's bucket is the primary bucket and it is eligible; undefined otherwise. */
  readonly current:
    | { readonly status: 'eligible'; readonly key: number; readonly cooling: boolean }
    | { readonly status: 'excluded' }
    | { readonly status: 'bucket_drop' }
    | undefined;
  readonly mode: ScoreMode;
  readonly nowMs: number;
  /** The job is running at its primary (a review, not a placement). */
  readonly running?: boolean;
}

export interface HysteresisVerdict {
  readonly primary: string;
  readonly switched: boolean;
  readonly reason: RoutingReason;
  /** best ÷ current key when both were compared, else null. */
  readonly improvementRatio: number | null;
  /** The hold-down kept a primary that the improvement rule would have replaced. */
  readonly holdDownBlocked: boolean;
}

export function evaluateSwitch(input: HysteresisInput, config: RoutingConfig): HysteresisVerdict {
  const { state, bestId, bestKey, current, nowMs } = input;
  const switchTo = (reason: RoutingReason, ratio: number | null = null): HysteresisVerdict => ({
    primary: bestId,
    switched: true,
    reason,
    improvementRatio: ratio,
    holdDownBlocked: false,
  });
  const stay = (reason: RoutingReason, ratio: number | null, blocked = false): HysteresisVerdict => ({
    primary: state.primary ?? bestId,
    switched: false,
    reason,
    improvementRatio: ratio,
    holdDownBlocked: blocked,
  });

  if (state.primary === null) return { ...switchTo('initial'), switched: false };
  if (current === undefined || current.status === 'excluded') return switchTo('forced_excluded');
  if (current.status === 'bucket_drop' && input.running !== true) return switchTo('forced_bucket_drop');
  if (current.status === 'bucket_drop') return stay('kept_running', null);

  // A mode change (bootstrap ↔ scored) makes the old baseline meaningless: re-base on today's key.
  if (state.baselineMode !== input.mode || !(state.baselineKey > 0)) {
    state.baselineKey = current.key;
    state.baselineMode = input.mode;
    state.degradedSinceMs = null;
  }

  if (bestId === state.primary) {
    state.degradedSinceMs = null;
    return stay('retained_best', null);
  }

  const ratio = current.key > 0 ? bestKey / current.key : 1;
  if (current.cooling && bestKey < current.key) return switchTo('forced_dispatch_failed', ratio);
  if (input.running === true) {
    state.degradedSinceMs = null;
    return stay('kept_running', ratio);
  }

  if (input.mode === 'scored' && current.key >= config.degradeRatio * state.baselineKey) {
    state.degradedSinceMs ??= nowMs;
    if (nowMs - state.degradedSinceMs >= config.degradeConfirmMs && bestKey < current.key) {
      return switchTo('forced_degraded', ratio);
    }
  } else {
    state.degradedSinceMs = null;
  }

  const wouldImprove = bestKey < config.improvementRatio * current.key;
  if (nowMs - state.selectedAtMs < config.holdDownMs) return stay('hold_down', ratio, wouldImprove);
  if (wouldImprove) return switchTo('improved', ratio);
  return stay('below_improvement', ratio);
}
