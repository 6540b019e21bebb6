import { describe, expect, it } from 'vitest';
import { MaturityLatch } from '../src/index.js';

describe('MaturityLatch', () => {
  it('enters at the converged bar and leaves only on a clear loss of confidence', () => {
    const latch = new MaturityLatch();
    expect(latch.update(9, 100)).toBe(false); // too few samples
    expect(latch.update(10, 600)).toBe(false); // error above the bar (ms)
    expect(latch.update(10, 500)).toBe(true);
    expect(latch.update(12, 700)).toBe(true); // hovering above 500 ms does not flip back
    expect(latch.update(12, 1000)).toBe(true);
    expect(latch.update(12, 1100)).toBe(false); // twice the bar exceeded
    expect(latch.update(12, 700)).toBe(false); // re-entering needs the bar again
    expect(latch.update(12, 400)).toBe(true);
    expect(latch.update(3, 400)).toBe(false); // a reset coordinate starts over
    expect(latch.update(20, Number.NaN)).toBe(false);
  });
});
