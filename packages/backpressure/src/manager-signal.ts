// The signal a manager sends: the worse of its stats buffer's level and its overload state.
// The stats buffer only sees progress it has already absorbed; when the event loop itself is
// saturated (by progress or by anything else) the overload detector sees it first, and asking
// producers to slow down is far cheaper than shedding their requests one by one afterwards.
// Measured in bench/backpressure-sim.ts: without the overload term the stats level never rose above
// NONE while the loop was saturated (the manager absorbed < 0.70 of HOT per tick), and the load
// was held only by shedding, at a control-p99 ratio of ~25; with it, ~2.
import {
  BackpressureLevel,
  type BackpressureSignal,
  type SignalDelays,
  signalForLevel,
} from './backpressure-signal.js';
import { BACKPRESSURE_DEFAULTS } from './config.js';
import { OverloadState } from './overload-detector.js';

/** HEALTHY→NONE, BUSY→THROTTLE, STRESSED→BATCH, OVERLOADED→REJECT. */
export function levelForOverload(state: OverloadState): BackpressureLevel {
  switch (state) {
    case OverloadState.HEALTHY:
      return BackpressureLevel.NONE;
    case OverloadState.BUSY:
      return BackpressureLevel.THROTTLE;
    case OverloadState.STRESSED:
      return BackpressureLevel.BATCH;
    case OverloadState.OVERLOADED:
      return BackpressureLevel.REJECT;
  }
}

export function managerSignal(
  statsLevel: BackpressureLevel,
  overload: OverloadState,
  delays: SignalDelays = BACKPRESSURE_DEFAULTS.signal,
): BackpressureSignal {
  return signalForLevel(Math.max(statsLevel, levelForOverload(overload)) as BackpressureLevel, delays);
}
