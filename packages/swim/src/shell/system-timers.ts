// Real time for the shell: the monotonic clock and setTimeout behind the core's Timers interface.
import type { Timers } from '../types.js';

export const systemTimers: Timers = {
  now: () => performance.now(),
  after: (delayMs, fn) => {
    const handle = setTimeout(fn, Math.max(0, delayMs));
    return () => clearTimeout(handle);
  },
};
