import { VirtualClock } from '@hyperscale/deterministic';
import { type Coordinate, VivaldiClient } from '@hyperscale/vivaldi';
import { describe, expect, it } from 'vitest';
import { GateJobRouter, vivaldiDistanceEstimator } from '../src/index.js';
import { dc } from './helpers.js';

function point(x: number, samples = 50): Coordinate {
  return {
    vec: [x, 0, 0, 0, 0, 0, 0, 0],
    height: 0,
    adjustment: 0,
    error: 0.1,
    sampleCount: samples,
    updatedAtMs: 0,
    errorMs: 2,
  };
}

describe('vivaldiDistanceEstimator', () => {
  it('takes the median UCB over a datacenter’s managers and reports missing as undefined', () => {
    const clock = new VirtualClock(0);
    const coords: Record<string, Coordinate[]> = {
      near: [point(10), point(12), point(500)], // one bad coordinate does not move the median
      far: [point(100), point(100)],
    };
    const estimator = vivaldiDistanceEstimator({
      clock,
      localCoordinate: () => point(0),
      datacenterCoordinates: (id) => coords[id] ?? [],
    });
    const near = estimator.datacenter('near')!;
    const far = estimator.datacenter('far')!;
    expect(near.rttUcbMs).toBeGreaterThan(12);
    expect(near.rttUcbMs).toBeLessThan(40);
    expect(far.rttUcbMs).toBeGreaterThan(near.rttUcbMs);
    expect(near.quality).toBeGreaterThan(0.5);
    expect(estimator.datacenter('unknown')).toBeUndefined();
    expect(estimator.localIsMature()).toBe(true);
  });

  it('is immature until the local coordinate has enough samples and low error', () => {
    const clock = new VirtualClock(0);
    const client = new VivaldiClient({ clock });
    const estimator = vivaldiDistanceEstimator({
      clock,
      localCoordinate: () => client.coordinate(),
      datacenterCoordinates: () => [],
    });
    expect(estimator.localIsMature()).toBe(false);
    const peer = new VivaldiClient({ clock });
    for (let i = 0; i < 200; i++) {
      client.update('p', peer.coordinate(), 40);
      peer.update('c', client.coordinate(), 40);
      clock.advance(1_000);
    }
    expect(client.coordinate().sampleCount).toBeGreaterThanOrEqual(10);
    expect(estimator.localIsMature()).toBe(client.coordinate().error <= 0.5);
  });

  it('drives the router to the nearest datacenter', () => {
    const clock = new VirtualClock(0);
    const coords: Record<string, Coordinate[]> = { a: [point(80)], b: [point(20)], c: [] };
    const router = new GateJobRouter({
      clock,
      distance: vivaldiDistanceEstimator({
        clock,
        localCoordinate: () => point(0),
        datacenterCoordinates: (id) => coords[id] ?? [],
      }),
      candidates: () => [dc('a'), dc('b'), dc('c')],
    });
    const d = router.routeJob('j');
    expect(d.bootstrapMode).toBe(false);
    expect(d.primaryDatacenters).toEqual(['b']);
    expect(d.candidates.find((c) => c.datacenterId === 'c')!.demotions).toEqual(['missing_coordinates']);
  });
});
