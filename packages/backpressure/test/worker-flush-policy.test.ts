import { seededRandom, VirtualClock } from '@hyperscale/deterministic';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BackpressureLevel,
  type FlushDecision,
  signalForLevel,
  type WorkerFlushConfig,
  WorkerFlushPolicy,
  type WorkerUpdate,
} from '../src/index.js';

const progress = (jobId: string, workflowId: string, n: number): WorkerUpdate<string> => ({
  kind: 'progress',
  jobId,
  workflowId,
  payload: `${jobId}/${workflowId}#${n}`,
});

/** Always the middle of [0, 1): every jitter factor is exactly 1, so intervals follow the formula. */
const MEAN_DRAW = { next: () => 0.5 };

function setup(config: Partial<WorkerFlushConfig> = {}) {
  const clock = new VirtualClock();
  const policy = new WorkerFlushPolicy<string>(clock, config, MEAN_DRAW);
  /** Advances to the next due flush and polls. */
  const flushNext = (): FlushDecision<string> => {
    clock.set(Math.max(clock.now(), policy.nextFlushAtMs()));
    return policy.poll();
  };
  return { clock, policy, flushNext };
}

describe('WorkerFlushPolicy', () => {
  it('NONE: flushes every buffered update each 50 ms cycle, one message per update', () => {
    const { clock, policy, flushNext } = setup();
    expect(policy.offer(progress('j1', 'w1', 1))).toBe('buffered');
    expect(policy.offer(progress('j1', 'w2', 1))).toBe('buffered');
    expect(policy.poll().mode).toBe('not-due');
    const d = flushNext();
    expect(clock.now()).toBe(50);
    expect(d.mode).toBe('immediate');
    expect(d.messages).toEqual([
      { jobId: 'j1', updates: ['j1/w1#1'] },
      { jobId: 'j1', updates: ['j1/w2#1'] },
    ]);
    expect(d.nextFlushAtMs).toBe(100);
    expect(policy.counters.sent).toBe(2);
  });

  it('keeps only the newest progress of a workflow (cumulative snapshots)', () => {
    const { policy, flushNext } = setup();
    policy.offer(progress('j1', 'w1', 1));
    policy.offer(progress('j1', 'w1', 2));
    expect(flushNext().messages).toEqual([{ jobId: 'j1', updates: ['j1/w1#2'] }]);
    expect(policy.counters.superseded).toBe(1);
  });

  it('THROTTLE: flush interval becomes base + max(d, 500) and updates are sent late', () => {
    const { clock, policy, flushNext } = setup();
    policy.onSignal('m1', signalForLevel(BackpressureLevel.THROTTLE));
    expect(policy.flushIntervalMs()).toBe(550);
    policy.offer(progress('j1', 'w1', 1));
    clock.set(100);
    expect(policy.poll().mode).toBe('not-due');
    const d = flushNext();
    expect(clock.now()).toBe(550);
    expect(d.mode).toBe('delayed');
    expect(d.messages).toHaveLength(1);
    expect(policy.counters.throttled).toBe(1);
  });

  it('uses the larger suggested delay when it beats the floor: max(d,500), max(2d,1000), max(4d,2000)', () => {
    const { policy } = setup();
    const signal = (level: BackpressureLevel, d: number) => ({ ...signalForLevel(level), suggestedDelayMs: d });
    policy.onSignal('m1', signal(BackpressureLevel.THROTTLE, 800));
    expect(policy.flushIntervalMs()).toBe(850);
    policy.onSignal('m1', signal(BackpressureLevel.BATCH, 700));
    expect(policy.flushIntervalMs()).toBe(1450);
    policy.onSignal('m1', signal(BackpressureLevel.BATCH, 100));
    expect(policy.flushIntervalMs()).toBe(1050);
    policy.onSignal('m1', signal(BackpressureLevel.REJECT, 1000));
    expect(policy.flushIntervalMs()).toBe(4050);
  });

  it('under pressure each cycle draws its own interval: base + extra × [0.5, 1.5), the mean near the formula', () => {
    const clock = new VirtualClock();
    const policy = new WorkerFlushPolicy<string>(clock, {}, seededRandom(3));
    const intervals: number[] = [];
    for (let i = 0; i < 200; i++) {
      policy.onSignal('m1', signalForLevel(BackpressureLevel.THROTTLE)); // every ack repeats it
      const interval = policy.flushIntervalMs();
      expect(policy.poll().mode).toBe('not-due'); // the interval holds within a cycle
      expect(policy.flushIntervalMs()).toBe(interval);
      clock.set(policy.nextFlushAtMs());
      expect(policy.poll().mode).toBe('delayed');
      intervals.push(interval);
    }
    for (const interval of intervals) {
      expect(interval).toBeGreaterThanOrEqual(50 + 250);
      expect(interval).toBeLessThan(50 + 750);
    }
    expect(new Set(intervals).size).toBeGreaterThan(150);
    const mean = intervals.reduce((a, b) => a + b, 0) / intervals.length;
    expect(Math.abs(mean - 550)).toBeLessThan(50);
  });

  it('workers told the same level at the same instant stop flushing in step', () => {
    const flushTimes = (seed: number): number[] => {
      const clock = new VirtualClock();
      const policy = new WorkerFlushPolicy<string>(clock, {}, seededRandom(seed));
      policy.onSignal('m1', signalForLevel(BackpressureLevel.THROTTLE));
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        clock.set(policy.nextFlushAtMs());
        policy.poll();
        times.push(clock.now());
      }
      return times;
    };
    const fifthFlush = Array.from({ length: 50 }, (_, i) => flushTimes(i + 1)[4]!);
    expect(new Set(fifthFlush).size).toBe(50);
    expect(Math.max(...fifthFlush) - Math.min(...fifthFlush)).toBeGreaterThan(500);
    expect(flushTimes(9)).toEqual(flushTimes(9));
  });

  it('NONE is never jittered, and pressureJitter 0 restores the exact formula', () => {
    const clock = new VirtualClock();
    const jittered = new WorkerFlushPolicy<string>(clock, {}, seededRandom(5));
    const exact = new WorkerFlushPolicy<string>(clock, { pressureJitter: 0 }, seededRandom(5));
    for (let i = 0; i < 20; i++) {
      expect(jittered.flushIntervalMs()).toBe(50);
      clock.set(jittered.nextFlushAtMs());
      jittered.poll();
    }
    for (let i = 0; i < 20; i++) {
      exact.onSignal('m1', signalForLevel(BackpressureLevel.BATCH));
      expect(exact.flushIntervalMs()).toBe(1050);
      clock.set(exact.nextFlushAtMs());
      exact.poll();
    }
    expect(() => new WorkerFlushPolicy(clock, { pressureJitter: 1 })).toThrow(RangeError);
    expect(() => new WorkerFlushPolicy(clock, { pressureJitter: -0.1 })).toThrow(RangeError);
  });

  it('BATCH: holds three cycles, then sends one message per job with all its workflows', () => {
    const { policy, flushNext } = setup();
    policy.onSignal('m1', signalForLevel(BackpressureLevel.BATCH));
    policy.offer(progress('j1', 'w1', 1));
    policy.offer(progress('j2', 'w1', 1));
    policy.offer(progress('j1', 'w2', 1));
    const modes = [flushNext(), flushNext(), flushNext()].map((d) => d.mode);
    expect(modes).toEqual(['held', 'held', 'held']);
    const d = flushNext();
    expect(d.mode).toBe('batched');
    expect(d.messages).toEqual([
      { jobId: 'j1', updates: ['j1/w1#1', 'j1/w2#1'] },
      { jobId: 'j2', updates: ['j2/w1#1'] },
    ]);
    expect(policy.counters.batched).toBe(3);
  });

  it('REJECT: new progress is dropped and buffered progress discarded', () => {
    const { policy, flushNext } = setup();
    policy.offer(progress('j1', 'w1', 1));
    policy.onSignal('m1', signalForLevel(BackpressureLevel.REJECT));
    expect(policy.offer(progress('j1', 'w2', 1))).toBe('dropped');
    const d = flushNext();
    expect(d.mode).toBe('discarded');
    expect(d.dropped).toBe(1);
    expect(d.messages).toEqual([]);
    expect(policy.counters.dropped).toBe(2);
  });

  it('final results and cancellation acks are send-now under REJECT, and a final result supersedes buffered progress', () => {
    const { policy, flushNext } = setup();
    policy.onSignal('m1', signalForLevel(BackpressureLevel.BATCH));
    policy.offer(progress('j1', 'w1', 1));
    policy.onSignal('m2', signalForLevel(BackpressureLevel.REJECT));
    expect(policy.offer({ kind: 'final-result', jobId: 'j1', workflowId: 'w1', payload: 'final' })).toBe('send-now');
    expect(policy.offer({ kind: 'cancellation-ack', jobId: 'j1', workflowId: 'w2', payload: 'ack' })).toBe('send-now');
    expect(policy.bufferedCount).toBe(0);
    expect(policy.counters.superseded).toBe(1);
    expect(policy.counters.sentImmediately).toBe(2);
    expect(flushNext().dropped).toBe(0);
  });

  it('follows the highest level across managers, and an expired signal stops counting', () => {
    const { clock, policy } = setup({ recoveryStepMs: 0 });
    policy.onSignal('m1', signalForLevel(BackpressureLevel.THROTTLE));
    clock.advance(1000);
    policy.onSignal('m2', signalForLevel(BackpressureLevel.BATCH));
    expect(policy.level()).toBe(BackpressureLevel.BATCH);
    policy.onSignal('m2', signalForLevel(BackpressureLevel.NONE));
    expect(policy.level()).toBe(BackpressureLevel.THROTTLE);
    clock.advance(4000); // m1's signal is now 5 s old
    expect(policy.level()).toBe(BackpressureLevel.NONE);
  });

  it('forgets a manager that left', () => {
    const { policy } = setup();
    policy.onSignal('m1', signalForLevel(BackpressureLevel.REJECT));
    policy.forgetManager('m1');
    expect(policy.level()).toBe(BackpressureLevel.NONE);
  });

  it('with recoveryStepMs 0, recovery takes effect at once: a NONE signal makes a held buffer due on the next base cycle', () => {
    const { clock, policy } = setup({ recoveryStepMs: 0 });
    policy.onSignal('m1', signalForLevel(BackpressureLevel.REJECT));
    policy.offer(progress('j1', 'w1', 1));
    clock.set(60);
    policy.onSignal('m1', signalForLevel(BackpressureLevel.NONE));
    policy.offer(progress('j1', 'w1', 2));
    expect(policy.poll().messages).toEqual([{ jobId: 'j1', updates: ['j1/w1#2'] }]);
  });

  it('steps down one level at a time, REJECT → BATCH → THROTTLE → NONE, each step 0.5–1.5 × recoveryStepMs', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const clock = new VirtualClock();
      const policy = new WorkerFlushPolicy<string>(clock, { recoveryStepMs: 500 }, seededRandom(seed));
      policy.onSignal('m1', signalForLevel(BackpressureLevel.REJECT));
      expect(policy.level()).toBe(BackpressureLevel.REJECT);
      policy.onSignal('m1', signalForLevel(BackpressureLevel.NONE));
      expect(policy.signalledLevel()).toBe(BackpressureLevel.NONE);
      const seen: [BackpressureLevel, number][] = [];
      let last = policy.level();
      for (let t = 0; t <= 3000; t++) {
        clock.set(t);
        const level = policy.level();
        if (level !== last) seen.push([level, t]);
        last = level;
      }
      expect(seen.map(([l]) => l)).toEqual([
        BackpressureLevel.BATCH,
        BackpressureLevel.THROTTLE,
        BackpressureLevel.NONE,
      ]);
      let previous = 0;
      for (const [, at] of seen) {
        expect(at - previous).toBeGreaterThanOrEqual(250);
        expect(at - previous).toBeLessThanOrEqual(751);
        previous = at;
      }
    }
  });

  it('while stepping down, flushes at the held level: THROTTLE paces progress before NONE returns', () => {
    const { clock, policy } = setup({ recoveryStepMs: 400 });
    policy.onSignal('m1', signalForLevel(BackpressureLevel.THROTTLE));
    policy.onSignal('m1', signalForLevel(BackpressureLevel.NONE));
    expect(policy.level()).toBe(BackpressureLevel.THROTTLE);
    expect(policy.flushIntervalMs()).toBe(550);
    clock.advance(600); // past the longest step (1.5 × 400)
    expect(policy.level()).toBe(BackpressureLevel.NONE);
    expect(policy.flushIntervalMs()).toBe(50);
  });

  it('a rise while stepping down is followed at once, and the step timer restarts from it', () => {
    const clock = new VirtualClock();
    const policy = new WorkerFlushPolicy<string>(clock, { recoveryStepMs: 500 }, { next: () => 0.5 });
    policy.onSignal('m1', signalForLevel(BackpressureLevel.REJECT));
    policy.onSignal('m1', signalForLevel(BackpressureLevel.NONE));
    clock.advance(500);
    expect(policy.level()).toBe(BackpressureLevel.BATCH);
    policy.onSignal('m1', signalForLevel(BackpressureLevel.REJECT));
    expect(policy.level()).toBe(BackpressureLevel.REJECT);
    expect(policy.offer(progress('j1', 'w1', 1))).toBe('dropped');
    policy.onSignal('m1', signalForLevel(BackpressureLevel.NONE));
    clock.advance(499);
    expect(policy.level()).toBe(BackpressureLevel.REJECT);
    clock.advance(1);
    expect(policy.level()).toBe(BackpressureLevel.BATCH);
  });

  it('workers with different random streams return at different times; the same stream replays exactly', () => {
    const recoveredAt = (seed: number): number => {
      const clock = new VirtualClock();
      const policy = new WorkerFlushPolicy<string>(clock, {}, seededRandom(seed));
      policy.onSignal('m1', signalForLevel(BackpressureLevel.REJECT));
      policy.onSignal('m1', signalForLevel(BackpressureLevel.NONE));
      while (policy.level() !== BackpressureLevel.NONE) clock.advance(1);
      return clock.now();
    };
    const times = Array.from({ length: 50 }, (_, i) => recoveredAt(i + 1));
    expect(new Set(times).size).toBeGreaterThan(40);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(500);
    expect(recoveredAt(7)).toBe(recoveredAt(7));
  });

  it('final results and cancellation acks stay send-now while the worker holds REJECT on the way down', () => {
    const { policy } = setup();
    policy.onSignal('m1', signalForLevel(BackpressureLevel.REJECT));
    policy.onSignal('m1', signalForLevel(BackpressureLevel.NONE));
    expect(policy.level()).toBe(BackpressureLevel.REJECT);
    expect(policy.offer({ kind: 'final-result', jobId: 'j1', workflowId: 'w1', payload: 'f' })).toBe('send-now');
    expect(policy.offer({ kind: 'cancellation-ack', jobId: 'j1', workflowId: 'w2', payload: 'a' })).toBe('send-now');
  });

  it('bounds the buffer by workflows, dropping the oldest', () => {
    const clock = new VirtualClock();
    const policy = new WorkerFlushPolicy<string>(clock, { maxBufferedWorkflows: 3 }, MEAN_DRAW);
    for (let i = 0; i < 5; i++) policy.offer(progress('j', `w${i}`, 0));
    expect(policy.bufferedCount).toBe(3);
    expect(policy.counters.dropped).toBe(2);
    clock.advance(50);
    expect(policy.poll().messages.map((m) => m.updates[0])).toEqual(['j/w2#0', 'j/w3#0', 'j/w4#0']);
  });

  it('property: whatever the levels, every final result and cancellation ack is send-now, and no progress is ever both sent and dropped', () => {
    const op = fc.oneof(
      fc.record({
        t: fc.constant('signal' as const),
        m: fc.integer({ min: 0, max: 2 }),
        level: fc.integer({ min: 0, max: 3 }),
      }),
      fc.record({
        t: fc.constantFrom('progress' as const, 'final-result' as const, 'cancellation-ack' as const),
        job: fc.integer({ min: 0, max: 2 }),
        wf: fc.integer({ min: 0, max: 3 }),
      }),
      fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 3000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const clock = new VirtualClock();
        const policy = new WorkerFlushPolicy<number>(clock);
        let offered = 0;
        let sent = 0;
        let seq = 0;
        for (const o of ops) {
          if (o.t === 'signal') policy.onSignal(`m${o.m}`, signalForLevel(o.level as BackpressureLevel));
          else if (o.t === 'advance') {
            clock.advance(o.ms);
            for (const m of policy.poll().messages) sent += m.updates.length;
          } else {
            const outcome = policy.offer({ kind: o.t, jobId: `j${o.job}`, workflowId: `w${o.wf}`, payload: seq++ });
            if (o.t === 'progress') {
              offered++;
              expect(outcome).not.toBe('send-now');
            } else expect(outcome).toBe('send-now');
          }
        }
        const c = policy.counters;
        // conservation: every progress offered is sent, dropped, superseded or still buffered
        expect(sent + c.dropped + c.superseded + policy.bufferedCount).toBe(offered);
      }),
    );
  });
});
