// @hyperscale/vivaldi: network coordinates, the update rule, RTT estimates, the RTT upper confidence
// bound and coordinate quality. Pure: no I/O, time and randomness are injected.
export { VivaldiClient, type VivaldiClientOptions } from './client.js';
export { coordinateQuality, defaultRttUcbMs, errorMsOf, quality, rttUcbMs } from './confidence.js';
export { DEFAULT_VIVALDI_CONFIG, resolveConfig, SERF_REFERENCE_CONFIG, type VivaldiConfig } from './config.js';
export {
  type Coordinate,
  cloneCoordinate,
  coordinateProblem,
  estimateRttMs,
  originCoordinate,
  rawDistanceMs,
} from './coordinate.js';
export {
  decodeCoordinate,
  ENCODED_HEADER_BYTES,
  ENCODING_VERSION,
  encodeCoordinate,
  MAX_ENCODED_DIMENSIONS,
} from './encoding.js';
export {
  type AccuracyReport,
  createClients,
  evaluateMatrix,
  gaussian,
  nearestOfFive,
  quantile,
  type RttMatrix,
  relativeErrors,
  report,
  type SimulationOptions,
  simulate,
  validateMatrix,
} from './evaluation.js';
