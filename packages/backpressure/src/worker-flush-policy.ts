// The worker's progress flush loop as a pure state machine (AD-37, facts §7.4). The worker shell
// hands every outbound update to `offer`, feeds every manager's signal to `onSignal`, and calls
// `poll` on its flush timer; the policy says what to send now, what to hold, what to drop.
//
// The highest level across the worker's managers wins:
//   NONE      flush every base cycle
//   THROTTLE  flush every base + max(d, 500) ms
//   BATCH     base + max(2d, 1000) ms, only every 4th cycle, one message per job
//   REJECT    base + max(4d, 2000) ms, buffered progress discarded
// Under pressure the extra delay is jittered per cycle: each cycle's interval is base + extra × a
// factor drawn from [1 − pressureJitter, 1 + pressureJitter) (mean: the facts' formula). Without
// it, workers that receive the same signal keep the same period and, once aligned (a storm's onset,
// a shared ack), flush in the same instant every cycle: a burst of every worker's reports at once
// in front of the manager's control work.
// Recovery is stepped and jittered: when the signalled level falls, the worker comes down one
// level at a time (REJECT → BATCH → THROTTLE → NONE), staying at each for `recoveryStepMs` × a
// random factor in [0.5, 1.5) drawn per worker per step. Without it every worker of a storm returns
// to full rate on the same ack and the manager is flooded again at once (bench/backpressure-sim.ts:
// control p99 ~25× idle). A rise is still followed at once.
// Final results and cancellation acknowledgements bypass the buffer: `offer` answers `send-now`
// for them at every level. That guarantee is structural — they are never stored here, so no
// level, bound or expiry can delay or drop them.
import { type Clock, type Random, systemRandom } from '@hyperscale/deterministic';
import { BackpressureLevel, type BackpressureSignal } from './backpressure-signal.js';
import { BACKPRESSURE_DEFAULTS } from './config.js';

export type WorkerUpdateKind = 'progress' | 'final-result' | 'cancellation-ack';

export interface WorkerUpdate<T> {
  readonly kind: WorkerUpdateKind;
  readonly jobId: string;
  readonly workflowId: string;
  readonly payload: T;
}

export type OfferOutcome =
  /** Send it now, whatever the level (final results, cancellation acks). */
  | 'send-now'
  /** Held until the next flush; a newer update of the same workflow replaces it. */
  | 'buffered'
  /** Discarded under REJECT. */
  | 'dropped';

/** One outbound progress message: a single update, or under BATCH every workflow of one job. */
export interface ProgressMessage<T> {
  readonly jobId: string;
  readonly updates: readonly T[];
}

export type FlushMode = 'immediate' | 'delayed' | 'batched' | 'discarded' | 'held' | 'not-due';

export interface FlushDecision<T> {
  readonly level: BackpressureLevel;
  /** What this poll did: sent (immediate/delayed/batched), discarded, held (BATCH off-cycle) or nothing yet. */
  readonly mode: FlushMode;
  readonly messages: readonly ProgressMessage<T>[];
  /** Updates discarded by this poll. */
  readonly dropped: number;
  /** When the next poll is due, given the level now. */
  readonly nextFlushAtMs: number;
}

export interface WorkerFlushConfig {
  baseIntervalMs: number;
  throttleFloorMs: number;
  batchFloorMs: number;
  rejectFloorMs: number;
  batchEveryNthCycle: number;
  signalTtlMs: number;
  maxManagers: number;
  maxBufferedWorkflows: number;
  /** Mean time spent at each level on the way down, jittered ×[0.5, 1.5) per step; 0 = follow the signal down at once. */
  recoveryStepMs: number;
  /** Under pressure, each cycle's extra delay is × a factor from [1 − j, 1 + j); 0 = the exact formula. */
  pressureJitter: number;
}

export interface FlushCounters {
  /** Critical updates handed straight back as send-now. */
  sentImmediately: number;
  /** Progress updates sent at NONE. */
  sent: number;
  /** Progress updates sent late, at THROTTLE. */
  throttled: number;
  /** Progress updates sent inside a per-job batch. */
  batched: number;
  /** Progress updates discarded (REJECT, or the buffer bound). */
  dropped: number;
  /** Progress updates replaced by a newer one of the same workflow, or by its final result. */
  superseded: number;
}

interface HeldSignal {
  signal: BackpressureSignal;
  atMs: number;
}

interface Buffered<T> {
  jobId: string;
  payload: T;
}

export class WorkerFlushPolicy<T> {
  private readonly config: WorkerFlushConfig;
  private readonly signals = new Map<string, HeldSignal>();
  /** Latest progress per workflow, keyed by `jobId \u0000 workflowId`, in arrival order. */
  private readonly buffer = new Map<string, Buffered<T>>();
  private lastCycleAtMs: number;
  private cycle = 0;
  /** This cycle's jitter factor on the extra delay under pressure (drawn when the cycle starts). */
  private cycleJitter: number;
  /** The level this worker keeps while stepping down, and when its next step down is due. */
  private held = BackpressureLevel.NONE;
  private nextStepAtMs = 0;
  readonly counters: FlushCounters = {
    sentImmediately: 0,
    sent: 0,
    throttled: 0,
    batched: 0,
    dropped: 0,
    superseded: 0,
  };

  constructor(
    private readonly clock: Clock,
    config: Partial<WorkerFlushConfig> = {},
    private readonly random: Random = systemRandom,
  ) {
    this.config = { ...BACKPRESSURE_DEFAULTS.workerFlush, ...config };
    if (!(this.config.baseIntervalMs > 0)) throw new RangeError('baseIntervalMs must be > 0');
    if (!(Number.isInteger(this.config.batchEveryNthCycle) && this.config.batchEveryNthCycle >= 1)) {
      throw new RangeError('batchEveryNthCycle must be an integer >= 1');
    }
    if (!(this.config.recoveryStepMs >= 0)) throw new RangeError('recoveryStepMs must be >= 0');
    if (!(this.config.pressureJitter >= 0 && this.config.pressureJitter < 1)) {
      throw new RangeError('pressureJitter must be in [0, 1)');
    }
    this.lastCycleAtMs = clock.now();
    this.cycleJitter = this.jitterFactor();
  }

  /** Records the signal a manager sent (in a progress ack or its heartbeat). */
  onSignal(managerId: string, signal: BackpressureSignal): void {
    this.effective(); // a level in force until now is held on the way down, even if never polled
    this.signals.delete(managerId);
    this.signals.set(managerId, { signal, atMs: this.clock.now() });
    while (this.signals.size > this.config.maxManagers) {
      const oldest = this.signals.keys().next().value as string;
      this.signals.delete(oldest);
    }
    this.effective();
  }

  /** Forgets a manager that left or died: its pressure ends at once, no stepping down from it. */
  forgetManager(managerId: string): void {
    this.signals.delete(managerId);
    const remaining = this.strongest().level;
    if (remaining < this.held) this.held = remaining;
  }

  /**
   * The level the worker acts on: the highest across managers whose signal has not expired, or,
   * while stepping down after pressure, the level it is still holding.
   */
  level(): BackpressureLevel {
    return this.effective().level;
  }

  /** The highest level signalled by managers whose signal has not expired (no recovery hold). */
  signalledLevel(): BackpressureLevel {
    return this.strongest().level;
  }

  /** Time between flush cycles at the current level (this cycle's jitter included). */
  flushIntervalMs(): number {
    return this.config.baseIntervalMs + this.extraDelayMs() * this.cycleJitter;
  }

  /** The extra delay the current level adds to the base period, before jitter. */
  private extraDelayMs(): number {
    const { level, delayMs } = this.effective();
    const c = this.config;
    switch (level) {
      case BackpressureLevel.NONE:
        return 0;
      case BackpressureLevel.THROTTLE:
        return Math.max(delayMs, c.throttleFloorMs);
      case BackpressureLevel.BATCH:
        return Math.max(2 * delayMs, c.batchFloorMs);
      case BackpressureLevel.REJECT:
        return Math.max(4 * delayMs, c.rejectFloorMs);
    }
  }

  nextFlushAtMs(): number {
    return this.lastCycleAtMs + this.flushIntervalMs();
  }

  /** Number of workflows with progress waiting. */
  get bufferedCount(): number {
    return this.buffer.size;
  }

  /** Takes one outbound update and says what to do with it now. */
  offer(update: WorkerUpdate<T>): OfferOutcome {
    const key = bufferKey(update.jobId, update.workflowId);
    if (update.kind !== 'progress') {
      // A final result carries the totals: buffered progress of that workflow is obsolete.
      if (update.kind === 'final-result' && this.buffer.delete(key)) this.counters.superseded++;
      this.counters.sentImmediately++;
      return 'send-now';
    }
    if (this.level() === BackpressureLevel.REJECT) {
      this.counters.dropped++;
      return 'dropped';
    }
    if (this.buffer.delete(key)) this.counters.superseded++;
    this.buffer.set(key, { jobId: update.jobId, payload: update.payload });
    while (this.buffer.size > this.config.maxBufferedWorkflows) {
      const oldest = this.buffer.keys().next().value as string;
      this.buffer.delete(oldest);
      this.counters.dropped++;
    }
    return 'buffered';
  }

  /** Called by the flush timer. Does nothing until the current interval has elapsed. */
  poll(): FlushDecision<T> {
    const now = this.clock.now();
    const level = this.level();
    if (now < this.nextFlushAtMs()) {
      return { level, mode: 'not-due', messages: [], dropped: 0, nextFlushAtMs: this.nextFlushAtMs() };
    }
    this.lastCycleAtMs = now;
    this.cycle++;
    this.cycleJitter = this.jitterFactor();
    const decision = (mode: FlushMode, messages: ProgressMessage<T>[], dropped: number): FlushDecision<T> => ({
      level,
      mode,
      messages,
      dropped,
      nextFlushAtMs: this.nextFlushAtMs(),
    });

    switch (level) {
      case BackpressureLevel.NONE:
      case BackpressureLevel.THROTTLE: {
        const messages = this.drain().map(({ jobId, payload }) => ({ jobId, updates: [payload] }));
        if (level === BackpressureLevel.NONE) this.counters.sent += messages.length;
        else this.counters.throttled += messages.length;
        return decision(level === BackpressureLevel.NONE ? 'immediate' : 'delayed', messages, 0);
      }
      case BackpressureLevel.BATCH: {
        if (this.cycle % this.config.batchEveryNthCycle !== 0) return decision('held', [], 0);
        const byJob = new Map<string, T[]>();
        for (const { jobId, payload } of this.drain()) {
          const list = byJob.get(jobId);
          if (list) list.push(payload);
          else byJob.set(jobId, [payload]);
          this.counters.batched++;
        }
        return decision(
          'batched',
          [...byJob].map(([jobId, updates]) => ({ jobId, updates })),
          0,
        );
      }
      case BackpressureLevel.REJECT: {
        const dropped = this.drain().length;
        this.counters.dropped += dropped;
        return decision('discarded', [], dropped);
      }
    }
  }

  private drain(): Buffered<T>[] {
    const items = [...this.buffer.values()];
    this.buffer.clear();
    return items;
  }

  /** The signalled level, held on the way down one jittered step at a time. */
  private effective(): { level: BackpressureLevel; delayMs: number } {
    const signalled = this.strongest();
    const now = this.clock.now();
    if (signalled.level >= this.held) {
      // pressure (still) at or above what we hold: follow it, and restart the step timer
      this.held = signalled.level;
      this.nextStepAtMs = now + this.stepMs();
      return signalled;
    }
    while (this.held > signalled.level && now >= this.nextStepAtMs) {
      this.held--;
      this.nextStepAtMs += this.stepMs();
    }
    return this.held > signalled.level ? { level: this.held, delayMs: signalled.delayMs } : signalled;
  }

  private jitterFactor(): number {
    const j = this.config.pressureJitter;
    return j === 0 ? 1 : 1 - j + 2 * j * this.random.next();
  }

  private stepMs(): number {
    return this.config.recoveryStepMs * (0.5 + this.random.next());
  }

  private strongest(): { level: BackpressureLevel; delayMs: number } {
    const now = this.clock.now();
    let level = BackpressureLevel.NONE;
    let delayMs = 0;
    for (const [managerId, held] of this.signals) {
      if (now - held.atMs >= this.config.signalTtlMs) {
        this.signals.delete(managerId);
        continue;
      }
      if (held.signal.level > level) level = held.signal.level;
      if (held.signal.suggestedDelayMs > delayMs) delayMs = held.signal.suggestedDelayMs;
    }
    return { level, delayMs };
  }
}

function bufferKey(jobId: string, workflowId: string): string {
  return `${jobId}\u0000${workflowId}`;
}
