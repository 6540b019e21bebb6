// The compact wire form of a coordinate, small enough to ride on every SWIM ping and ack (serf
// sends 1 version byte + msgpack in the ack payload; we use a fixed binary layout, DESIGN §4: typed,
// versioned, never text). Little-endian, version 1:
//
//   0  u8   version (1)          1  u8  dimensions d (≤ 12)   2  u8 flags (bit 0: errorMs present)
//   3  u8   reserved (0)         4  u32 sampleCount (saturating)
//   8  f64  updatedAtMs
//  16  f32  height   20 f32 adjustment   24 f32 error   28 f32 errorMs
//  32  f32 × d  vec
//
// 32 + 4·d bytes: 64 for the default 8 dimensions, 80 at most. float32 keeps ~7 significant digits,
// far below RTT noise. Trailing bytes are ignored so a later minor version can append fields.
import { type Coordinate, coordinateProblem } from './coordinate.js';

export const ENCODING_VERSION = 1;
export const ENCODED_HEADER_BYTES = 32;
/** The most dimensions that fit in 80 bytes. */
export const MAX_ENCODED_DIMENSIONS = 12;
const FLAG_ERROR_MS = 1;
const U32_MAX = 0xffff_ffff;
const F32_MAX = 3.4028234663852886e38;

/** Encodes a coordinate in 32 + 4·d bytes. Throws a RangeError on a coordinate that is not encodable. */
export function encodeCoordinate(c: Coordinate): Uint8Array {
  const problem = coordinateProblem(c);
  if (problem !== undefined) throw new RangeError(`encodeCoordinate: ${problem}`);
  const d = c.vec.length;
  if (d > MAX_ENCODED_DIMENSIONS) {
    throw new RangeError(`encodeCoordinate: ${d} dimensions, at most ${MAX_ENCODED_DIMENSIONS} fit in 80 bytes`);
  }
  for (const [name, value] of [
    ['height', c.height],
    ['adjustment', c.adjustment],
    ['error', c.error],
    ['errorMs', c.errorMs ?? 0],
    ...c.vec.map((v, i) => [`vec[${i}]`, v] as const),
  ] as const) {
    if (Math.abs(value) > F32_MAX) throw new RangeError(`encodeCoordinate: ${name} ${value} does not fit a float32`);
  }
  const bytes = new Uint8Array(ENCODED_HEADER_BYTES + 4 * d);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, ENCODING_VERSION);
  view.setUint8(1, d);
  view.setUint8(2, c.errorMs === undefined ? 0 : FLAG_ERROR_MS);
  view.setUint32(4, Math.min(U32_MAX, Math.floor(c.sampleCount)), true);
  view.setFloat64(8, c.updatedAtMs, true);
  view.setFloat32(16, c.height, true);
  view.setFloat32(20, c.adjustment, true);
  view.setFloat32(24, c.error, true);
  view.setFloat32(28, c.errorMs ?? 0, true);
  for (let i = 0; i < d; i++) view.setFloat32(ENCODED_HEADER_BYTES + 4 * i, c.vec[i] as number, true);
  return bytes;
}

/**
 * Decodes bytes from encodeCoordinate. Throws a RangeError naming the problem on anything malformed
 * (short, unknown version, too many dimensions, a non-finite or out-of-range field); never returns
 * NaN. The receiver's clock differs from the sender's: pass `receivedAtMs` to restamp updatedAtMs.
 */
export function decodeCoordinate(bytes: Uint8Array, receivedAtMs?: number): Coordinate {
  if (!(bytes instanceof Uint8Array)) throw new RangeError('decodeCoordinate: input is not a Uint8Array');
  if (bytes.length < ENCODED_HEADER_BYTES) {
    throw new RangeError(`decodeCoordinate: ${bytes.length} bytes, the header alone is ${ENCODED_HEADER_BYTES}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(0);
  if (version !== ENCODING_VERSION) throw new RangeError(`decodeCoordinate: unknown version ${version}`);
  const d = view.getUint8(1);
  if (d < 1 || d > MAX_ENCODED_DIMENSIONS) {
    throw new RangeError(`decodeCoordinate: ${d} dimensions, expected 1..${MAX_ENCODED_DIMENSIONS}`);
  }
  if (bytes.length < ENCODED_HEADER_BYTES + 4 * d) {
    throw new RangeError(
      `decodeCoordinate: ${bytes.length} bytes, ${d} dimensions need ${ENCODED_HEADER_BYTES + 4 * d}`,
    );
  }
  const hasErrorMs = (view.getUint8(2) & FLAG_ERROR_MS) !== 0;
  const vec = new Array<number>(d);
  for (let i = 0; i < d; i++) vec[i] = view.getFloat32(ENCODED_HEADER_BYTES + 4 * i, true);
  const c: Coordinate = {
    vec,
    height: view.getFloat32(16, true),
    adjustment: view.getFloat32(20, true),
    error: view.getFloat32(24, true),
    sampleCount: view.getUint32(4, true),
    updatedAtMs: receivedAtMs ?? view.getFloat64(8, true),
  };
  if (hasErrorMs) c.errorMs = view.getFloat32(28, true);
  const problem = coordinateProblem(c, d);
  if (problem !== undefined) throw new RangeError(`decodeCoordinate: ${problem}`);
  return c;
}
