import { VirtualClock } from '@hyperscale/deterministic';
import { describe, expect, it } from 'vitest';
import { CIRCUIT_BREAKER_DEFAULTS, CircuitBreaker, CircuitOpenError, type CircuitState } from '../src/index.js';

function breaker(options: Partial<ConstructorParameters<typeof CircuitBreaker>[0]> = {}) {
  const clock = new VirtualClock();
  const transitions: string[] = [];
  const circuit = new CircuitBreaker({
    clock,
    onStateChange: (from: CircuitState, to: CircuitState) => transitions.push(`${from}->${to}`),
    ...options,
  });
  return { clock, circuit, transitions };
}

describe('CircuitBreaker (facts §5)', () => {
  it('defaults to 3 errors / 30 s window / half-open after 10 s', () => {
    expect(CIRCUIT_BREAKER_DEFAULTS).toEqual({
      windowMs: 30_000,
      maxErrors: 3,
      maxErrorRatePerSecond: 0.5,
      halfOpenAfterMs: 10_000,
    });
  });

  it('opens at max errors inside the window, half-opens after the delay, and a success closes it', () => {
    const { clock, circuit, transitions } = breaker();
    circuit.recordError();
    clock.advance(5_000);
    circuit.recordError();
    expect(circuit.state()).toBe('closed');
    expect(circuit.allowRequest()).toBe(true);
    clock.advance(5_000);
    circuit.recordError();
    expect(circuit.state()).toBe('open');
    expect(circuit.allowRequest()).toBe(false);
    clock.advance(9_999);
    expect(circuit.state()).toBe('open');
    clock.advance(1);
    expect(circuit.state()).toBe('half-open');
    expect(circuit.allowRequest()).toBe(true);
    expect(circuit.allowRequest()).toBe(false); // one trial at a time
    circuit.recordSuccess();
    expect(circuit.state()).toBe('closed');
    expect(circuit.errorCount()).toBe(0); // history cleared
    expect(transitions).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('forgets errors that slide out of the window', () => {
    const { clock, circuit } = breaker();
    circuit.recordError();
    circuit.recordError();
    clock.advance(30_001);
    expect(circuit.errorCount()).toBe(0);
    circuit.recordError();
    circuit.recordError();
    expect(circuit.state()).toBe('closed');
  });

  it('reopens when the half-open trial fails, and restarts the half-open delay', () => {
    const { clock, circuit, transitions } = breaker();
    for (let i = 0; i < 3; i++) circuit.recordError();
    clock.advance(10_000);
    expect(circuit.allowRequest()).toBe(true);
    circuit.recordError();
    expect(circuit.state()).toBe('open');
    clock.advance(9_000);
    expect(circuit.state()).toBe('open');
    clock.advance(1_000);
    expect(circuit.state()).toBe('half-open');
    expect(transitions).toEqual(['closed->open', 'open->half-open', 'half-open->open', 'open->half-open']);
  });

  it('opens on the error rate when it reaches the limit before the count does', () => {
    const { circuit } = breaker({ windowMs: 2_000, maxErrors: 10, maxErrorRatePerSecond: 1 });
    circuit.recordError();
    expect(circuit.state()).toBe('closed'); // 0.5/s
    circuit.recordError();
    expect(circuit.state()).toBe('open'); // 1/s
  });

  it('execute runs the call when allowed, records the outcome, and refuses while open', async () => {
    const { clock, circuit } = breaker({ maxErrors: 1 });
    expect(await circuit.execute(async () => 'ok')).toBe('ok');
    await expect(
      circuit.execute(async () => {
        throw new Error('manager down');
      }),
    ).rejects.toThrow('manager down');
    clock.advance(4_000);
    let called = false;
    const refused = await circuit
      .execute(async () => {
        called = true;
      })
      .catch((e: unknown) => e);
    expect(called).toBe(false);
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect((refused as CircuitOpenError).retryInMs).toBe(6_000);
    clock.advance(6_000);
    expect(await circuit.execute(async () => 'trial ok')).toBe('trial ok');
    expect(circuit.state()).toBe('closed');
  });
});
