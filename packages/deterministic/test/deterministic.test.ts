import { describe, expect, it } from 'vitest';
import { randomInt, seededRandom, shuffle, VirtualClock } from '../src/index.js';

describe('seededRandom', () => {
  it('replays the same stream for the same seed and differs across seeds', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const sa = Array.from({ length: 100 }, () => a.next());
    const sb = Array.from({ length: 100 }, () => b.next());
    const sc = Array.from({ length: 100 }, () => c.next());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    for (const x of sa) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });

  it('is roughly uniform', () => {
    const r = seededRandom(7);
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) buckets[randomInt(r, 10)]++;
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it('shuffle is a permutation', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = shuffle(seededRandom(1), [...items]);
    expect([...shuffled].sort((x, y) => x - y)).toEqual(items);
    expect(shuffled).not.toEqual(items);
  });
});

describe('VirtualClock', () => {
  it('runs tasks in deadline order, equal deadlines in scheduling order, and supports cancel', () => {
    const clock = new VirtualClock(100);
    const seen: string[] = [];
    clock.after(50, () => seen.push(`b@${clock.now()}`));
    clock.after(10, () => seen.push(`a@${clock.now()}`));
    clock.after(50, () => seen.push(`c@${clock.now()}`));
    const cancel = clock.after(20, () => seen.push('never'));
    cancel();
    clock.advance(49);
    expect(seen).toEqual(['a@110']);
    clock.advance(1);
    expect(seen).toEqual(['a@110', 'b@150', 'c@150']);
    expect(clock.now()).toBe(150);
    expect(clock.pending()).toBe(0);
  });

  it('runs tasks scheduled by tasks within the same advance', () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    clock.after(10, () => {
      seen.push(clock.now());
      clock.after(10, () => seen.push(clock.now()));
    });
    clock.advance(100);
    expect(seen).toEqual([10, 20]);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });
});
