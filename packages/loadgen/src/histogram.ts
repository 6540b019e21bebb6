// Latency histograms: HdrHistogram in µs, 1 µs – 60 s at 3 significant digits, and its compressed
// encoding as bytes so a histogram crosses the wire (and worker_threads) as a Uint8Array.
// The pure-JS implementation is used (no WebAssembly): it needs no async initialisation, behaves
// the same under node and vitest, and recording is a few integer operations.
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { LOADGEN_DEFAULTS } from './config.js';

export type { Histogram };

/** 64-bit buckets: a 32-bit bucket would overflow after ~2·10⁹ samples of one value in a long run. */
const BIT_BUCKET_SIZE = 64;

export function createHistogram(): Histogram {
  const h = build({
    bitBucketSize: BIT_BUCKET_SIZE,
    autoResize: false,
    lowestDiscernibleValue: LOADGEN_DEFAULTS.histogramLowestUs,
    highestTrackableValue: LOADGEN_DEFAULTS.histogramHighestUs,
    numberOfSignificantValueDigits: LOADGEN_DEFAULTS.histogramSignificantDigits,
    useWebAssembly: false,
  });
  return h;
}

/** Clamps a µs value into the trackable range: longer than 60 s is recorded as 60 s. */
export function clampMicros(us: number): number {
  if (!(us >= LOADGEN_DEFAULTS.histogramLowestUs)) return LOADGEN_DEFAULTS.histogramLowestUs;
  if (us > LOADGEN_DEFAULTS.histogramHighestUs) return LOADGEN_DEFAULTS.histogramHighestUs;
  return Math.round(us);
}

/** HdrHistogram V2 compressed encoding, as bytes. */
export function encodeHistogram(histogram: Histogram): Uint8Array {
  const base64 = encodeIntoCompressedBase64(histogram);
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

/** The inverse of `encodeHistogram`; throws on bytes that are not an encoded histogram. */
export function decodeHistogram(bytes: Uint8Array): Histogram {
  const base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  // The minimum bar keeps the canonical 60 s range, so any two decoded histograms can be added.
  return decodeFromCompressedBase64(base64, BIT_BUCKET_SIZE, false, LOADGEN_DEFAULTS.histogramHighestUs);
}

let emptyEncoded: Uint8Array | undefined;
/** The encoding of an empty histogram (shared; treat as immutable). */
export function emptyHistogramBytes(): Uint8Array {
  emptyEncoded ??= encodeHistogram(createHistogram());
  return emptyEncoded;
}
