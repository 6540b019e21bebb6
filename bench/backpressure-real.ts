// `pnpm bench backpressure-real`: issue 7's experiment against a REAL manager-svc process (the
// simulation is `pnpm bench backpressure`). 50 simulated workers register, heartbeat every 1 s and,
// during the storm, offer progress for 4 workflows every 10 ms through WorkerFlushPolicy (so they
// obey the manager's signal exactly as worker-svc does); a steady control stream (CancelJob of an
// unknown job: a full CRITICAL round trip) runs throughout. Phases: idle, storm, recovery. Run
// twice — backpressure on, then off (HYPERSCALE_BACKPRESSURE=false). Last line: one JSON object.
// Progress refers to no job, so the manager records it as intake and refuses it; that is the
// intake cost without a job table (the e2e test covers the job path).
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NO_BACKPRESSURE, signalFromProto, WorkerFlushPolicy } from '@hyperscale/backpressure';
import { emptyStats } from '@hyperscale/loadgen';
import { createClient, grpcCodeOf, ManagerService, PROTOCOL_MAJOR, PROTOCOL_MINOR } from '@hyperscale/protocol';
import { statsToProto } from '@hyperscale/wire';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const WORKERS = Number(process.env.BENCH_WORKERS ?? 50);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 4_000);
const STORM_MS = Number(process.env.BENCH_STORM_MS ?? 10_000);
const RECOVERY_MS = Number(process.env.BENCH_RECOVERY_MS ?? 5_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function metricsOf(adminPort: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const name = line.slice(0, line.search(/[{ ]/));
    out.set(name, (out.get(name) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

function p99(samples: number[]): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))]!;
}

async function run(backpressure: boolean) {
  const [grpcPort, adminPort] = [await freePort(), await freePort()];
  const manager: ChildProcess = spawn(process.execPath, [join(root, 'services/manager-svc/dist/main.js')], {
    env: {
      ...process.env,
      HYPERSCALE_NODE_ID: 'bench-m1',
      HYPERSCALE_DATACENTER: 'bench',
      HYPERSCALE_GRPC_PORT: String(grpcPort),
      HYPERSCALE_ADMIN_PORT: String(adminPort),
      HYPERSCALE_LOG_LEVEL: 'error',
      HYPERSCALE_BACKPRESSURE: String(backpressure),
    },
    stdio: 'ignore',
  });
  const address = `127.0.0.1:${grpcPort}`;
  const clients = Array.from({ length: 4 }, () => createClient(ManagerService, address, { defaultDeadlineMs: 10_000 }));
  for (let i = 0; i < 100; i++) {
    try {
      await clients[0]!.getJob({ jobId: 'none' });
    } catch (error) {
      if (grpcCodeOf(error) === 5) break; // NOT_FOUND: serving
    }
    await sleep(100);
  }
  let phase: 'idle' | 'storm' | 'recovery' | 'done' = 'idle';
  const control: Record<'idle' | 'storm' | 'recovery', number[]> = { idle: [], storm: [], recovery: [] };
  let absorbed = 0;
  let lostWorkers = 0;
  const rss: number[] = [];
  const clock = { now: () => performance.now() };
  const stats = statsToProto(emptyStats('w', ['s'], Date.now()));

  const workers = Array.from({ length: WORKERS }, (_, i) => ({
    id: `bench-w${i}`,
    client: clients[i % clients.length]!,
    policy: new WorkerFlushPolicy<string>(clock, { baseIntervalMs: 10 }),
  }));
  for (const w of workers) {
    await w.client.registerWorker({
      version: { major: PROTOCOL_MAJOR, minor: PROTOCOL_MINOR },
      workerId: w.id,
      address: `127.0.0.1:${40_000}`,
      totalCores: 1,
      availableCores: 1,
      clusterId: 'hyperscale',
      environmentId: 'default',
    });
  }
  const loops: Promise<void>[] = [];
  for (const w of workers) {
    loops.push(
      (async () => {
        while (phase !== 'done') {
          w.client
            .workerHeartbeat({ workerId: w.id, availableCores: 1 })
            .then((ack) => {
              if (!ack.known) lostWorkers++;
              w.policy.onSignal('m', signalFromProto(ack.backpressure));
            })
            .catch(() => {});
          await sleep(1_000);
        }
      })(),
      (async () => {
        while (phase !== 'done') {
          if (phase === 'storm') {
            for (let k = 0; k < 4; k++)
              w.policy.offer({ kind: 'progress', jobId: 'none', workflowId: `wf${k}`, payload: `wf${k}` });
            for (const message of w.policy.poll().messages) {
              for (const workflowId of message.updates) {
                w.client
                  .reportProgress({ jobId: 'none', workflowId, workerId: w.id, stats })
                  .then((r) => {
                    absorbed++;
                    w.policy.onSignal('m', signalFromProto(r.backpressure));
                  })
                  .catch(() => w.policy.onSignal('m', { ...NO_BACKPRESSURE, level: 3, suggestedDelayMs: 1000 }));
              }
            }
          }
          await sleep(10);
        }
      })(),
    );
  }
  loops.push(
    (async () => {
      while (phase !== 'done') {
        const started = performance.now();
        const current = phase;
        await clients[0]!.cancelJob({ jobId: 'none' }).catch(() => {});
        if (current !== 'done') control[current].push(performance.now() - started);
        await sleep(25);
      }
    })(),
    (async () => {
      while (phase !== 'done') {
        rss.push((await metricsOf(adminPort)).get('hyperscale_process_resident_memory_bytes') ?? 0);
        await sleep(1_000);
      }
    })(),
  );
  await sleep(IDLE_MS);
  phase = 'storm';
  const stormStart = performance.now();
  await sleep(STORM_MS);
  const absorbedInStorm = absorbed;
  const stormSeconds = (performance.now() - stormStart) / 1000;
  phase = 'recovery';
  const recoveryStart = performance.now();
  let backToNoneS: number | null = null;
  while (performance.now() - recoveryStart < RECOVERY_MS) {
    const level = (await metricsOf(adminPort)).get('hyperscale_manager_backpressure_level') ?? 0;
    if (level === 0 && backToNoneS === null) backToNoneS = (performance.now() - recoveryStart) / 1000;
    if (level !== 0) backToNoneS = null;
    await sleep(100);
  }
  const final = await metricsOf(adminPort);
  phase = 'done';
  await Promise.all(loops);
  for (const c of clients) c.close();
  manager.kill('SIGTERM');
  const idleP99 = p99(control.idle);
  const stormP99 = p99(control.storm);
  return {
    backpressure,
    progressAbsorbedPerSecond: Math.round(absorbedInStorm / stormSeconds),
    controlP99IdleMs: Number(idleP99.toFixed(2)),
    controlP99StormMs: Number(stormP99.toFixed(2)),
    controlP99Ratio: Number((stormP99 / Math.max(idleP99, 0.001)).toFixed(2)),
    rssMb: rss.map((b) => Math.round(b / 1e6)),
    falseWorkerLoss: lostWorkers,
    shed: final.get('hyperscale_manager_requests_shed_total') ?? 0,
    statsRecordsDropped: final.get('hyperscale_manager_stats_records_dropped_total') ?? 0,
    secondsBackToNone: backToNoneS,
  };
}

const on = await run(true);
console.log(JSON.stringify(on));
const off = await run(false);
console.log(JSON.stringify(off));
console.log(JSON.stringify({ bench: 'backpressure-real', workers: WORKERS, on, off }));
