import { describe, expect, it } from 'vitest';
import { type Coordinate, coordinateQuality, defaultRttUcbMs, quality, rttUcbMs } from '../src/index.js';

function coord(vec: number[], extra: Partial<Coordinate> = {}): Coordinate {
  return { vec, height: 0, adjustment: 0, error: 0.1, sampleCount: 50, updatedAtMs: 0, errorMs: 5, ...extra };
}

describe('rttUcbMs', () => {
  it('is estimate + 2·(σa + σb) for mature coordinates (hand computed)', () => {
    // estimate 100 (3-4-5 × 20), σ = 5 + 3 = 8 → 100 + 16.
    expect(rttUcbMs(coord([0, 0]), coord([60, 80], { errorMs: 3 }))).toBeCloseTo(116, 9);
  });

  it('clamps σ to [1, 500] and the bound to [1, 10 000]', () => {
    expect(rttUcbMs(coord([0, 0], { errorMs: 0 }), coord([0, 10], { errorMs: 0 }))).toBeCloseTo(12, 9); // σ → 1
    expect(rttUcbMs(coord([0, 0], { errorMs: 900 }), coord([0, 10], { errorMs: 900 }))).toBeCloseTo(1010, 9); // σ → 500
    expect(rttUcbMs(coord([0, 0]), coord([0, 20_000]))).toBe(10_000);
    expect(rttUcbMs(coord([0, 0], { errorMs: 0 }), coord([0, 0], { errorMs: 0, height: 0 }))).toBe(2); // 0 + 2·1
  });

  it('is the conservative default (100 + 2·50 = 200 ms) when either coordinate is missing', () => {
    expect(defaultRttUcbMs()).toBe(200);
    expect(rttUcbMs(undefined, coord([0, 0]))).toBe(200);
    expect(rttUcbMs(coord([0, 0]), undefined)).toBe(200);
    expect(rttUcbMs()).toBe(200);
  });

  it('never goes below the default while either side is immature, and never excludes', () => {
    const young = coord([0, 0], { sampleCount: 3 });
    expect(rttUcbMs(young, coord([0, 10]))).toBe(200);
    expect(rttUcbMs(young, coord([0, 900]))).toBeCloseTo(900 + 2 * (5 + 5), 9);
  });

  it('falls back to the default on unusable or mismatched coordinates instead of throwing', () => {
    expect(rttUcbMs(coord([0, 0]), coord([0, 0, 0]))).toBe(200);
    expect(rttUcbMs(coord([Number.NaN, 0]), coord([0, 0]))).toBe(200);
  });

  it('uses σ = 50 ms for a coordinate without errorMs', () => {
    const bare: Coordinate = { vec: [0, 100], height: 0, adjustment: 0, error: 0.1, sampleCount: 50, updatedAtMs: 0 };
    expect(rttUcbMs(coord([0, 0]), bare)).toBeCloseTo(100 + 2 * 55, 9);
  });

  it('honours config overrides', () => {
    expect(rttUcbMs(coord([0, 0]), coord([0, 100], { errorMs: 5 }), { kSigma: 3 })).toBeCloseTo(130, 9);
    expect(rttUcbMs(undefined, undefined, { rttDefaultMs: 50, sigmaDefaultMs: 10 })).toBe(70);
  });
});

describe('quality', () => {
  it('is min(1, n/10) × min(1, 20/max(err, 1)) × staleness factor (hand computed)', () => {
    expect(quality(10, 20, 0)).toBe(1);
    expect(quality(5, 20, 0)).toBe(0.5);
    expect(quality(10, 40, 0)).toBe(0.5);
    expect(quality(10, 0.2, 0)).toBe(1); // max(err, 1)
    expect(quality(10, 10, 300)).toBe(1);
    expect(quality(10, 10, 600)).toBe(0.5);
    expect(quality(4, 80, 900)).toBeCloseTo(0.4 * 0.25 * (1 / 3), 12);
    expect(quality(100, 10, 0)).toBe(1);
  });

  it('treats bad inputs as the worst case and stays in [0, 1]', () => {
    expect(quality(Number.NaN, 10, 0)).toBe(0);
    expect(quality(-3, 10, 0)).toBe(0);
    expect(quality(10, Number.NaN, 0)).toBe(0);
    expect(quality(10, -1, 0)).toBe(0);
    expect(quality(10, 10, Number.NaN)).toBe(0);
    expect(quality(10, 10, -5)).toBe(1);
    expect(quality(10, 10, Number.POSITIVE_INFINITY)).toBe(0);
  });

  it('coordinateQuality uses samples, errorMs and the age in seconds', () => {
    const c = coord([0, 0], { sampleCount: 5, errorMs: 40, updatedAtMs: 1000 });
    expect(coordinateQuality(c, 1000 + 600_000)).toBeCloseTo(0.5 * 0.5 * 0.5, 12);
    expect(coordinateQuality(c, 1000)).toBeCloseTo(0.25, 12);
  });
});
