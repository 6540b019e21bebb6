import { describe, expect, it } from 'vitest';
import { ReportWindow } from '../src/index.js';

describe('ReportWindow', () => {
  it('lets one report per destination through, queues the rest in order without duplicates', () => {
    const window = new ReportWindow();
    expect(window.claim('m1', 'a')).toBe(true);
    expect(window.claim('m2', 'x')).toBe(true);
    expect(window.claim('m1', 'b')).toBe(false);
    expect(window.claim('m1', 'c')).toBe(false);
    expect(window.claim('m1', 'b')).toBe(false);
    expect(window.waitingFor('m1')).toBe(2);
    expect(window.release('m1')).toBe('b');
    expect(window.release('m1')).toBe('c');
    expect(window.release('m1')).toBeUndefined();
    // free again
    expect(window.claim('m1', 'd')).toBe(true);
    expect(window.release('m2')).toBeUndefined();
    expect(window.claim('m2', 'y')).toBe(true);
  });
});
