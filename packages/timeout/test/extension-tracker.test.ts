import { describe, expect, it } from 'vitest';
import { ExtensionLedger, extensionGrantMs, resolveTimeoutConfig } from '../src/index.js';

const config = resolveTimeoutConfig();

describe('AD-26 extension grants', () => {
  it('halve from 15 s down to the 1 s floor, at most five (implementation variant)', () => {
    expect([0, 1, 2, 3, 4].map((n) => extensionGrantMs(config, n))).toEqual([15_000, 7_500, 3_750, 1_875, 1_000]);
  });

  it('the documented variant (first grant = base) is one config change', () => {
    const doc = resolveTimeoutConfig({ extensionFirstGrantDivisor: 1 });
    expect([0, 1, 2, 3, 4].map((n) => extensionGrantMs(doc, n))).toEqual([30_000, 15_000, 7_500, 3_750, 1_875]);
  });

  it('grants only while progress strictly increases, and warns at one left', () => {
    const ledger = new ExtensionLedger(config);
    const granted: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const reply = ledger.request({ workerId: 'w1', currentProgress: i / 10 }, i * 1000);
      expect(reply.granted).toBe(true);
      expect(reply.remainingExtensions).toBe(5 - i);
      expect(reply.isExhaustionWarning).toBe(5 - i <= 1);
      granted.push(reply.extensionMs);
    }
    expect(granted).toEqual([15_000, 7_500, 3_750, 1_875, 1_000]);
    const sixth = ledger.request({ workerId: 'w1', currentProgress: 0.9 }, 6_000);
    expect(sixth.granted).toBe(false);
    expect(sixth.denialReason).toBe('exhausted');
  });

  it('denies equal or lower progress without using a grant', () => {
    const ledger = new ExtensionLedger(config);
    expect(ledger.request({ workerId: 'w', currentProgress: 0 }, 0).denialReason).toBe('no-progress');
    expect(ledger.request({ workerId: 'w', currentProgress: 0.5 }, 0).granted).toBe(true);
    const same = ledger.request({ workerId: 'w', currentProgress: 0.5 }, 1);
    expect(same).toMatchObject({ granted: false, denialReason: 'no-progress', remainingExtensions: 4 });
    expect(ledger.request({ workerId: 'w', currentProgress: 0.4 }, 2).denialReason).toBe('no-progress');
  });

  it('prefers absolute items over the progress fraction', () => {
    const ledger = new ExtensionLedger(config);
    expect(ledger.request({ workerId: 'w', currentProgress: 0.5, completedItems: 10 }, 0).granted).toBe(true);
    // Fraction went up, items did not: denied.
    expect(ledger.request({ workerId: 'w', currentProgress: 0.9, completedItems: 10 }, 1).denialReason).toBe(
      'no-progress',
    );
    // Fraction went down (total grew), items went up: granted.
    expect(ledger.request({ workerId: 'w', currentProgress: 0.2, completedItems: 11 }, 2).granted).toBe(true);
  });

  it('refuses malformed requests', () => {
    const ledger = new ExtensionLedger(config);
    expect(ledger.request({ workerId: '', currentProgress: 1 }, 0).denialReason).toBe('invalid-request');
    expect(ledger.request({ workerId: 'w', currentProgress: Number.NaN }, 0).denialReason).toBe('invalid-request');
    expect(ledger.request({ workerId: 'w', currentProgress: 1, completedItems: -1 }, 0).denialReason).toBe(
      'invalid-request',
    );
    expect(ledger.trackedWorkers).toBe(0);
  });

  it('exhaustion → grace period → eviction, exactly once', () => {
    const ledger = new ExtensionLedger(config);
    let now = 0;
    for (let i = 1; i <= 5; i++) ledger.request({ workerId: 'w', currentProgress: i }, now);
    // Deadline = 0 + 15 + 7.5 + 3.75 + 1.875 + 1 s = 29.125 s.
    now = 30_000;
    const denied = ledger.request({ workerId: 'w', currentProgress: 6 }, now);
    expect(denied).toMatchObject({
      granted: false,
      denialReason: 'exhausted',
      inGracePeriod: true,
      gracePeriodRemainingMs: 10_000,
    });
    expect(ledger.dueEvictions(39_999)).toEqual([]);
    expect(ledger.dueEvictions(40_000)).toEqual(['w']);
    expect(ledger.dueEvictions(50_000)).toEqual([]);
    expect(ledger.trackedWorkers).toBe(0);
  });

  it('a worker that recovers starts over and is not evicted', () => {
    const ledger = new ExtensionLedger(config);
    for (let i = 1; i <= 5; i++) ledger.request({ workerId: 'w', currentProgress: i }, 0);
    ledger.request({ workerId: 'w', currentProgress: 6 }, 30_000);
    ledger.recovered('w');
    expect(ledger.dueEvictions(100_000)).toEqual([]);
    expect(ledger.request({ workerId: 'w', currentProgress: 1 }, 100_000)).toMatchObject({
      granted: true,
      extensionMs: 15_000,
    });
  });

  it('bounds the workers it tracks', () => {
    const ledger = new ExtensionLedger(resolveTimeoutConfig({ maxWorkersPerJob: 2 }));
    expect(ledger.request({ workerId: 'a', currentProgress: 1 }, 0).granted).toBe(true);
    expect(ledger.request({ workerId: 'b', currentProgress: 1 }, 0).granted).toBe(true);
    expect(ledger.request({ workerId: 'c', currentProgress: 1 }, 0).denialReason).toBe('too-many-workers');
    expect(ledger.trackedWorkers).toBe(2);
  });
});
