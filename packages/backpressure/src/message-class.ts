// Message classes and priorities (AD-37 over AD-22/AD-32). Every request a node receives belongs
// to exactly one class; the class decides its priority, and the priority decides whether it can be
// shed or refused. Control traffic is CRITICAL and is never refused — that is what keeps failure
// detection and cancellation working while data traffic is being squeezed.

export enum MessageClass {
  /** SWIM, cancellation, leader transfers, final results: never shed, never delayed. */
  CONTROL = 'CONTROL',
  /** Job submission, dispatch and its ack, state sync, registration. */
  DISPATCH = 'DISPATCH',
  /** Progress and its ack, stats, AD-34 reports. */
  DATA = 'DATA',
  /** Metrics, debug, cross-DC probes. */
  TELEMETRY = 'TELEMETRY',
}

/** Lower number = more important (facts §6 row 22: CRITICAL 0 … LOW 3). */
export enum Priority {
  CRITICAL = 0,
  HIGH = 1,
  NORMAL = 2,
  LOW = 3,
}

export const ALL_PRIORITIES: readonly Priority[] = [Priority.CRITICAL, Priority.HIGH, Priority.NORMAL, Priority.LOW];

export const PRIORITY_OF_CLASS: Readonly<Record<MessageClass, Priority>> = {
  [MessageClass.CONTROL]: Priority.CRITICAL,
  [MessageClass.DISPATCH]: Priority.HIGH,
  [MessageClass.DATA]: Priority.NORMAL,
  [MessageClass.TELEMETRY]: Priority.LOW,
};

/** Lower-case label for metrics (`priority="critical"`). */
export function priorityLabel(priority: Priority): string {
  return Priority[priority].toLowerCase();
}
