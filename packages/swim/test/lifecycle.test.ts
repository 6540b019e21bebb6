// Member lifecycle on the simulator: graceful leave, rejoin after death, meta updates, bounded
// tables and a LAN-profile stall (single datacenter, sub-millisecond links).
import { describe, expect, it } from 'vitest';
import { watchLiveness } from '../src/membership-view.js';
import { SimCluster } from '../src/sim/sim-cluster.js';

const lan = (seed: number, size = 12) =>
  new SimCluster({ size, seed, profile: 'lan', rttMs: () => 0.4, jitter: 0.3, loss: 0.01 });

function converge(c: SimCluster): void {
  c.startAll(500);
  expect(c.scheduler.runUntilTrue(() => c.converged(), 60_000, 100)).toBe(true);
}

describe('lifecycle', () => {
  it('a graceful leave is seen as left (never dead) by everyone, then reaped', () => {
    const c = lan(1);
    converge(c);
    let done = false;
    c.nodes[4]!.leave(() => {
      done = true;
    });
    c.scheduler.advance(3000);
    expect(done).toBe(true);
    expect(c.countSeeing('n4', 'left')).toBe(11);
    expect(c.eventsOf('member-dead')).toEqual([]);
    expect(c.eventsOf('member-leave', 'n4')).toHaveLength(11);
    c.scheduler.advance(3_600_000 + 5000);
    expect(c.running().every((n) => n.member('n4') === undefined)).toBe(true);
    expect(c.eventsOf('member-removed', 'n4')).toHaveLength(11);
  });

  it('a member declared dead rejoins with a higher incarnation and everyone sees it alive', () => {
    const c = lan(2);
    converge(c);
    c.kill(5);
    expect(c.scheduler.runUntilTrue(() => c.countSeeing('n5', 'dead') === 11, 30_000, 50)).toBe(true);
    const restarted = c.restart(5, [0]);
    expect(c.scheduler.runUntilTrue(() => c.converged(), 30_000, 50)).toBe(true);
    expect(restarted.self().incarnation).toBeGreaterThan(0);
    expect(c.eventsOf('member-alive', 'n5').length).toBeGreaterThanOrEqual(11);
    // And it can be detected again.
    c.kill(5);
    expect(c.scheduler.runUntilTrue(() => c.countSeeing('n5', 'dead') === 11, 30_000, 50)).toBe(true);
  });

  it('meta updates reach everyone as member-update with a higher incarnation', () => {
    const c = lan(3);
    converge(c);
    c.nodes[2]!.updateMeta({ grpc: '127.0.0.1:9000', dc: 'dc-9' });
    c.scheduler.advance(5000);
    for (const node of c.running()) {
      if (node.id === 'n2') continue;
      expect(node.member('n2')?.meta).toEqual({ grpc: '127.0.0.1:9000', dc: 'dc-9' });
    }
    expect(c.eventsOf('member-update', 'n2')).toHaveLength(11);
  });

  it('a 4 s stall on the LAN profile is refuted, not declared dead', () => {
    const c = lan(4, 16);
    converge(c);
    c.scheduler.advance(5000);
    c.stall(7, 4000);
    c.scheduler.advance(60_000);
    expect(c.eventsOf('member-suspect', 'n7').length).toBeGreaterThan(0);
    expect(c.nodes[7]!.stats().refutations).toBeGreaterThan(0);
    expect(c.eventsOf('member-dead')).toEqual([]);
    expect(c.converged()).toBe(true);
  });

  it('the member table is bounded: members beyond maxMembers are counted and dropped', () => {
    const c = new SimCluster({ size: 8, seed: 5, profile: 'lan', rttMs: () => 0.4, limits: { maxMembers: 5 } });
    c.startAll(500);
    c.scheduler.advance(20_000);
    for (const node of c.running()) {
      expect(node.members().length).toBeLessThanOrEqual(5);
      expect(node.validateState()).toEqual([]);
    }
    expect(c.nodes.reduce((sum, n) => sum + n.stats().tableFullDrops, 0)).toBeGreaterThan(0);
  });
});

describe('watchLiveness (what services use instead of heartbeats)', () => {
  it('reports managers up once, and down once when killed, whether detected or gossiped', () => {
    const c = new SimCluster({
      size: 10,
      seed: 6,
      profile: 'lan',
      rttMs: () => 0.4,
      roleOf: (i) => (i < 3 ? 'manager' : 'worker'),
    });
    const observer = c.nodes[5]!;
    const ups: string[] = [];
    const downs: string[] = [];
    const stop = watchLiveness(observer, {
      role: 'manager',
      onUp: (m) => ups.push(m.id),
      onDown: (m, reason) => downs.push(`${m.id}:${reason}`),
    });
    converge(c);
    expect(ups.sort()).toEqual(['n0', 'n1', 'n2']);
    c.kill(1);
    c.kill(7); // a worker: not watched
    c.scheduler.advance(30_000);
    c.nodes[2]!.leave();
    c.scheduler.advance(5000);
    expect(downs).toEqual(['n1:dead', 'n2:left']);
    stop();
    c.kill(0);
    c.scheduler.advance(30_000);
    expect(downs).toHaveLength(2);
  });
});
