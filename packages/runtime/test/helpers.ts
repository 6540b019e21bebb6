// Test helpers: a logger whose JSON lines can be read back.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../src/index.js';

export interface CapturedLogger {
  logger: Logger;
  lines: () => Record<string, unknown>[];
}

export function captureLogger(level: 'info' | 'debug' = 'info'): CapturedLogger {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = createLogger({ service: 'test-svc', nodeId: 'node-1', level, destination });
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
