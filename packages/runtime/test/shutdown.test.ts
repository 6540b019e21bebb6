import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installProcessGuards, installShutdown, sleep } from '../src/index.js';
import { captureLogger } from './helpers.js';

function exits(): { codes: number[]; exit: (code: number) => void; exited: Promise<number> } {
  const codes: number[] = [];
  let first = (_code: number): void => {};
  const exited = new Promise<number>((resolve) => {
    first = resolve;
  });
  return {
    codes,
    exited,
    exit: (code) => {
      codes.push(code);
      first(code);
    },
  };
}

describe('installShutdown', () => {
  it('runs the steps in order on the first signal, then exits 0', async () => {
    const signals = new EventEmitter();
    const { codes, exit, exited } = exits();
    const order: string[] = [];
    const step = (name: string) => ({
      name,
      timeoutMs: 1000,
      run: async () => {
        await sleep(5);
        order.push(name);
      },
    });
    installShutdown({
      logger: captureLogger().logger,
      steps: [step('drain gRPC'), step('stop loops'), step('leave membership'), step('close admin')],
      exit,
      signalSource: signals,
    });
    signals.emit('SIGTERM');
    expect(await exited).toBe(0);
    expect(order).toEqual(['drain gRPC', 'stop loops', 'leave membership', 'close admin']);
    expect(codes).toEqual([0]);
  });

  it('bounds each step: a stuck or failing step is logged and the next one still runs', async () => {
    const signals = new EventEmitter();
    const { exit, exited } = exits();
    const captured = captureLogger();
    const order: string[] = [];
    installShutdown({
      logger: captured.logger,
      steps: [
        { name: 'stuck', timeoutMs: 30, run: () => new Promise<void>(() => {}) },
        {
          name: 'broken',
          timeoutMs: 1000,
          run: async () => {
            throw new Error('already closed');
          },
        },
        { name: 'last', timeoutMs: 1000, run: async () => void order.push('last') },
      ],
      exit,
      signalSource: signals,
    });
    signals.emit('SIGINT');
    expect(await exited).toBe(0);
    expect(order).toEqual(['last']);
    const lines = captured.lines();
    expect(lines.find((l) => l['msg'] === 'shutdown step timed out')).toMatchObject({ step: 'stuck', timeoutMs: 30 });
    expect(lines.find((l) => l['msg'] === 'shutdown step failed')).toMatchObject({
      step: 'broken',
      err: { message: 'already closed' },
    });
  });

  it('exits 1 at once on a second signal', async () => {
    const signals = new EventEmitter();
    const { codes, exit } = exits();
    const release = { open: (): void => {} };
    const handle = installShutdown({
      logger: captureLogger().logger,
      steps: [{ name: 'slow drain', timeoutMs: 10_000, run: () => new Promise<void>((r) => (release.open = r)) }],
      exit,
      signalSource: signals,
    });
    signals.emit('SIGTERM');
    await sleep(5);
    signals.emit('SIGTERM');
    expect(codes).toEqual([1]);
    release.open();
    await handle.trigger('again'); // the same run, finishing now
    expect(codes).toEqual([1, 0]);
  });

  it('uninstall removes the listeners; trigger shuts down without a signal', async () => {
    const signals = new EventEmitter();
    const { exit, exited } = exits();
    const handle = installShutdown({ logger: captureLogger().logger, steps: [], exit, signalSource: signals });
    expect(signals.listenerCount('SIGTERM')).toBe(1);
    handle.uninstall();
    expect(signals.listenerCount('SIGTERM')).toBe(0);
    await handle.trigger('fatal error');
    expect(await exited).toBe(0);
  });
});

describe('installProcessGuards', () => {
  it('logs an unhandled rejection and keeps going; logs an uncaught exception and exits 1', () => {
    const source = new EventEmitter();
    const { codes, exit } = exits();
    const captured = captureLogger();
    const guards = installProcessGuards({ logger: captured.logger, exit, source });
    source.emit('unhandledRejection', new Error('nobody awaited me'));
    expect(codes).toEqual([]);
    source.emit('uncaughtException', new Error('state is corrupt'));
    expect(codes).toEqual([1]);
    expect(captured.lines().map((l) => [l['level'], (l['err'] as { message: string }).message])).toEqual([
      ['error', 'nobody awaited me'],
      ['fatal', 'state is corrupt'],
    ]);
    guards.uninstall();
    expect(source.listenerCount('uncaughtException')).toBe(0);
  });
});
