import { SimCluster } from '../src/sim/sim-cluster.ts';

const n = 16;
const rows: number[][] = [];
for (let seed = 1; seed <= 30; seed++) {
  const c = new SimCluster({ size: n, seed, profile: 'lan', rttMs: () => 0.3, jitter: 0.3 });
  c.startAll(500);
  c.scheduler.runUntilTrue(() => c.converged(), 60_000, 100);
  c.scheduler.advance(20_000 + seed * 37);
  const t0 = c.scheduler.now();
  c.kill(1);
  c.scheduler.runUntilTrue(() => c.countSeeing('n1', 'dead') === n - 1, 60_000, 10);
  const s = c
    .eventsOf('member-suspect', 'n1')
    .filter((e) => e.atMs >= t0)
    .map((e) => e.atMs - t0);
  const d = c
    .eventsOf('member-dead', 'n1')
    .filter((e) => e.atMs >= t0)
    .map((e) => e.atMs - t0);
  rows.push([Math.min(...s), Math.min(...d), Math.max(...d)]);
}
const med = (i: number) => rows.map((r) => r[i]!).sort((a, b) => a - b)[15];
console.log('first suspect', med(0), 'first dead', med(1), 'last dead', med(2));
