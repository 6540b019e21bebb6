import { VirtualClock } from '@hyperscale/deterministic';
import { describe, expect, it } from 'vitest';
import { type Coordinate, estimateRttMs, SERF_REFERENCE_CONFIG, VivaldiClient } from '../src/index.js';
import { PeerMemory } from '../src/peer-memory.js';

function peer(vec: number[], extra: Partial<Coordinate> = {}): Coordinate {
  return { vec, height: 0.01, adjustment: 0, error: 1.5, sampleCount: 0, updatedAtMs: 0, ...extra };
}

describe('VivaldiClient basics', () => {
  it('starts at the origin with the maximum error and no samples', () => {
    const clock = new VirtualClock(5);
    const c = new VivaldiClient({ clock }).coordinate();
    expect(c.vec).toEqual(new Array(8).fill(0));
    expect(c.height).toBe(0.01);
    expect(c.error).toBe(1.5);
    expect(c.sampleCount).toBe(0);
    expect(c.updatedAtMs).toBe(5);
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
  });

  it('one update moves towards the serf result by hand: force = cc·w·(rtt − dist)', () => {
    // Local at origin (error 1.5), peer at (10, 0) with error 0.5, rtt 20 ms, 2-D, no adjustment/gravity.
    const client = new VivaldiClient({
      ...SERF_REFERENCE_CONFIG,
      dimensions: 2,
      adjustmentWindowSize: 0,
      clock: new VirtualClock(),
    });
    client.update('p', peer([10, 0], { error: 0.5 }), 20);
    const c = client.coordinate();
    const dist = 10 + 0.01 + 0.01;
    const w = 1.5 / (1.5 + 0.5);
    const force = 0.25 * w * (20 - dist);
    // Moves away from the peer along −x; gravity is ~1e-9 ms here.
    expect(c.vec[0]).toBeCloseTo(-force, 6);
    expect(c.vec[1]).toBeCloseTo(0, 6);
    const wrongness = Math.abs(dist - 20) / 20;
    expect(c.error).toBeCloseTo(0.25 * w * wrongness + 1.5 * (1 - 0.25 * w), 9);
    const height = 0.01 + (force * (0.01 + 0.01)) / 10;
    expect(c.height).toBeCloseTo(height, 6);
    expect(c.sampleCount).toBe(1);
  });

  it('adjustment is half the mean residual (rtt − raw distance) over the window', () => {
    const client = new VivaldiClient({
      ...SERF_REFERENCE_CONFIG,
      dimensions: 2,
      adjustmentWindowSize: 4,
      clock: new VirtualClock(),
    });
    client.update('p', peer([10, 0], { error: 0.5 }), 20);
    const c = client.coordinate();
    const raw = Math.hypot((c.vec[0] as number) - 10, c.vec[1] as number) + c.height + 0.01;
    expect(c.adjustment).toBeCloseTo((20 - raw) / (2 * 4), 4);
  });

  it('gravity pulls a far coordinate towards the origin', () => {
    const client = new VivaldiClient({ ...SERF_REFERENCE_CONFIG, dimensions: 2, clock: new VirtualClock() });
    client.setCoordinate(peer([100_000, 0], { error: 0.01, sampleCount: 50 }));
    // A peer exactly where the truth says we are: no Vivaldi force, only gravity.
    const before = client.coordinate();
    client.update('p', peer([100_000, 50], { error: 0.01 }), 50 + 0.01 + before.height);
    const after = client.coordinate();
    const pull = 1000 * (100_000 / 150_000) ** 2;
    expect(after.vec[0]).toBeLessThan(100_000 - 0.9 * pull);
  });

  it('resets to the origin and counts when the coordinate becomes non-finite', () => {
    const client = new VivaldiClient({ dimensions: 2, clock: new VirtualClock() });
    client.update('a', peer([5, 5]), 10);
    expect(client.resets).toBe(0);
    // Finite components whose distance overflows to Infinity: the step produces NaN/Inf.
    client.update('b', peer([1e308, 1e308]), 10);
    expect(client.resets).toBe(1);
    const c = client.coordinate();
    expect(c.vec).toEqual([0, 0]);
    expect(c.error).toBe(1.5);
    expect(c.sampleCount).toBe(0);
    for (const v of [...c.vec, c.height, c.adjustment, c.error]) expect(Number.isFinite(v)).toBe(true);
  });

  it.each([
    ['negative', -1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['above 10 s', 10_000.5],
  ])('rejects a %s RTT with a RangeError and changes nothing', (_label, rtt) => {
    const clock = new VirtualClock();
    const client = new VivaldiClient({ clock });
    const twin = new VivaldiClient({ clock });
    const p = peer([1, 2, 3, 4, 5, 6, 7, 8]);
    client.update('p', p, 30);
    twin.update('p', p, 30);
    expect(() => client.update('p', p, rtt)).toThrow(RangeError);
    expect(() => client.update('p', p, rtt)).toThrow(/rttMs/);
    expect(client.coordinate()).toEqual(twin.coordinate());
    // The filter did not record the bad sample either: both clients keep agreeing.
    client.update('p', p, 31);
    twin.update('p', p, 31);
    expect(client.coordinate()).toEqual(twin.coordinate());
    expect(client.rejected).toBe(2);
  });

  it('accepts a zero RTT (serf: counted, not rejected) and 10 s exactly', () => {
    const client = new VivaldiClient({ clock: new VirtualClock() });
    client.update('p', peer(new Array(8).fill(1)), 0);
    client.update('q', peer(new Array(8).fill(2)), 10_000);
    expect(client.coordinate().sampleCount).toBe(2);
  });

  it.each([
    ['wrong dimensionality', peer([1, 2, 3])],
    ['NaN component', peer([1, 2, 3, 4, 5, 6, 7, Number.NaN])],
    ['infinite height', peer(new Array(8).fill(0), { height: Number.POSITIVE_INFINITY })],
    ['negative height', peer(new Array(8).fill(0), { height: -1 })],
    ['NaN error', peer(new Array(8).fill(0), { error: Number.NaN })],
    ['NaN adjustment', peer(new Array(8).fill(0), { adjustment: Number.NaN })],
  ])('rejects a peer coordinate with %s and changes nothing', (_label, bad) => {
    const client = new VivaldiClient({ clock: new VirtualClock() });
    client.update('p', peer(new Array(8).fill(3)), 30);
    const before = client.coordinate();
    expect(() => client.update('x', bad, 20)).toThrow(RangeError);
    expect(client.coordinate()).toEqual(before);
    expect(client.trackedPeers).toBe(1);
  });

  it('bounds the per-peer state and forgets peers on request', () => {
    const client = new VivaldiClient({ maxTrackedPeers: 8, clock: new VirtualClock() });
    for (let i = 0; i < 100; i++) client.update(`p${i}`, peer(new Array(8).fill(i % 7)), 10 + i);
    expect(client.trackedPeers).toBe(8);
    client.forgetPeer('p99');
    expect(client.trackedPeers).toBe(7);
    client.forgetPeer('never-seen');
    expect(client.trackedPeers).toBe(7);
  });

  it('isConverged needs both ≥ 10 samples and a low error', () => {
    const client = new VivaldiClient({ dimensions: 2, clock: new VirtualClock() });
    const others = [peer([0, 0], { error: 0.05 }), peer([30, 0], { error: 0.05 }), peer([0, 40], { error: 0.05 })];
    const truth = (i: number) => [Math.hypot(10, 10), Math.hypot(20, 10), Math.hypot(10, 30)][i] as number;
    expect(client.isConverged()).toBe(false);
    for (let i = 0; i < 9; i++) client.update(`p${i % 3}`, others[i % 3] as Coordinate, truth(i % 3));
    expect(client.isConverged()).toBe(false);
    for (let i = 9; i < 200; i++) client.update(`p${i % 3}`, others[i % 3] as Coordinate, truth(i % 3));
    expect(client.isConverged()).toBe(true);
    expect(client.coordinate().error).toBeLessThan(0.5);
  });

  it('stamps updatedAtMs from the injected clock', () => {
    const clock = new VirtualClock(100);
    const client = new VivaldiClient({ clock });
    clock.advance(250);
    client.update('p', peer(new Array(8).fill(1)), 10);
    expect(client.coordinate().updatedAtMs).toBe(350);
  });

  it('setCoordinate rejects malformed input and keeps the state', () => {
    const client = new VivaldiClient({ clock: new VirtualClock() });
    const before = client.coordinate();
    expect(() => client.setCoordinate(peer([1]))).toThrow(RangeError);
    expect(client.coordinate()).toEqual(before);
  });

  it('rejects a bad config naming the key', () => {
    expect(() => new VivaldiClient({ dimensions: 0 })).toThrow(/dimensions/);
    expect(() => new VivaldiClient({ cc: 2 })).toThrow(/cc/);
    expect(() => new VivaldiClient({ latencyFilterSize: 1.5 })).toThrow(/latencyFilterSize/);
  });
});

describe('estimateRttMs', () => {
  it('is Euclidean distance plus heights plus adjustments', () => {
    const a = peer([0, 0], { height: 2, adjustment: 1 });
    const b = peer([3, 4], { height: 3, adjustment: -0.5 });
    expect(estimateRttMs(a, b)).toBeCloseTo(5 + 2 + 3 + 1 - 0.5, 12);
    expect(estimateRttMs(b, a)).toBe(estimateRttMs(a, b));
  });

  it('ignores adjustments that would make the estimate non-positive', () => {
    const a = peer([0, 0], { height: 1, adjustment: -5 });
    const b = peer([1, 0], { height: 1, adjustment: -5 });
    expect(estimateRttMs(a, b)).toBe(3);
  });

  it('throws on coordinates of different dimensionality', () => {
    expect(() => estimateRttMs(peer([0, 0]), peer([0, 0, 0]))).toThrow(RangeError);
  });
});

describe('latency filter (PeerMemory)', () => {
  it('returns the moving median of the last 3 samples per peer', () => {
    const memory = new PeerMemory(3, 16);
    expect(memory.observe('a', 10).filteredRttMs).toBe(10);
    expect(memory.observe('a', 100).filteredRttMs).toBe(100); // serf: sorted[len/2] of [10, 100]
    expect(memory.observe('a', 12).filteredRttMs).toBe(12);
    expect(memory.observe('a', 11).filteredRttMs).toBe(12); // window [100, 12, 11]
    expect(memory.observe('a', 13).filteredRttMs).toBe(12); // window [12, 11, 13]
    expect(memory.observe('b', 50).filteredRttMs).toBe(50); // per peer
  });

  it('a single spike does not reach the coordinate', () => {
    const clock = new VirtualClock();
    const filtered = new VivaldiClient({ clock, neighborReplay: 0 });
    const clean = new VivaldiClient({ clock, neighborReplay: 0 });
    const p = peer(new Array(8).fill(5));
    for (const rtt of [40, 40, 40]) {
      filtered.update('p', p, rtt);
      clean.update('p', p, rtt);
    }
    filtered.update('p', p, 4000);
    clean.update('p', p, 40);
    expect(filtered.coordinate()).toEqual(clean.coordinate());
  });

  it('evicts the least recently heard peer past its capacity', () => {
    const memory = new PeerMemory(3, 2);
    memory.observe('a', 1);
    memory.observe('b', 1);
    memory.observe('a', 1);
    memory.observe('c', 1);
    expect(memory.has('a')).toBe(true);
    expect(memory.has('b')).toBe(false);
    expect(memory.size).toBe(2);
  });
});
