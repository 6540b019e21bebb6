import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Coordinate, decodeCoordinate, encodeCoordinate, VivaldiClient } from '../src/index.js';

const sample: Coordinate = {
  vec: [1.5, -2.25, 30.125, 0, 4, -5, 6, 7.75],
  height: 0.5,
  adjustment: -1.25,
  error: 0.125,
  sampleCount: 1234,
  updatedAtMs: 987_654.321,
  errorMs: 3.5,
};

describe('coordinate encoding', () => {
  it('round-trips in 64 bytes for 8 dimensions', () => {
    const bytes = encodeCoordinate(sample);
    expect(bytes.length).toBe(64);
    expect(decodeCoordinate(bytes)).toEqual(sample); // all values exactly representable in float32
  });

  it('stays within 80 bytes up to 12 dimensions and refuses more', () => {
    const twelve = { ...sample, vec: new Array(12).fill(1) };
    expect(encodeCoordinate(twelve).length).toBe(80);
    expect(() => encodeCoordinate({ ...sample, vec: new Array(13).fill(1) })).toThrow(RangeError);
  });

  it('round-trips a real coordinate within float32 precision', () => {
    const client = new VivaldiClient({ clock: { now: () => 42 } });
    for (let i = 0; i < 30; i++) {
      client.update(`p${i % 5}`, { ...sample, vec: sample.vec.map((v) => v * (i % 5)) }, 20 + i);
    }
    const c = client.coordinate();
    const back = decodeCoordinate(encodeCoordinate(c));
    c.vec.forEach((v, i) => {
      expect(back.vec[i]).toBeCloseTo(v, 3);
    });
    expect(back.height).toBeCloseTo(c.height, 4);
    expect(back.adjustment).toBeCloseTo(c.adjustment, 4);
    expect(back.error).toBeCloseTo(c.error, 6);
    expect(back.errorMs).toBeCloseTo(c.errorMs as number, 3);
    expect(back.sampleCount).toBe(c.sampleCount);
    expect(back.updatedAtMs).toBe(42);
    // Decoding is idempotent after the first quantisation.
    expect(decodeCoordinate(encodeCoordinate(back))).toEqual(back);
  });

  it('keeps "errorMs absent" absent and restamps updatedAtMs when asked', () => {
    const { errorMs: _omit, ...bare } = sample;
    const back = decodeCoordinate(encodeCoordinate(bare), 5);
    expect('errorMs' in back).toBe(false);
    expect(back.updatedAtMs).toBe(5);
  });

  it('refuses to encode a malformed coordinate', () => {
    expect(() => encodeCoordinate({ ...sample, height: Number.NaN })).toThrow(RangeError);
    expect(() => encodeCoordinate({ ...sample, vec: [1e39] })).toThrow(/float32/);
  });

  it('rejects malformed bytes with a RangeError naming the problem', () => {
    const good = encodeCoordinate(sample);
    expect(() => decodeCoordinate(new Uint8Array(10))).toThrow(/header/);
    expect(() => decodeCoordinate(good.slice(0, 40))).toThrow(/need/);
    const badVersion = good.slice();
    badVersion[0] = 9;
    expect(() => decodeCoordinate(badVersion)).toThrow(/version/);
    const badDims = good.slice();
    badDims[1] = 40;
    expect(() => decodeCoordinate(badDims)).toThrow(/dimensions/);
    const nan = good.slice();
    new DataView(nan.buffer).setFloat32(32, Number.NaN, true);
    expect(() => decodeCoordinate(nan)).toThrow(/vec\[0\]/);
    const negativeHeight = good.slice();
    new DataView(negativeHeight.buffer).setFloat32(16, -1, true);
    expect(() => decodeCoordinate(negativeHeight)).toThrow(/height/);
  });

  it('ignores trailing bytes (a later minor version may append fields)', () => {
    const longer = new Uint8Array(70);
    longer.set(encodeCoordinate(sample));
    expect(decodeCoordinate(longer)).toEqual(sample);
  });

  it('never returns a non-finite value for arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 100 }), fc.boolean(), (bytes, fixHeader) => {
        if (fixHeader && bytes.length > 2) {
          bytes[0] = 1;
          bytes[1] = (bytes[1] as number) % 13;
        }
        let c: Coordinate;
        try {
          c = decodeCoordinate(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(RangeError);
          return;
        }
        for (const v of [...c.vec, c.height, c.adjustment, c.error, c.sampleCount, c.updatedAtMs]) {
          expect(Number.isFinite(v)).toBe(true);
        }
      }),
      { numRuns: 2000, seed: 7 },
    );
  });
});
