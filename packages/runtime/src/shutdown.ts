// Graceful shutdown on SIGTERM/SIGINT: the composition root lists the steps in order (drain gRPC,
// stop loops, leave membership, close admin), each bounded by a timeout so one stuck step cannot
// hang the pod past its termination grace period. A second signal means "now": exit 1.
import type { Logger } from 'pino';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
  timeoutMs: number;
}

/** The part of `process` shutdown handling uses; tests pass an EventEmitter. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export interface InstallShutdownOptions {
  logger: Logger;
  steps: readonly ShutdownStep[];
  signals?: readonly NodeJS.Signals[];
  /** Defaults to process.exit. */
  exit?: (code: number) => void;
  /** Defaults to process. */
  signalSource?: SignalSource;
}

export interface ShutdownHandle {
  /** Runs the steps (once) and exits 0; a signal does the same. */
  trigger(reason: string): Promise<void>;
  /** Removes the signal listeners. */
  uninstall(): void;
}

type StepOutcome = 'done' | 'failed' | 'timed-out';

async function runBounded(step: ShutdownStep, logger: Logger): Promise<StepOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<StepOutcome>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), step.timeoutMs);
  });
  const work = Promise.resolve()
    .then(step.run)
    .then(
      (): StepOutcome => 'done',
      (error: unknown): StepOutcome => {
        logger.error({ err: error, step: step.name }, 'shutdown step failed');
        return 'failed';
      },
    );
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function installShutdown(options: InstallShutdownOptions): ShutdownHandle {
  const logger = options.logger.child({ component: 'shutdown' });
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const source: SignalSource = options.signalSource ?? process;
  let running: Promise<void> | undefined;

  const trigger = (reason: string): Promise<void> => {
    running ??= (async () => {
      logger.info({ reason }, 'shutting down');
      for (const step of options.steps) {
        const outcome = await runBounded(step, logger);
        if (outcome === 'timed-out')
          logger.warn({ step: step.name, timeoutMs: step.timeoutMs }, 'shutdown step timed out');
        else logger.info({ step: step.name, outcome }, 'shutdown step finished');
      }
      logger.info('shutdown complete');
      exit(0);
    })();
    return running;
  };

  const onSignal = (signal: NodeJS.Signals) => (): void => {
    if (running !== undefined) {
      logger.warn({ signal }, 'second signal during shutdown; exiting now');
      exit(1);
      return;
    }
    trigger(signal).catch((error: unknown) => {
      logger.fatal({ err: error }, 'shutdown failed');
      exit(1);
    });
  };
  const listeners = signals.map((signal) => [signal, onSignal(signal)] as const);
  for (const [signal, listener] of listeners) source.on(signal, listener);

  return {
    trigger,
    uninstall: () => {
      for (const [signal, listener] of listeners) source.off(signal, listener);
    },
  };
}
