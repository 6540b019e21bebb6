// One way to log for every service: pino JSON on stdout, every line tagged with service and node,
// one child logger per component (DESIGN.md §8), and secrets redacted before they reach a line.
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** The levels a service accepts, e.g. for `s.enum({ env: 'HYPERSCALE_LOG_LEVEL', values: LOG_LEVELS })`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const SECRET_KEYS = ['key', 'secret', 'password', 'token', 'authorization', 'cookie'];

/** Paths pino redacts: the secret-looking keys at the top level, one level down, and in headers. */
export const REDACTED_PATHS: readonly string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `headers.${k}`),
  ...SECRET_KEYS.map((k) => `*.headers.${k}`),
];

export interface CreateLoggerOptions {
  service: string;
  nodeId: string;
  level?: LogLevel;
  /** Where lines go; stdout when omitted. Tests pass a stream to read them. */
  destination?: DestinationStream;
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const config = {
    level: options.level ?? 'info',
    base: { service: options.service, nodeId: options.nodeId },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
  };
  return options.destination === undefined ? pino(config) : pino(config, options.destination);
}
