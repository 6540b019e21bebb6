// Checks that bytes are an HdrHistogram V2 compressed encoding that `decodeHistogram` accepts,
// without building the histogram. A decode allocates the full counts array (≈ 140 KB at 1 µs – 60 s,
// 3 digits, 64-bit buckets): a manager that decoded every progress report only to validate it ran
// a full garbage collection every 0.7–1.5 s under a progress storm (bench/backpressure.ts), and
// its control RPCs stalled behind them. This reads the same fields the decoder reads and inflates
// the payload (a few KB), so it refuses what the decoder would throw on, at a fraction of the cost.
// Layout (HdrHistogram, big-endian): compressed = cookie 0x1c849304|wordsize, int32 length, zlib
// data; inflated = cookie 0x1c849303|wordsize, int32 payload length, int32 normalizing offset, int32
// significant digits, int64 lowest, int64 highest, double ratio, then ZigZag LEB128 counts.
import { inflateSync } from 'node:zlib';
import { LOADGEN_DEFAULTS } from './config.js';

const V2_ENCODING_COOKIE_BASE = 0x1c849303;
const V2_COMPRESSED_COOKIE_BASE = 0x1c849304;
const HEADER_BYTES = 40;
/** A histogram of our range encodes in well under this; anything larger is refused, not inflated. */
const MAX_INFLATED_BYTES = 4 * 1024 * 1024;

const cookieBase = (cookie: number): number => cookie & ~0xf0;

/** Throws an Error naming what is wrong when `bytes` is not a histogram `decodeHistogram` accepts. */
export function checkHistogramEncoding(bytes: Uint8Array): void {
  if (bytes.byteLength < 8) throw new Error(`${bytes.byteLength} bytes is shorter than the 8-byte header`);
  const outer = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (cookieBase(outer.getInt32(0)) !== V2_COMPRESSED_COOKIE_BASE) {
    throw new Error('not a V2 compressed encoding (cookie)');
  }
  const compressedLength = outer.getInt32(4);
  if (compressedLength < 0 || compressedLength > bytes.byteLength - 8) {
    throw new Error(`compressed length ${compressedLength} exceeds the ${bytes.byteLength - 8} bytes present`);
  }
  const inflated = inflateSync(bytes.subarray(8, 8 + compressedLength), { maxOutputLength: MAX_INFLATED_BYTES });
  if (inflated.byteLength < HEADER_BYTES) throw new Error('inflated encoding is shorter than its header');
  const view = new DataView(inflated.buffer, inflated.byteOffset, inflated.byteLength);
  if (cookieBase(view.getInt32(0)) !== V2_ENCODING_COOKIE_BASE) throw new Error('not a V2 encoding (inner cookie)');
  const payloadLength = view.getInt32(4);
  if (payloadLength < 0 || payloadLength > inflated.byteLength - HEADER_BYTES) {
    throw new Error(`payload length ${payloadLength} exceeds the ${inflated.byteLength - HEADER_BYTES} bytes present`);
  }
  const digits = view.getInt32(12);
  if (digits < 0 || digits > 5) throw new Error(`significant digits ${digits} outside 0–5`);
  const lowest = Number(view.getBigInt64(16));
  const highest = Math.max(Number(view.getBigInt64(24)), LOADGEN_DEFAULTS.histogramHighestUs);
  if (!(lowest >= 1)) throw new Error(`lowest discernible value ${lowest} is below 1`);
  if (!(highest >= 2 * lowest)) throw new Error(`highest trackable value ${highest} is below twice the lowest`);
  checkCounts(inflated, HEADER_BYTES, HEADER_BYTES + payloadLength);
}

/** Walks the ZigZag LEB128 counts (at most 9 bytes each) without storing them. */
function checkCounts(data: Uint8Array, start: number, end: number): void {
  let at = start;
  while (at < end) {
    let length = 0;
    while (length < 9) {
      if (at + length >= end) throw new Error(`a count runs past the end of the payload at byte ${at}`);
      const more = length < 8 && (data[at + length]! & 0x80) !== 0;
      length++;
      if (!more) break;
    }
    at += length;
  }
}
