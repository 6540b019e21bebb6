import { describe, expect, it } from 'vitest';
import { MaturityLatch } from '../src/index.js';

describe('MaturityLatch', () => {
  it('enters at the converged bar and leaves only on a clear loss of confidence', () => {
    const latch = new MaturityLatch();
    expect(latch.update(9, 0.1)).toBe(false); // too few samples
    expect(latch.update(10, 0.6)).toBe(false); // error above the bar
    expect(latch.update(10, 0.5)).toBe(true);
    expect(latch.update(12, 0.7)).toBe(true); // hovering above 0.5 does not flip back
    expect(latch.update(12, 1.0)).toBe(true);
    expect(latch.update(12, 1.1)).toBe(false); // twice the bar exceeded
    expect(latch.update(12, 0.7)).toBe(false); // re-entering needs the bar again
    expect(latch.update(12, 0.4)).toBe(true);
    expect(latch.update(3, 0.4)).toBe(false); // a reset coordinate starts over
    expect(latch.update(20, Number.NaN)).toBe(false);
  });
});
