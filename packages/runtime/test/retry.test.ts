import { seededRandom } from '@hyperscale/deterministic';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, RETRY_DEFAULTS, retry } from '../src/index.js';

/** A random source that returns the given values in turn. */
function scripted(...values: number[]): { next(): number } {
  let i = 0;
  return { next: () => values[i++ % values.length] ?? 0 };
}

function recordingSleep(): { sleeps: number[]; sleep: (ms: number) => Promise<void> } {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
}

describe('backoffDelayMs (AD-21)', () => {
  const base = { baseMs: 500, capMs: 30_000, previousMs: 500 };

  it('full jitter is U(0, min(cap, base·2^a))', () => {
    expect(backoffDelayMs({ ...base, jitter: 'full', attempt: 0, random: scripted(0.5) })).toBe(250);
    expect(backoffDelayMs({ ...base, jitter: 'full', attempt: 3, random: scripted(0.5) })).toBe(2000);
    expect(backoffDelayMs({ ...base, jitter: 'full', attempt: 10, random: scripted(0.999) })).toBeCloseTo(29_970);
    expect(backoffDelayMs({ ...base, jitter: 'full', attempt: 2, random: scripted(0) })).toBe(0);
  });

  it('equal jitter is t/2 + U(0, t/2)', () => {
    expect(backoffDelayMs({ ...base, jitter: 'equal', attempt: 1, random: scripted(0) })).toBe(500);
    expect(backoffDelayMs({ ...base, jitter: 'equal', attempt: 1, random: scripted(0.5) })).toBe(750);
    expect(backoffDelayMs({ ...base, jitter: 'equal', attempt: 20, random: scripted(0) })).toBe(15_000);
  });

  it('decorrelated jitter is min(cap, U(base, 3·prev))', () => {
    expect(backoffDelayMs({ ...base, jitter: 'decorrelated', attempt: 0, random: scripted(0) })).toBe(500);
    expect(backoffDelayMs({ ...base, jitter: 'decorrelated', attempt: 0, random: scripted(0.5) })).toBe(1000);
    expect(
      backoffDelayMs({ ...base, jitter: 'decorrelated', attempt: 4, previousMs: 4000, random: scripted(0.5) }),
    ).toBe(6250);
    expect(
      backoffDelayMs({ ...base, jitter: 'decorrelated', attempt: 9, previousMs: 29_000, random: scripted(0.9) }),
    ).toBe(30_000);
  });

  it('stays within its bounds for many seeded draws', () => {
    const random = seededRandom(21);
    let previousMs = 500;
    for (let attempt = 0; attempt < 200; attempt++) {
      const t = Math.min(30_000, 500 * 2 ** attempt);
      const full = backoffDelayMs({ ...base, jitter: 'full', attempt, random });
      expect(full).toBeGreaterThanOrEqual(0);
      expect(full).toBeLessThan(t);
      const equal = backoffDelayMs({ ...base, jitter: 'equal', attempt, random });
      expect(equal).toBeGreaterThanOrEqual(t / 2);
      expect(equal).toBeLessThan(t);
      const decorrelated = backoffDelayMs({ ...base, jitter: 'decorrelated', attempt, previousMs, random });
      expect(decorrelated).toBeGreaterThanOrEqual(500);
      expect(decorrelated).toBeLessThanOrEqual(Math.min(30_000, 3 * previousMs));
      previousMs = decorrelated;
    }
  });
});

describe('retry', () => {
  it('uses the AD-21 defaults: 3 attempts, base 500 ms, full jitter, then rethrows the last error', async () => {
    expect(RETRY_DEFAULTS).toEqual({ attempts: 3, baseMs: 500, capMs: 30_000, jitter: 'full' });
    const { sleeps, sleep } = recordingSleep();
    const attempts: number[] = [];
    const failing = retry(
      async (attempt) => {
        attempts.push(attempt);
        throw new Error(`failure ${attempt}`);
      },
      { sleep, random: scripted(0.5) },
    );
    await expect(failing).rejects.toThrow('failure 2');
    expect(attempts).toEqual([0, 1, 2]);
    expect(sleeps).toEqual([250, 500]);
  });

  it('returns the first success', async () => {
    const { sleeps, sleep } = recordingSleep();
    const retried: [string, number, number][] = [];
    const result = await retry(
      async (attempt) => {
        if (attempt < 2) throw new Error(`transient ${attempt}`);
        return 'ok';
      },
      {
        attempts: 5,
        jitter: 'equal',
        random: scripted(0),
        sleep,
        onRetry: (error, attempt, delayMs) => retried.push([(error as Error).message, attempt, delayMs]),
      },
    );
    expect(result).toBe('ok');
    expect(sleeps).toEqual([250, 500]);
    expect(retried).toEqual([
      ['transient 0', 0, 250],
      ['transient 1', 1, 500],
    ]);
  });

  it('feeds the previous delay to decorrelated jitter', async () => {
    const { sleeps, sleep } = recordingSleep();
    await expect(
      retry(
        async () => {
          throw new Error('down');
        },
        { attempts: 4, jitter: 'decorrelated', random: scripted(0.5), sleep },
      ),
    ).rejects.toThrow('down');
    // prev 500 → U(500,1500)@0.5 = 1000 → U(500,3000)@0.5 = 1750 → U(500,5250)@0.5 = 2875
    expect(sleeps).toEqual([1000, 1750, 2875]);
  });

  it('stops at a non-retryable error', async () => {
    const { sleeps, sleep } = recordingSleep();
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error('invalid argument');
        },
        { sleep, isRetryable: (error) => !(error as Error).message.startsWith('invalid') },
      ),
    ).rejects.toThrow('invalid argument');
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('waits at least a server retry-after hint, still capped', async () => {
    const { sleeps, sleep } = recordingSleep();
    await expect(
      retry(
        async () => {
          throw Object.assign(new Error('shedding'), { retryAfterMs: 4000 });
        },
        {
          attempts: 3,
          capMs: 3000,
          random: scripted(0.5),
          sleep,
          retryAfterMs: (error) => (error as { retryAfterMs?: number }).retryAfterMs,
        },
      ),
    ).rejects.toThrow('shedding');
    expect(sleeps).toEqual([3000, 3000]);
  });

  it('stops when the signal aborts during a wait', async () => {
    const controller = new AbortController();
    let calls = 0;
    const pending = retry(
      async () => {
        calls++;
        throw new Error('unavailable');
      },
      {
        signal: controller.signal,
        sleep: (_ms, signal) =>
          new Promise<void>((_resolve, reject) => {
            signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
            controller.abort(new Error('shutting down'));
          }),
      },
    );
    await expect(pending).rejects.toThrow('shutting down');
    expect(calls).toBe(1);
  });
});
