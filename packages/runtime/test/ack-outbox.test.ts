// AckOutbox with an injected clock and hand-resolved sends: nothing sleeps, every
// promise is settled by the test.
import { VirtualClock } from '@hyperscale/deterministic';
import { describe, expect, it } from 'vitest';
import { AckOutbox, type AckOutboxOptions } from '../src/index.js';

interface Send {
  key: string;
  value: string;
  ack(answer?: string): void;
  fail(error?: Error): void;
}

function outbox(options: Partial<AckOutboxOptions<string, string, string>> = {}) {
  const clock = new VirtualClock();
  const sends: Send[] = [];
  const events: string[] = [];
  const box = new AckOutbox<string, string, string>({
    clock,
    ttlMs: 1_000,
    send: (key, value) =>
      new Promise<string>((resolve, reject) => {
        sends.push({ key, value, ack: (answer = 'ok') => resolve(answer), fail: (e = new Error('down')) => reject(e) });
      }),
    onAcknowledged: (key, value, ack) => events.push(`ack ${key}=${value} ${ack}`),
    onSendFailed: (key, value, error) => events.push(`failed ${key}=${value} ${(error as Error).message}`),
    onExpired: (key, value) => events.push(`expired ${key}=${value}`),
    ...options,
  });
  return { clock, sends, events, box };
}

/** Lets every settled send run its callbacks. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('AckOutbox', () => {
  it('keeps an entry until its send resolves, retrying failed sends on later flushes', async () => {
    const { sends, events, box } = outbox();
    expect(box.add('a', 'result-a')).toBe(true);
    box.flush();
    expect(sends.map((s) => s.value)).toEqual(['result-a']);
    sends[0]!.fail();
    await settle();
    expect(events).toEqual(['failed a=result-a down']);
    expect(box.size).toBe(1);
    box.flush();
    expect(sends).toHaveLength(2);
    sends[1]!.ack('accepted');
    await settle();
    expect(events.at(-1)).toBe('ack a=result-a accepted');
    expect(box.size).toBe(0);
    box.flush();
    expect(sends).toHaveLength(2);
  });

  it('has at most one send in flight per key', async () => {
    const { sends, box } = outbox();
    box.add('a', 'x');
    box.add('b', 'y');
    box.flush();
    box.flush();
    box.flush();
    expect(sends.map((s) => s.key)).toEqual(['a', 'b']);
    sends[0]!.fail();
    await settle();
    box.flush();
    expect(sends.map((s) => s.key)).toEqual(['a', 'b', 'a']);
  });

  it('drops an entry unacknowledged past its TTL and reports it, even with a send in flight', async () => {
    const { clock, sends, events, box } = outbox();
    box.add('a', 'x');
    box.flush();
    clock.advance(1_000);
    box.flush();
    expect(box.size).toBe(1); // exactly the TTL: still kept
    clock.advance(1);
    box.flush();
    expect(events).toEqual(['expired a=x']);
    expect(box.size).toBe(0);
    sends[0]!.ack();
    await settle();
    expect(events).toEqual(['expired a=x', 'ack a=x ok']);
  });

  it('add keeps the pending entry; replace swaps its value without doubling a send in flight', async () => {
    const { clock, sends, box } = outbox();
    box.add('a', 'first');
    expect(box.add('a', 'second')).toBe(false);
    box.flush();
    clock.advance(900);
    box.replace('a', 'newer');
    box.flush();
    expect(sends.map((s) => s.value)).toEqual(['first']);
    sends[0]!.ack();
    await settle();
    // The acknowledgement of the old value leaves the newer one pending, with a restarted TTL.
    expect(box.has('a')).toBe(true);
    clock.advance(900);
    box.flush();
    expect(sends.map((s) => s.value)).toEqual(['first', 'newer']);
    sends[1]!.ack();
    await settle();
    expect(box.size).toBe(0);
  });

  it('waits for an entry that is not ready, its TTL running', () => {
    let ready = false;
    const { clock, sends, events, box } = outbox({ ready: () => ready });
    box.add('a', 'x');
    box.flush();
    expect(sends).toHaveLength(0);
    ready = true;
    box.flush();
    expect(sends).toHaveLength(1);
    ready = false;
    box.add('b', 'y');
    clock.advance(1_001);
    box.flush();
    expect(events).toEqual(['expired a=x', 'expired b=y']);
  });

  it('treats a send that throws as a failed send', async () => {
    const { events, box } = outbox({
      send: () => {
        throw new Error('no channel');
      },
    });
    box.add('a', 'x');
    box.flush();
    await settle();
    expect(events).toEqual(['failed a=x no channel']);
    expect(box.size).toBe(1);
  });
});
