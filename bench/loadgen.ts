// loadgen: requests per second of one generator core against a local keep-alive HTTP target, side
// by side in the same run with autocannon (same target, connections and duration), and the p50
// latency each reports. The target runs in a forked process so it does not share the generator's
// core. Goal (issue 2): hyperscale ≥ 0.8× autocannon's throughput. Last stdout line: one JSON object.
//   CONNECTIONS (default 50), DURATION_S (default 10), WARMUP_S (default 2)
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseJobSpec, runWorkflow, summarize } from '@hyperscale/loadgen';
import autocannon from 'autocannon';

const CONNECTIONS = Number(process.env['CONNECTIONS'] ?? 50);
const DURATION_S = Number(process.env['DURATION_S'] ?? 10);
const WARMUP_S = Number(process.env['WARMUP_S'] ?? 2);

interface Figures {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  targetCounted: number;
  /** Generator CPU (user + system) per request: what one request costs the generator's core. */
  cpuUsPerRequest: number;
  /** Generator CPU time over wall time of the run: 1.0 = one core saturated. */
  cpuShare: number;
}

async function measured(
  fn: () => Promise<Omit<Figures, 'cpuUsPerRequest' | 'cpuShare'>>,
  seconds: number,
): Promise<Figures> {
  const cpu = process.cpuUsage();
  const f = await fn();
  const used = process.cpuUsage(cpu);
  const cpuUs = used.user + used.system;
  return { ...f, cpuUsPerRequest: f.requests > 0 ? cpuUs / f.requests : 0, cpuShare: cpuUs / (seconds * 1e6) };
}

function startTarget(): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(new URL('./loadgen-target.mjs', import.meta.url)), [], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.on('message', function onMessage(m: { type: string; port?: number }) {
      if (m.type !== 'listening') return;
      child.off('message', onMessage);
      resolve({ child, port: m.port! });
    });
  });
}

function targetCount(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.on('message', function onMessage(m: { type: string; requests?: number }) {
      if (m.type !== 'count') return;
      child.off('message', onMessage);
      resolve(m.requests!);
    });
    child.send('count');
  });
}

async function runHyperscale(url: string, child: ChildProcess, seconds: number) {
  const spec = parseJobSpec(
    JSON.stringify({
      workflows: [{ name: 'bench', vus: CONNECTIONS, duration: `${seconds}s`, steps: [{ name: 'get', url }] }],
    }),
  );
  const before = await targetCount(child);
  const final = await runWorkflow({ workflow: spec.workflows[0]! }).done;
  const after = await targetCount(child);
  const s = summarize(final);
  return {
    requests: s.requests,
    rps: s.rps,
    p50Ms: s.latency.p50,
    p99Ms: s.latency.p99,
    errors: s.errors,
    targetCounted: after - before,
  };
}

async function runAutocannon(url: string, child: ChildProcess, seconds: number) {
  const before = await targetCount(child);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, pipelining: 1 });
  const after = await targetCount(child);
  return {
    requests: result.requests.total,
    rps: result.requests.total / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    targetCounted: after - before,
  };
}

function figuresJson(f: Figures) {
  return {
    rps: Math.round(f.rps),
    p50Ms: f.p50Ms,
    p99Ms: f.p99Ms,
    requests: f.requests,
    targetCounted: f.targetCounted,
    errors: f.errors,
    cpuUsPerRequest: Number(f.cpuUsPerRequest.toFixed(2)),
    cpuShare: Number(f.cpuShare.toFixed(3)),
  };
}

function line(name: string, f: Figures): string {
  return `${name.padEnd(11)} ${f.rps.toFixed(0).padStart(8)} req/s   p50 ${f.p50Ms.toFixed(3)} ms   p99 ${f.p99Ms.toFixed(3)} ms   requests ${f.requests} (target counted ${f.targetCounted})   errors ${f.errors}   generator CPU ${f.cpuUsPerRequest.toFixed(1)} µs/req (${(f.cpuShare * 100).toFixed(0)}% of a core)`;
}

const { child, port } = await startTarget();
const url = `http://127.0.0.1:${port}/`;
try {
  console.log(
    `target pid ${child.pid} on ${url}; ${CONNECTIONS} connections, ${DURATION_S} s each, warm-up ${WARMUP_S} s`,
  );
  if (WARMUP_S > 0) {
    await runHyperscale(url, child, WARMUP_S);
    await runAutocannon(url, child, WARMUP_S);
  }
  const ours = await measured(() => runHyperscale(url, child, DURATION_S), DURATION_S);
  console.log(line('hyperscale', ours));
  const theirs = await measured(() => runAutocannon(url, child, DURATION_S), DURATION_S);
  console.log(line('autocannon', theirs));
  const ratio = ours.rps / theirs.rps;
  console.log(`throughput ratio hyperscale/autocannon = ${ratio.toFixed(3)} (goal ≥ 0.8)`);
  console.log(
    JSON.stringify({
      bench: 'loadgen',
      connections: CONNECTIONS,
      durationS: DURATION_S,
      hyperscale: figuresJson(ours),
      autocannon: figuresJson(theirs),
      ratio: Number(ratio.toFixed(3)),
      goal: 0.8,
      met: ratio >= 0.8,
    }),
  );
} finally {
  child.send('stop');
}
