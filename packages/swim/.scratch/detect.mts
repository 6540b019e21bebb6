import { SimCluster } from '../src/sim/sim-cluster.ts';

for (const n of [5, 16]) {
  const times: number[] = [];
  for (let seed = 1; seed <= 30; seed++) {
    const c = new SimCluster({ size: n, seed, profile: 'lan', rttMs: () => 0.3, jitter: 0.3 });
    c.startAll(500);
    c.scheduler.runUntilTrue(() => c.converged(), 60_000, 100);
    c.scheduler.advance(20_000 + seed * 37);
    const t0 = c.scheduler.now();
    c.kill(1);
    c.scheduler.runUntilTrue(() => c.countSeeing('n1', 'dead') === n - 1, 60_000, 10);
    times.push(c.scheduler.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(n, 'median', times[15], 'p10', times[3], 'p90', times[27], 'max', times[29]);
}
