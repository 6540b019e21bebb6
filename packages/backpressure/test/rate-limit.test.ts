import { VirtualClock } from '@hyperscale/deterministic';
import { describe, expect, it } from 'vitest';
import { formatRetryAfter, parseRetryAfter, RateLimiter, RateLimitRetryPolicy, TokenBucket } from '../src/index.js';

describe('TokenBucket', () => {
  it('spends its capacity, then refuses with the time until the next token', () => {
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 4 }, 0);
    expect(bucket.tryTake(0).allowed).toBe(true);
    expect(bucket.tryTake(0).allowed).toBe(true);
    expect(bucket.tryTake(0)).toEqual({ allowed: false, tokensRemaining: 0, retryAfterMs: 250 });
    expect(bucket.tryTake(100)).toEqual({ allowed: false, tokensRemaining: 0, retryAfterMs: 150 });
    expect(bucket.tryTake(250).allowed).toBe(true);
  });

  it('never refills past its capacity and ignores a clock that went backwards', () => {
    const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 1 }, 1000);
    expect(bucket.available(100_000)).toBe(3);
    expect(bucket.available(50)).toBe(3);
  });

  it('answers an impossible request with an infinite retry-after', () => {
    const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 1 }, 0);
    const result = bucket.tryTake(0, 4);
    expect(result.allowed).toBe(false);
    expect(!result.allowed && result.retryAfterMs).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('RateLimiter', () => {
  it('limits job submission per client at 50 burst, 5/s (facts §6 row 24), clients independent', () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter(clock);
    for (let i = 0; i < 50; i++) expect(limiter.check('a', 'job_submit').allowed).toBe(true);
    const refused = limiter.check('a', 'job_submit');
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 200, operation: 'job_submit' });
    expect(limiter.check('b', 'job_submit').allowed).toBe(true);
    expect(limiter.check('a', 'cancel').allowed).toBe(true);
    expect(limiter.limitedCount('job_submit')).toBe(1);
  });

  it('uses 100 / 10 per s for an operation without its own entry', () => {
    const limiter = new RateLimiter(new VirtualClock());
    for (let i = 0; i < 100; i++) limiter.check('a', 'something_else');
    expect(limiter.check('a', 'something_else')).toMatchObject({ allowed: false, retryAfterMs: 100 });
  });

  it('forgets clients idle for 300 s and never keeps more than maxClients', () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter(clock, { maxClients: 3 });
    for (const c of ['a', 'b', 'c', 'd']) limiter.check(c, 'job_submit');
    expect(limiter.clientCount).toBe(3);
    clock.advance(299_999);
    limiter.check('d', 'job_submit');
    expect(limiter.clientCount).toBe(3);
    clock.advance(1);
    limiter.check('d', 'job_submit');
    expect(limiter.clientCount).toBe(1);
  });

  it('a forgotten client starts again with a full bucket', () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter(clock, { operations: { job_submit: { capacity: 1, refillPerSecond: 0.001 } } });
    expect(limiter.check('a', 'job_submit').allowed).toBe(true);
    expect(limiter.check('a', 'job_submit').allowed).toBe(false);
    clock.advance(300_000);
    expect(limiter.check('a', 'job_submit').allowed).toBe(true);
  });
});

describe('RateLimitRetryPolicy (what the SDK does with RESOURCE_EXHAUSTED)', () => {
  it('waits at least the server retry-after, backs off ×1.5, gives up after 3 retries', () => {
    const policy = new RateLimitRetryPolicy();
    expect(policy.delayBeforeRetryMs(0, 200)).toBe(1000);
    expect(policy.delayBeforeRetryMs(0, 4000)).toBe(4000);
    expect(policy.delayBeforeRetryMs(1)).toBe(1500);
    expect(policy.delayBeforeRetryMs(2)).toBe(2250);
    expect(policy.delayBeforeRetryMs(3, 10)).toBeUndefined();
  });

  it('gives up rather than retry early when the server asks for more than 60 s', () => {
    const policy = new RateLimitRetryPolicy();
    expect(policy.delayBeforeRetryMs(0, 61_000)).toBeUndefined();
    expect(policy.delayBeforeRetryMs(0, Number.POSITIVE_INFINITY)).toBeUndefined();
  });

  it('end to end on a virtual clock: an SDK honouring retry-after gets through, an impatient one does not', () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter(clock, { operations: { job_submit: { capacity: 1, refillPerSecond: 0.25 } } });
    const policy = new RateLimitRetryPolicy({ baseDelayMs: 100 });
    limiter.check('sdk', 'job_submit'); // bucket empty, next token in 4 s

    const submit = (honour: boolean): boolean => {
      for (let retries = 0; ; retries++) {
        const decision = limiter.check(honour ? 'sdk' : 'impatient', 'job_submit');
        if (decision.allowed) return true;
        const wire = formatRetryAfter(decision.retryAfterMs);
        const delay = policy.delayBeforeRetryMs(retries, honour ? parseRetryAfter(wire) : undefined);
        if (delay === undefined) return false;
        clock.advance(delay);
      }
    };
    expect(submit(true)).toBe(true);
    expect(clock.now()).toBe(4000);

    limiter.check('impatient', 'job_submit');
    expect(submit(false)).toBe(false); // 100 + 150 + 225 ms of retries never reach the 4 s token
  });

  it('parses only well-formed retry-after metadata', () => {
    expect(parseRetryAfter('1500')).toBe(1500);
    expect(parseRetryAfter(' 7 ')).toBe(7);
    for (const bad of [undefined, '', '-1', '1.5', 'soon', '99999999999']) expect(parseRetryAfter(bad)).toBeUndefined();
    expect(formatRetryAfter(12.2)).toBe('13');
  });
});
