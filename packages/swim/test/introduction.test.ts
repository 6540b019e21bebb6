// Registration introduces workers to their manager out of band (addUnconfirmed). Once the manager
// confirms such a peer it must tell the pool, or nobody else ever probes it and a suspicion of it
// never gets the independent confirmations that shorten it (found running a real cluster: a killed
// worker stayed SUSPECT for the whole maximum suspicion time).
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/sim/sim-cluster.js';

describe('peers introduced out of band', () => {
  it('become known to the whole pool once confirmed, and their death is confirmed by others', () => {
    const c = new SimCluster({
      size: 4,
      seed: 11,
      profile: 'lan',
      rttMs: () => 1,
      roleOf: (i) => (i === 0 ? 'manager' : 'worker'),
    });
    // No seeds: every worker starts alone, as a worker does before it registers.
    c.startAll(0, []);
    c.scheduler.advance(100);
    const manager = c.nodes[0]!;
    for (let i = 1; i < 4; i++) {
      manager.addUnconfirmed({ id: `n${i}`, addr: c.addrs[i]!, role: 'worker' });
      c.nodes[i]!.addUnconfirmed({ id: 'n0', addr: c.addrs[0]!, role: 'manager' });
    }
    // Within a few gossip rounds, long before the first push/pull (30 s in the LAN profile).
    expect(c.scheduler.runUntilTrue(() => c.converged(), 5_000, 100)).toBe(true);
    // Workers know each other although nobody told them directly.
    expect(c.nodes[1]!.member('n2')?.state).toBe('alive');
    const killedAt = c.scheduler.now();
    c.kill(3);
    expect(c.scheduler.runUntilTrue(() => manager.member('n3')?.state === 'dead', 60_000, 100)).toBe(true);
    // Confirmed by the other workers, the suspicion ran well short of its maximum (6 × 4 s).
    expect(c.scheduler.now() - killedAt).toBeLessThan(15_000);
    expect(manager.stats().suspicionConfirmations).toBeGreaterThan(0);
  });

  it('take the address, role and meta the peer gives of itself when it confirms itself', () => {
    const c = new SimCluster({
      size: 2,
      seed: 5,
      profile: 'lan',
      rttMs: () => 1,
      roleOf: (i) => (i === 0 ? 'manager' : 'worker'),
    });
    c.startAll(0, []);
    c.scheduler.advance(100);
    // A registration answer knows the manager's id and address, not its meta.
    c.nodes[1]!.addUnconfirmed({ id: 'n0', addr: c.addrs[0]!, role: 'manager' });
    c.nodes[0]!.addUnconfirmed({ id: 'n1', addr: c.addrs[1]!, role: 'worker' });
    expect(c.scheduler.runUntilTrue(() => c.nodes[1]!.member('n0')?.state === 'alive', 5_000, 100)).toBe(true);
    expect(c.nodes[1]!.member('n0')?.meta).toEqual({ dc: 'dc-0' });
    expect(c.nodes[0]!.member('n1')?.meta).toEqual({ dc: 'dc-1' });
  });
});
