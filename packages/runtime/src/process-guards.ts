// Last-resort handlers for errors that escaped every owner. A rejected promise nobody awaited is a
// bug but not a reason to drop accepted work: log it and keep serving. An uncaught exception leaves
// the process in an unknown state: log it at fatal level and exit 1 so the orchestrator restarts it.
import type { Logger } from 'pino';

export interface ProcessEventSource {
  on(event: 'unhandledRejection' | 'uncaughtException', listener: (error: unknown) => void): unknown;
  off(event: 'unhandledRejection' | 'uncaughtException', listener: (error: unknown) => void): unknown;
}

export interface InstallProcessGuardsOptions {
  logger: Logger;
  /** Defaults to process.exit. */
  exit?: (code: number) => void;
  /** Defaults to process. */
  source?: ProcessEventSource;
}

export function installProcessGuards(options: InstallProcessGuardsOptions): { uninstall(): void } {
  const logger = options.logger.child({ component: 'process' });
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const source: ProcessEventSource = options.source ?? process;
  const onRejection = (error: unknown): void => {
    logger.error({ err: error }, 'unhandled promise rejection; continuing');
  };
  const onException = (error: unknown): void => {
    logger.fatal({ err: error }, 'uncaught exception; exiting');
    exit(1);
  };
  source.on('unhandledRejection', onRejection);
  source.on('uncaughtException', onException);
  return {
    uninstall: () => {
      source.off('unhandledRejection', onRejection);
      source.off('uncaughtException', onException);
    },
  };
}
