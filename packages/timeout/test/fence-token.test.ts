import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { composeFenceToken, fenceCounter, fenceEpoch, parseFenceToken } from '../src/index.js';

describe('fence tokens', () => {
  it('every token of a later epoch beats every token of an earlier one', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 1n << 40n }),
        fc.bigInt({ min: 0n, max: 0xffff_ffffn }),
        fc.bigInt({ min: 0n, max: 0xffff_ffffn }),
        (epoch, a, b) => {
          expect(composeFenceToken(epoch + 1n, a) > composeFenceToken(epoch, b)).toBe(true);
        },
      ),
    );
  });

  it('round-trips epoch and counter, beyond 2^53', () => {
    const huge = composeFenceToken(1n << 40n, 0xffff_fffen);
    expect(huge > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(fenceEpoch(huge)).toBe(1n << 40n);
    expect(fenceCounter(huge)).toBe(0xffff_fffen);
    // Adjacent huge tokens stay distinct (they would collide as numbers).
    expect(huge + 1n).not.toBe(huge);
    expect(Number(huge + 1n)).toBe(Number(huge));
  });

  it('refuses counters that do not fit 32 bits and negative epochs', () => {
    expect(() => composeFenceToken(1n, 1n << 32n)).toThrow(RangeError);
    expect(() => composeFenceToken(-1n, 0n)).toThrow(RangeError);
  });

  it('parses only decimal strings', () => {
    expect(parseFenceToken('18446744073709551615')).toBe(18446744073709551615n);
    expect(() => parseFenceToken('-1')).toThrow(RangeError);
    expect(() => parseFenceToken('0x10')).toThrow(RangeError);
    expect(() => parseFenceToken('')).toThrow(RangeError);
  });
});
