// Bounded execution (AD-32): how many requests of each priority a node is working on at once.
// A request must acquire a slot before its handler runs and release it when done. HIGH/NORMAL/LOW
// have their own caps and share a global cap; CRITICAL is always admitted — refusing a cancel or a
// SWIM probe because stats filled the server is exactly the failure this exists to prevent — but
// it is still counted, so the global cap sees the real load.
import { BACKPRESSURE_DEFAULTS } from './config.js';
import { ALL_PRIORITIES, Priority } from './message-class.js';

export interface InFlightLimits {
  high: number;
  normal: number;
  low: number;
  global: number;
}

export type AdmissionResult =
  | { readonly admitted: true }
  | { readonly admitted: false; readonly reason: 'priority-limit' | 'global-limit' };

export class InFlightTracker {
  private readonly limits: InFlightLimits;
  private readonly active = [0, 0, 0, 0];
  private readonly refused = [0, 0, 0, 0];
  private total = 0;

  constructor(limits: Partial<InFlightLimits> = {}) {
    this.limits = { ...BACKPRESSURE_DEFAULTS.inFlight, ...limits };
    for (const [key, value] of Object.entries(this.limits)) {
      if (!(Number.isInteger(value) && value >= 0))
        throw new RangeError(`in-flight limit ${key} must be an integer >= 0`);
    }
  }

  tryAcquire(priority: Priority): AdmissionResult {
    if (priority !== Priority.CRITICAL) {
      if (this.active[priority]! >= this.limitOf(priority)) return this.refuse(priority, 'priority-limit');
      if (this.total >= this.limits.global) return this.refuse(priority, 'global-limit');
    }
    this.active[priority]!++;
    this.total++;
    return { admitted: true };
  }

  /** Gives back a slot. Releasing more than was acquired is ignored (never goes negative). */
  release(priority: Priority): void {
    if (this.active[priority]! <= 0) return;
    this.active[priority]!--;
    this.total--;
  }

  inFlight(priority?: Priority): number {
    return priority === undefined ? this.total : this.active[priority]!;
  }

  /** Requests refused so far, per priority (CRITICAL is always 0). */
  refusedCount(priority: Priority): number {
    return this.refused[priority]!;
  }

  snapshot(): Record<'critical' | 'high' | 'normal' | 'low', number> {
    const [critical, high, normal, low] = ALL_PRIORITIES.map((p) => this.active[p]!);
    return { critical: critical!, high: high!, normal: normal!, low: low! };
  }

  private limitOf(priority: Priority): number {
    switch (priority) {
      case Priority.HIGH:
        return this.limits.high;
      case Priority.NORMAL:
        return this.limits.normal;
      case Priority.LOW:
        return this.limits.low;
      case Priority.CRITICAL:
        return Number.POSITIVE_INFINITY;
    }
  }

  private refuse(priority: Priority, reason: 'priority-limit' | 'global-limit'): AdmissionResult {
    this.refused[priority]!++;
    return { admitted: false, reason };
  }
}
