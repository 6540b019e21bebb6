import { BackpressureLevel, OverloadState, Priority } from '@hyperscale/backpressure';
import { VirtualClock } from '@hyperscale/deterministic';
import { describe, expect, it } from 'vitest';
import { ManagerBackpressure } from '../src/manager-backpressure.js';

/** A fake event loop: `busy(ms)` and `idle(ms)` advance the clock and the loop's counters together. */
function setup(options: { enabled?: boolean } = {}) {
  const clock = new VirtualClock();
  const loop = { active: 0, idle: 0 };
  const bp = new ManagerBackpressure({ clock, loopTime: () => ({ ...loop }), ...options });
  return {
    clock,
    bp,
    busy: (ms: number) => {
      loop.active += ms;
      clock.advance(ms);
    },
    idle: (ms: number) => {
      loop.idle += ms;
      clock.advance(ms);
    },
  };
}

describe('ManagerBackpressure fast saturation check', () => {
  it('a saturated event loop sheds NORMAL and LOW at once, before any detector sample, and the signal says BATCH', () => {
    const { bp, busy } = setup();
    expect(bp.shedder.decide(Priority.NORMAL).shed).toBe(false);
    busy(60);
    expect(bp.fastState()).toBe(OverloadState.STRESSED);
    expect(bp.detector.state).toBe(OverloadState.HEALTHY);
    expect(bp.shedder.decide(Priority.NORMAL).shed).toBe(true);
    expect(bp.shedder.decide(Priority.LOW).shed).toBe(true);
    expect(bp.signal().level).toBe(BackpressureLevel.BATCH);
  });

  it('catches a saturated stretch within 20 ms of it starting (a storm onset), not a whole 50 ms later', () => {
    const { bp, busy, idle } = setup();
    idle(100);
    expect(bp.fastState()).toBe(OverloadState.HEALTHY);
    busy(10);
    expect(bp.fastState()).toBe(OverloadState.HEALTHY); // window not elapsed yet
    busy(12);
    expect(bp.fastState()).toBe(OverloadState.STRESSED);
    expect(bp.shedder.decide(Priority.NORMAL).shed).toBe(true);
  });

  it('never refuses CRITICAL or HIGH, however saturated', () => {
    const { bp, busy } = setup();
    for (let i = 0; i < 20; i++) {
      busy(60);
      expect(bp.shedder.decide(Priority.CRITICAL).shed).toBe(false);
      expect(bp.shedder.decide(Priority.HIGH).shed).toBe(false);
    }
    expect(bp.shedder.shedCount(Priority.CRITICAL)).toBe(0);
    expect(bp.shedder.shedCount(Priority.HIGH)).toBe(0);
  });

  it('holds for 500 ms after the last saturated window, then admits again', () => {
    const { bp, busy, idle } = setup();
    busy(60);
    expect(bp.fastState()).toBe(OverloadState.STRESSED);
    idle(499);
    expect(bp.fastState()).toBe(OverloadState.STRESSED);
    idle(1);
    expect(bp.fastState()).toBe(OverloadState.HEALTHY);
    expect(bp.shedder.decide(Priority.NORMAL).shed).toBe(false);
    expect(bp.signal().level).toBe(BackpressureLevel.NONE);
  });

  it('a busy but not saturated loop (≤ 90 %) sheds nothing', () => {
    const { bp, busy, idle } = setup();
    for (let i = 0; i < 10; i++) {
      busy(45);
      idle(5);
      expect(bp.fastState()).toBe(OverloadState.HEALTHY);
    }
  });

  it('does nothing when backpressure is off', () => {
    const { bp, busy } = setup({ enabled: false });
    busy(60);
    expect(bp.fastState()).toBe(OverloadState.HEALTHY);
    expect(bp.signal().level).toBe(BackpressureLevel.NONE);
  });
});
