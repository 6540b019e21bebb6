// @hyperscale/runtime: what every service shares. See README.md for the API and its defaults.
export { type Clock, systemClock } from '@hyperscale/deterministic';
export { AckOutbox, type AckOutboxOptions } from './ack-outbox.js';
export { type AdminServer, type AdminServerOptions, type Readiness, startAdminServer } from './admin-server.js';
export {
  BackgroundTasks,
  type LoopHandle,
  type LoopOptions,
  type Scheduler,
  systemScheduler,
  type TaskFn,
  type TaskStatus,
} from './background-tasks.js';
export {
  CIRCUIT_BREAKER_DEFAULTS,
  CircuitBreaker,
  type CircuitBreakerOptions,
  CircuitOpenError,
  type CircuitState,
} from './circuit-breaker.js';
export { ClientCache, type Closable } from './client-cache.js';
export * from './config/index.js';
export * from './grpc/index.js';
export { toJsonSafe } from './json-safe.js';
export {
  type CreateLoggerOptions,
  createLogger,
  LOG_LEVELS,
  type Logger,
  type LogLevel,
  REDACTED_PATHS,
} from './logging.js';
export {
  Counter,
  type CreateMetricsRegistryOptions,
  createMetricsRegistry,
  type EventLoopLagMonitor,
  type EventLoopLagSnapshot,
  Gauge,
  Histogram,
  METRIC_PREFIX,
  Registry,
  startEventLoopLagMonitor,
} from './metrics.js';
export { nodeArgsNotInEffect, serviceNodeArgs, warnWithoutNodeArgs } from './node-args.js';
export { type InstallProcessGuardsOptions, installProcessGuards, type ProcessEventSource } from './process-guards.js';
export { type BackoffInput, backoffDelayMs, type Jitter, RETRY_DEFAULTS, type RetryOptions, retry } from './retry.js';
export {
  type MetricReading,
  registerCounterSnapshot,
  registerScrapedMetric,
  type ScrapedMetric,
} from './scraped-metrics.js';
export {
  type InstallShutdownOptions,
  installShutdown,
  type ShutdownHandle,
  type ShutdownStep,
  type SignalSource,
} from './shutdown.js';
export { sleep } from './sleep.js';
