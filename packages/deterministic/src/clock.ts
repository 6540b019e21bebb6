// Time as an input. Algorithms take a Clock so a test can move time by hand and a failure
// scenario of minutes runs in milliseconds (DESIGN.md §6).

/** Monotonic milliseconds. Only differences between readings mean anything. */
export interface Clock {
  now(): number;
}

/** The real monotonic clock, for the imperative shell. */
export const systemClock: Clock = {
  now: () => performance.now(),
};
