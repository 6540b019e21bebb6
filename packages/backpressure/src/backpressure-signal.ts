// The backpressure level and the signal that carries it. A manager puts a signal in every
// progress acknowledgement and in its periodic datacenter report; workers and gates act on it.
// The numbers on the wire are the enum values (0–3), as in facts §1.4's WorkflowProgressAck.
import { BACKPRESSURE_DEFAULTS } from './config.js';

export enum BackpressureLevel {
  NONE = 0,
  THROTTLE = 1,
  BATCH = 2,
  REJECT = 3,
}

export interface BackpressureSignal {
  readonly level: BackpressureLevel;
  /** How long the sender should add between flushes, in ms. */
  readonly suggestedDelayMs: number;
  /** Only aggregated batches are welcome. */
  readonly batchOnly: boolean;
  /** Non-critical updates should be dropped rather than sent. */
  readonly dropNonCritical: boolean;
}

export type SignalDelays = {
  throttleDelayMs: number;
  batchDelayMs: number;
  rejectDelayMs: number;
};

export const NO_BACKPRESSURE: BackpressureSignal = Object.freeze({
  level: BackpressureLevel.NONE,
  suggestedDelayMs: 0,
  batchOnly: false,
  dropNonCritical: false,
});

/** The signal a manager at `level` sends (facts §7.4). */
export function signalForLevel(
  level: BackpressureLevel,
  delays: SignalDelays = BACKPRESSURE_DEFAULTS.signal,
): BackpressureSignal {
  switch (level) {
    case BackpressureLevel.NONE:
      return NO_BACKPRESSURE;
    case BackpressureLevel.THROTTLE:
      return { level, suggestedDelayMs: delays.throttleDelayMs, batchOnly: false, dropNonCritical: false };
    case BackpressureLevel.BATCH:
      return { level, suggestedDelayMs: delays.batchDelayMs, batchOnly: true, dropNonCritical: false };
    case BackpressureLevel.REJECT:
      return { level, suggestedDelayMs: delays.rejectDelayMs, batchOnly: true, dropNonCritical: true };
  }
}

/**
 * The wire enum (proto `hyperscale.v1.BackpressureLevel`) has UNSPECIFIED = 0 and NONE..REJECT =
 * 1..4; ours is 0..3 so levels compare and index directly.
 */
export function levelToProto(level: BackpressureLevel): number {
  return level + 1;
}

/**
 * Reads a level from the wire. UNSPECIFIED and anything outside the enum (a newer peer, a corrupt
 * field) are clamped — bad input changes nothing dramatic and never throws (DESIGN.md §8).
 */
export function levelFromProto(value: number): BackpressureLevel {
  if (!Number.isFinite(value) || value <= 1) return BackpressureLevel.NONE;
  if (value >= 4) return BackpressureLevel.REJECT;
  return (Math.floor(value) - 1) as BackpressureLevel;
}

/** The fields of proto `hyperscale.v1.BackpressureSignal` (protobuf-es names). */
export interface BackpressureSignalFields {
  level: number;
  suggestedDelayMs: number;
  batchOnly: boolean;
}

export function signalToProto(signal: BackpressureSignal): BackpressureSignalFields {
  return {
    level: levelToProto(signal.level),
    suggestedDelayMs: Math.max(0, Math.round(signal.suggestedDelayMs)),
    batchOnly: signal.batchOnly,
  };
}

/** Maximum delay accepted from the wire (ours: a minute; larger is a bug or an attack). */
export const MAX_WIRE_DELAY_MS = 60_000;

/** Rebuilds a signal received on the wire (an absent message is NONE), sanitising each field. */
export function signalFromProto(fields: Partial<BackpressureSignalFields> | undefined): BackpressureSignal {
  if (!fields) return NO_BACKPRESSURE;
  const level = levelFromProto(fields.level ?? 0);
  if (level === BackpressureLevel.NONE) return NO_BACKPRESSURE;
  const delay = fields.suggestedDelayMs;
  return {
    level,
    suggestedDelayMs:
      delay !== undefined && Number.isFinite(delay) ? Math.min(Math.max(0, delay), MAX_WIRE_DELAY_MS) : 0,
    batchOnly: (fields.batchOnly ?? false) || level >= BackpressureLevel.BATCH,
    dropNonCritical: level >= BackpressureLevel.REJECT,
  };
}
