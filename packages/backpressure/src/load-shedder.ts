// Priority load shedding (AD-22): as the overload state worsens, refuse the least important
// requests first — LOW when busy, NORMAL too when stressed, everything but CRITICAL when
// overloaded. A refused request is answered cheaply (RESOURCE_EXHAUSTED with a retry-after) so
// the work the node does keep doing stays fast.
import { Priority, priorityLabel } from './message-class.js';
import { OverloadDetector, OverloadState } from './overload-detector.js';

/** The least important priority still served in each state (facts §6 row 22). */
const LOWEST_SERVED: Readonly<Record<OverloadState, Priority>> = {
  [OverloadState.HEALTHY]: Priority.LOW,
  [OverloadState.BUSY]: Priority.NORMAL,
  [OverloadState.STRESSED]: Priority.HIGH,
  [OverloadState.OVERLOADED]: Priority.CRITICAL,
};

/** Retry-after suggested to a shed caller, per state (ours: one AD-18 sample period is ~1 s of traffic; grow with severity). */
export const SHED_RETRY_AFTER_MS: Readonly<Record<OverloadState, number>> = {
  [OverloadState.HEALTHY]: 0,
  [OverloadState.BUSY]: 500,
  [OverloadState.STRESSED]: 1000,
  [OverloadState.OVERLOADED]: 2000,
};

export type ShedDecision = { readonly shed: false } | { readonly shed: true; readonly retryAfterMs: number };

export class LoadShedder {
  private readonly shedCounts = [0, 0, 0, 0];

  /**
   * @param floor an optional faster reading the state never goes below (the manager's event-loop
   *   saturation check, read between two detector samples); the detector's state otherwise.
   */
  constructor(
    readonly detector: OverloadDetector = new OverloadDetector(),
    private readonly floor: () => OverloadState = () => OverloadState.HEALTHY,
  ) {}

  /** The state shedding follows now: the worse of the detector's and the floor's. */
  state(): OverloadState {
    return Math.max(this.detector.state, this.floor()) as OverloadState;
  }

  /** Whether a request of this priority would be shed right now (no counting). */
  wouldShed(priority: Priority): boolean {
    return priority > LOWEST_SERVED[this.state()];
  }

  /** Decides for one request and counts it if shed. CRITICAL is never shed. */
  decide(priority: Priority): ShedDecision {
    const state = this.state();
    if (!(priority > LOWEST_SERVED[state])) return { shed: false };
    this.shedCounts[priority]!++;
    return { shed: true, retryAfterMs: SHED_RETRY_AFTER_MS[state] };
  }

  shedCount(priority: Priority): number {
    return this.shedCounts[priority]!;
  }

  /** `{critical, high, normal, low}` shed counts for metrics. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of [Priority.CRITICAL, Priority.HIGH, Priority.NORMAL, Priority.LOW]) {
      out[priorityLabel(p)] = this.shedCounts[p]!;
    }
    return out;
  }
}
