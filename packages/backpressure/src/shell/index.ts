// @hyperscale/backpressure/shell: the imperative shell the services share around the pure package
// (DESIGN.md §3): the grpc-js admission interceptor, process readings for the overload detector,
// Prometheus registration of the backpressure metrics, and setting fragments. Kept off the main
// entry point so that importing the pure API never loads grpc-js or the runtime.
export { type AdmissionOptions, admissionInterceptor, IN_FLIGHT_RETRY_AFTER_MS } from './admission-interceptor.js';
export { type MetricReaders, type MetricReading, registerBackpressureMetrics } from './backpressure-metrics.js';
export { backpressureSwitchSetting, overloadSamplingSettings } from './backpressure-settings.js';
export { signalOfRefusal } from './refusal-signal.js';
export { ResourceSampler } from './resource-sampler.js';
