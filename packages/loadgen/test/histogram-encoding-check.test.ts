import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHistogramEncoding, createHistogram, decodeHistogram, encodeHistogram } from '../src/index.js';

function encoded(values: number[]): Uint8Array {
  const h = createHistogram();
  for (const v of values) h.recordValue(v);
  return encodeHistogram(h);
}

const accepts = (bytes: Uint8Array): boolean => {
  try {
    checkHistogramEncoding(bytes);
    return true;
  } catch {
    return false;
  }
};

describe('checkHistogramEncoding', () => {
  it('accepts what encodeHistogram writes, empty or full', () => {
    expect(() => checkHistogramEncoding(encoded([]))).not.toThrow();
    expect(() => checkHistogramEncoding(encoded([1, 250, 1_000, 59_999_999, 60_000_000]))).not.toThrow();
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 60_000_000 }), { maxLength: 200 }), (values) => {
        expect(accepts(encoded(values))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses bytes that are not an encoding, naming what is wrong', () => {
    expect(() => checkHistogramEncoding(new Uint8Array(3))).toThrow(/shorter than the 8-byte header/);
    expect(() => checkHistogramEncoding(new Uint8Array(64))).toThrow(/cookie/);
    const good = encoded([5, 10]);
    const truncated = good.slice(0, good.byteLength - 4);
    expect(() => checkHistogramEncoding(truncated)).toThrow(/compressed length/);
    const badZlib = good.slice();
    badZlib.fill(0x55, 8);
    expect(() => checkHistogramEncoding(badZlib)).toThrow();
  });

  it('never accepts what decodeHistogram throws on (mutated encodings)', () => {
    const good = encoded([3, 700, 42_000, 1_000_000]);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(good.byteLength - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const bytes = good.slice();
          for (const [at, value] of edits) bytes[at] = value;
          if (accepts(bytes)) expect(() => decodeHistogram(bytes)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });
});
