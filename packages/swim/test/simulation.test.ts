// Simulation tests (issue 4): 50+ members on the Azure-44 RTT matrix, virtual clock, seeded. A
// failing seed replays exactly.
import { readFileSync } from 'node:fs';
import { seededRandom } from '@hyperscale/deterministic';
import { describe, expect, it } from 'vitest';
import { type SwimProfile, WAN_PROFILE } from '../src/config.js';
import { suspicionTimeoutMs } from '../src/formulas.js';
import { Keyring } from '../src/shell/keyring.js';
import { EventScheduler } from '../src/sim/event-scheduler.js';
import { matrixRtt, SimCluster, type SimClusterOptions } from '../src/sim/sim-cluster.js';
import type { Role } from '../src/types.js';
import { VivaldiCoordinates } from '../src/vivaldi-coordinates.js';

const azure = JSON.parse(
  readFileSync(new URL('../../../../shared/data/azure-44-rtt.json', import.meta.url), 'utf8'),
) as { rtt_ms: number[][] };
const azureRtt = matrixRtt(azure.rtt_ms);
const N = 52;

/** The bound within which every survivor declares a killed member dead: two probe rounds, the
 * longest suspicion timeout (no confirmations at all), then ten gossip rounds to spread it. */
function detectionBoundMs(profile: SwimProfile, n: number): number {
  const min = suspicionTimeoutMs(profile.suspicionMult, n, profile.probeIntervalMs);
  return 2 * profile.probeIntervalMs + min * profile.suspicionMaxTimeoutMult + 10 * profile.gossipIntervalMs;
}

function azureCluster(seed: number, extra: Partial<SimClusterOptions> = {}): SimCluster {
  return new SimCluster({ size: N, seed, profile: 'wan', rttMs: azureRtt, jitter: 0.1, ...extra });
}

function startAndConverge(c: SimCluster): void {
  c.startAll(2000);
  expect(c.scheduler.runUntilTrue(() => c.converged(), 180_000, 500)).toBe(true);
}

const mixedRoles = (i: number): Role => (i % 10 === 0 ? 'gate' : i % 4 === 0 ? 'manager' : 'worker');

describe('simulation: 52 members on Azure-44, WAN profile', () => {
  it('converges: every member sees every other alive, no invariant broken', () => {
    const c = azureCluster(1);
    startAndConverge(c);
    for (const node of c.nodes) expect(node.validateState()).toEqual([]);
    expect(c.eventsOf('member-dead')).toEqual([]);
    expect(c.eventsOf('member-suspect')).toEqual([]);
  });

  it.each([2, 3])('seed %i: a killed member is declared dead by every survivor within the bound', (seed) => {
    const c = azureCluster(seed);
    startAndConverge(c);
    c.scheduler.advance(10_000);
    const victim = 17;
    const killedAt = c.scheduler.now();
    c.kill(victim);
    const bound = detectionBoundMs(WAN_PROFILE, N);
    const all = c.scheduler.runUntilTrue(() => c.countSeeing(`n${victim}`, 'dead') === N - 1, bound, 250);
    expect(all).toBe(true);
    const deaths = c.eventsOf('member-dead', `n${victim}`);
    expect(new Set(deaths.map((e) => e.observer)).size).toBe(N - 1);
    expect(Math.max(...deaths.map((e) => e.atMs)) - killedAt).toBeLessThanOrEqual(bound);
    expect(c.eventsOf('member-dead').every((e) => e.member === `n${victim}`)).toBe(true);
    for (const node of c.running()) expect(node.validateState()).toEqual([]);
  });

  it('no healthy member is declared dead over 10 simulated minutes at 5 % loss', () => {
    const c = azureCluster(4, { loss: 0.05, duplication: 0.01 });
    startAndConverge(c);
    c.scheduler.advance(600_000);
    expect(c.eventsOf('member-dead')).toEqual([]);
    expect(c.converged()).toBe(true);
    // The detector did work through the loss: probes failed, yet every suspicion was refuted.
    const stats = c.nodes.map((n) => n.stats());
    expect(stats.reduce((sum, s) => sum + s.probesSent, 0)).toBeGreaterThan(N * 100);
    for (const node of c.nodes) expect(node.validateState()).toEqual([]);
  });

  it('a member whose event loop stalls for 12 s refutes and is not declared dead', () => {
    const c = azureCluster(5);
    startAndConverge(c);
    c.scheduler.advance(10_000);
    const stalled = 9;
    c.stall(stalled, 12_000);
    c.scheduler.advance(240_000);
    expect(c.eventsOf('member-dead')).toEqual([]);
    // It was suspected while frozen and it refuted (an incarnation bump).
    expect(c.eventsOf('member-suspect', `n${stalled}`).length).toBeGreaterThan(0);
    expect(c.nodes[stalled]!.stats().refutations).toBeGreaterThan(0);
    expect(c.converged()).toBe(true);
  });

  it('an unreachable UNCONFIRMED peer is removed, never suspected nor declared dead', () => {
    const c = azureCluster(6);
    startAndConverge(c);
    const observer = c.nodes[3]!;
    const start = c.scheduler.now();
    observer.addUnconfirmed({ id: 'ghost-gate', addr: 'nowhere:1', role: 'gate' });
    observer.addUnconfirmed({ id: 'ghost-worker', addr: 'nowhere:2', role: 'worker' });
    c.scheduler.advance(115_000);
    expect(observer.member('ghost-gate')?.state).toBe('unconfirmed');
    c.scheduler.advance(10_000);
    expect(observer.member('ghost-gate')).toBeUndefined();
    const removedGate = c.eventsOf('member-removed', 'ghost-gate');
    expect(removedGate).toHaveLength(1);
    expect(removedGate[0]!.atMs - start).toBeGreaterThanOrEqual(120_000);
    c.scheduler.advance(60_000);
    expect(c.eventsOf('member-removed', 'ghost-worker')).toHaveLength(1);
    expect(c.events.filter((e) => e.member.startsWith('ghost') && e.event !== 'member-removed')).toEqual([]);
    const stats = observer.stats();
    expect(stats.confirmationPingsByRole.gate).toBe(5); // AD-35: gate, 5 proactive attempts
    expect(stats.confirmationPingsByRole.worker).toBe(0);
    // Nobody else heard of the ghosts: hearsay is not pushed around.
    for (const node of c.nodes) expect(node.member('ghost-gate')).toBeUndefined();
  });

  it('mixed roles: workers get zero proactive confirmation probes and everyone still converges', () => {
    const c = azureCluster(7, { roleOf: mixedRoles });
    startAndConverge(c);
    c.scheduler.advance(300_000);
    const total = { gate: 0, manager: 0, worker: 0 };
    for (const node of c.nodes) {
      const s = node.stats().confirmationPingsByRole;
      total.gate += s.gate;
      total.manager += s.manager;
      total.worker += s.worker;
    }
    expect(total.worker).toBe(0);
    expect(c.converged()).toBe(true);
    const roles = c.nodes[1]!.members().map((m) => m.role);
    expect(new Set(roles)).toEqual(new Set(['gate', 'manager', 'worker']));
  });

  it('a partition heals into one view', () => {
    const c = azureCluster(8);
    startAndConverge(c);
    const left = c.addrs.slice(0, N / 2);
    const right = c.addrs.slice(N / 2);
    c.network.partition([left, right]);
    c.scheduler.advance(240_000);
    // Each side declared the other dead.
    expect(c.nodes[0]!.member(`n${N - 1}`)?.state).toBe('dead');
    expect(c.nodes[N - 1]!.member('n0')?.state).toBe('dead');
    c.network.heal();
    expect(c.scheduler.runUntilTrue(() => c.converged(), 600_000, 1000)).toBe(true);
    for (const node of c.nodes) expect(node.validateState()).toEqual([]);
  });

  it('keyring rotation loses no member', () => {
    const k1 = Keyring.generateKey();
    const k2 = Keyring.generateKey();
    const rings = Array.from({ length: N }, () => new Keyring([k1]));
    const c = azureCluster(9, { sealerFor: (i) => rings[i], label: 'global' });
    startAndConverge(c);
    // 1) install k2 everywhere, 2) switch primaries one by one, 3) remove k1 everywhere.
    rings.forEach((ring, i) => {
      c.scheduler.after(i * 100, () => ring.install(k2));
    });
    c.scheduler.advance(30_000);
    rings.forEach((ring, i) => {
      c.scheduler.after(i * 500, () => ring.use(k2));
    });
    c.scheduler.advance(60_000);
    for (const ring of rings) ring.remove(k1);
    c.scheduler.advance(120_000);
    expect(c.eventsOf('member-dead')).toEqual([]);
    expect(c.converged()).toBe(true);
    expect(c.nodes.reduce((sum, n) => sum + n.stats().decryptFailures, 0)).toBe(0);
    // A member still on the old key alone is shut out, counted, and does not break anyone.
    const outsider = new Keyring([k1]);
    const c2 = azureCluster(10, { sealerFor: (i) => (i === 0 ? outsider : rings[i]), label: 'global', size: 8 });
    c2.startAll(500, [1]);
    c2.scheduler.advance(60_000);
    expect(c2.nodes[1]!.stats().decryptFailures).toBeGreaterThan(0);
    expect(c2.nodes[1]!.member('n0')).toBeUndefined();
  });
});

describe('simulation: Vivaldi coordinates ride on every ping and ack', () => {
  it('learn the Azure-44 matrix from direct probes; the RTT bound ranks far peers above near ones', () => {
    const scheduler = new EventScheduler(0);
    const c = new SimCluster({
      scheduler,
      size: 44,
      seed: 11,
      profile: 'wan',
      rttMs: azureRtt,
      jitter: 0.05,
      coordinatesFor: (i) => {
        return new VivaldiCoordinates({ selfId: `n${i}`, clock: scheduler, random: seededRandom(100 + i) });
      },
    });
    startAndConverge(c);
    c.scheduler.advance(900_000);
    const errors: number[] = [];
    for (let i = 0; i < 44; i++) {
      for (let j = 0; j < 44; j++) {
        if (i === j) continue;
        const estimate = c.nodes[i]!.estimateRttMs(`n${i}`, `n${j}`);
        expect(estimate).toBeDefined();
        const actual = azureRtt(i, j);
        errors.push(Math.abs(estimate! - actual) / actual);
      }
    }
    errors.sort((a, b) => a - b);
    const median = errors[Math.floor(errors.length / 2)]!;
    expect(median).toBeLessThan(0.25);
    // The RTT upper confidence bound that scales timeouts (AD-35) is an upper bound for most pairs,
    // and ranks far peers above near ones.
    const node = c.nodes[0]!;
    const pairs = c.nodes.slice(1).map((peer, k) => ({ rtt: azureRtt(0, k + 1), ucb: node.rttUcbMs(peer.id)! }));
    expect(pairs.filter((p) => p.ucb >= p.rtt).length).toBeGreaterThanOrEqual(Math.floor(0.9 * pairs.length));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const near = pairs.filter((p) => p.rtt < 50).map((p) => p.ucb);
    const far = pairs.filter((p) => p.rtt > 200).map((p) => p.ucb);
    expect(mean(far)).toBeGreaterThan(mean(near));
    const qualities = c.nodes.slice(1).map((peer) => node.coordinateQuality(peer.id)!);
    expect(qualities.every((q) => q >= 0 && q <= 1)).toBe(true);
    expect(Math.max(...qualities)).toBeGreaterThan(0);
    expect(c.nodes.every((n) => n.probeTimeoutFor(node) <= WAN_PROFILE.maxProbeTimeoutMs)).toBe(true);
    expect(c.eventsOf('member-dead')).toEqual([]);
  });
});
