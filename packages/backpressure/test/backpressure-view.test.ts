import { VirtualClock } from '@hyperscale/deterministic';
import { describe, expect, it } from 'vitest';
import {
  BackpressureLevel,
  BackpressureView,
  levelFromProto,
  levelToProto,
  managerSignal,
  NO_BACKPRESSURE,
  OverloadState,
  signalForLevel,
  signalFromProto,
  signalToProto,
} from '../src/index.js';

describe('BackpressureView', () => {
  it('reports the highest live level of each datacenter and a 0..1 pressure for routing', () => {
    const clock = new VirtualClock();
    const view = new BackpressureView(clock);
    view.update('m1', 'eu', signalForLevel(BackpressureLevel.THROTTLE));
    view.update('m2', 'eu', signalForLevel(BackpressureLevel.BATCH));
    view.update('m3', 'us', signalForLevel(BackpressureLevel.NONE));
    expect(view.levelFor('eu')).toBe(BackpressureLevel.BATCH);
    expect(view.levelFor('us')).toBe(BackpressureLevel.NONE);
    expect(view.levelFor('ap')).toBe(BackpressureLevel.NONE);
    expect(view.pressure('eu')).toBeCloseTo(2 / 3);
    expect(view.maxLevel()).toBe(BackpressureLevel.BATCH);
    expect(view.datacenters()).toContainEqual({
      datacenter: 'eu',
      level: BackpressureLevel.BATCH,
      suggestedDelayMs: 500,
      sources: 2,
    });
  });

  it('expires a signal that is not refreshed within the TTL', () => {
    const clock = new VirtualClock();
    const view = new BackpressureView(clock, { signalTtlMs: 5000 });
    view.update('m1', 'eu', signalForLevel(BackpressureLevel.REJECT));
    clock.advance(3000);
    view.update('m2', 'eu', signalForLevel(BackpressureLevel.THROTTLE));
    clock.advance(2000);
    expect(view.levelFor('eu')).toBe(BackpressureLevel.THROTTLE);
    expect(view.sourceCount).toBe(1);
    clock.advance(3000);
    expect(view.levelFor('eu')).toBe(BackpressureLevel.NONE);
    expect(view.sourceCount).toBe(0);
  });

  it('a manager moving to another datacenter, or removed, stops counting where it was', () => {
    const view = new BackpressureView(new VirtualClock());
    view.update('m1', 'eu', signalForLevel(BackpressureLevel.REJECT));
    view.update('m1', 'us', signalForLevel(BackpressureLevel.REJECT));
    expect(view.levelFor('eu')).toBe(BackpressureLevel.NONE);
    view.remove('m1');
    expect(view.levelFor('us')).toBe(BackpressureLevel.NONE);
  });

  it('bounds sources and tracked jobs', () => {
    const view = new BackpressureView(new VirtualClock(), { maxSources: 2, maxTrackedJobs: 2 });
    for (const m of ['a', 'b', 'c']) view.update(m, 'eu', signalForLevel(BackpressureLevel.THROTTLE));
    expect(view.sourceCount).toBe(2);
    for (const j of ['j1', 'j2', 'j3']) view.decideForward('eu', j, false);
    // j1 was evicted, so it forwards again at once although its DC throttles
    expect(view.decideForward('eu', 'j1', false)).toBe('forward');
    expect(view.decideForward('eu', 'j3', false)).toBe('hold');
  });

  it('spaces forwarded progress by the datacenter delay, drops non-final progress at REJECT, always forwards finals', () => {
    const clock = new VirtualClock();
    const view = new BackpressureView(clock);
    expect(view.decideForward('eu', 'j', false)).toBe('forward'); // unknown DC: NONE
    expect(view.decideForward('eu', 'j', false)).toBe('forward');
    view.update('m1', 'eu', signalForLevel(BackpressureLevel.THROTTLE)); // 100 ms
    expect(view.decideForward('eu', 'j', false)).toBe('hold');
    clock.advance(100);
    expect(view.decideForward('eu', 'j', false)).toBe('forward');
    expect(view.decideForward('eu', 'j', true)).toBe('forward');
    view.update('m1', 'eu', signalForLevel(BackpressureLevel.REJECT));
    clock.advance(10_000 - 1);
    view.update('m1', 'eu', signalForLevel(BackpressureLevel.REJECT));
    expect(view.decideForward('eu', 'j', false)).toBe('drop');
    expect(view.decideForward('eu', 'j', true)).toBe('forward');
    expect(view.forwardCounts).toEqual({ forwarded: 5, held: 1, dropped: 1 });
  });
});

describe('signal wire mapping', () => {
  it('maps our 0..3 levels to the proto enum 1..4 and back; UNSPECIFIED and junk are NONE or clamped', () => {
    for (const level of [0, 1, 2, 3] as BackpressureLevel[]) expect(levelFromProto(levelToProto(level))).toBe(level);
    expect(levelFromProto(0)).toBe(BackpressureLevel.NONE);
    expect(levelFromProto(99)).toBe(BackpressureLevel.REJECT);
    expect(levelFromProto(Number.NaN)).toBe(BackpressureLevel.NONE);
  });

  it('round-trips a signal and sanitises the delay', () => {
    const reject = signalForLevel(BackpressureLevel.REJECT);
    expect(signalFromProto(signalToProto(reject))).toEqual(reject);
    expect(signalFromProto(undefined)).toBe(NO_BACKPRESSURE);
    expect(signalFromProto({ level: 2, suggestedDelayMs: 1e12, batchOnly: false }).suggestedDelayMs).toBe(60_000);
    expect(signalFromProto({ level: 3, suggestedDelayMs: -5 })).toMatchObject({ suggestedDelayMs: 0, batchOnly: true });
  });
});

describe('managerSignal', () => {
  it('is the worse of the stats level and the overload state', () => {
    expect(managerSignal(BackpressureLevel.NONE, OverloadState.HEALTHY)).toBe(NO_BACKPRESSURE);
    expect(managerSignal(BackpressureLevel.THROTTLE, OverloadState.STRESSED)).toEqual(
      signalForLevel(BackpressureLevel.BATCH),
    );
    expect(managerSignal(BackpressureLevel.REJECT, OverloadState.BUSY).level).toBe(BackpressureLevel.REJECT);
    expect(managerSignal(BackpressureLevel.NONE, OverloadState.OVERLOADED).dropNonCritical).toBe(true);
  });
});
