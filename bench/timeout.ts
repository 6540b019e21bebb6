// `pnpm bench timeout` — what the AD-34 timeout core costs and how fast it reacts.
//
//  1. Loop cost: one ManagerJobTimeouts.tick() over 10 000 gate-coordinated jobs, and one
//     GateJobTimeoutTracker.check() over 10 000 jobs × 3 DCs (wall-clock, this machine).
//  2. Reaction: a 3-DC job where one DC goes stuck, 200 seeded trials with random phases of the
//     manager tick (5 s) and gate check (15 s) loops; figure = time from the stuck threshold
//     (120 s without progress) to the last DC cancelling, on virtual time (machine independent).
//  3. Gate traffic: manager → gate messages per job-minute while a job runs normally.
import { performance } from 'node:perf_hooks';
import {
  GateJobTimeoutTracker,
  type GateTimeoutEffect,
  ManagerJobTimeouts,
  type ManagerTimeoutEffect,
  TIMEOUT_DEFAULTS,
} from '@hyperscale/timeout';
// bench/package.json does not list @hyperscale/deterministic yet; use its build output directly.
import { seededRandom, VirtualClock } from '../packages/deterministic/dist/index.js';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

// 1. Loop cost.
const JOBS = 10_000;
const clock = new VirtualClock(0);
const manager = new ManagerJobTimeouts({
  clock,
  identity: { datacenter: 'dc1', managerId: 'm1', host: '127.0.0.1', port: 1 },
  config: { maxTrackedJobs: JOBS },
});
const gate = new GateJobTimeoutTracker({ clock, config: { maxTrackedJobs: JOBS } });
for (let i = 0; i < JOBS; i++) {
  manager.startTracking({ jobId: `job-${i}`, timeoutMs: 3_600_000, gate: { addr: 'gate', leaseToken: 1n } });
  gate.startTracking({ jobId: `job-${i}`, timeoutMs: 3_600_000, datacenters: ['a', 'b', 'c'], leaseToken: 1n });
}
const tickSamples: number[] = [];
const checkSamples: number[] = [];
let effectsPerTick = 0;
for (let round = 0; round < 30; round++) {
  clock.advance(5_000);
  for (let i = 0; i < JOBS; i++) manager.recordProgress(`job-${i}`);
  let t0 = performance.now();
  effectsPerTick = manager.tick().length;
  tickSamples.push(performance.now() - t0);
  t0 = performance.now();
  gate.check();
  checkSamples.push(performance.now() - t0);
}
tickSamples.sort((x, y) => x - y);
checkSamples.sort((x, y) => x - y);
const managerTickP50 = percentile(tickSamples, 50);
const gateCheckP50 = percentile(checkSamples, 50);
console.log(
  `manager tick over ${JOBS} jobs: p50 ${managerTickP50.toFixed(2)} ms, max ${tickSamples.at(-1)?.toFixed(2)} ms (last tick emitted ${effectsPerTick} effects)`,
);
console.log(
  `gate check over ${JOBS} jobs x 3 DCs: p50 ${gateCheckP50.toFixed(2)} ms, max ${checkSamples.at(-1)?.toFixed(2)} ms`,
);

// 2. Reaction to one stuck DC.
function stuckTrial(seed: number): { lastCancelAfterThreshold: number; messages: number } {
  const random = seededRandom(seed);
  const c = new VirtualClock(0);
  const dcs = ['eu', 'us', 'ap'];
  const g = new GateJobTimeoutTracker({ clock: c });
  const managers = new Map(
    dcs.map((dc) => [
      dc,
      new ManagerJobTimeouts({ clock: c, identity: { datacenter: dc, managerId: `${dc}-m`, host: 'h', port: 1 } }),
    ]),
  );
  const cancels: number[] = [];
  let messages = 0;
  const fromGate = (effects: GateTimeoutEffect[]): void => {
    for (const e of effects) {
      if (e.kind !== 'declare-global-timeout') continue;
      for (const target of e.targets) {
        const m = managers.get(target.datacenter);
        const result = m?.receiveGlobalTimeout(e.message);
        if (result?.outcome === 'accepted') {
          g.globalTimeoutAcknowledged('j', target.datacenter);
          fromManager(target.datacenter, result.effects);
        }
      }
    }
  };
  const fromManager = (dc: string, effects: ManagerTimeoutEffect[]): void => {
    const m = managers.get(dc);
    for (const e of effects) {
      messages++;
      if (e.kind === 'time-out-job') cancels.push(c.now());
      else if (e.kind === 'send-progress-report' && g.receiveProgressReport(e.report).accepted)
        m?.gateAcknowledged('j', 'progress');
      else if (e.kind === 'send-timeout-report' && g.receiveTimeoutReport(e.report).accepted)
        m?.gateAcknowledged('j', 'timeout-report');
      else if (e.kind === 'send-final-status') {
        const r = g.receiveFinalStatus(e.status);
        if (r.verdict.accepted) m?.gateAcknowledged('j', 'final-status');
      }
    }
  };
  const start = random.next() * 20_000;
  const tickPhase = random.next() * TIMEOUT_DEFAULTS.managerTickIntervalMs;
  const checkPhase = random.next() * TIMEOUT_DEFAULTS.gateCheckIntervalMs;
  const every = (phase: number, period: number, fn: () => void): void => {
    const run = (at: number): void => {
      c.schedule(at, () => {
        fn();
        run(at + period);
      });
    };
    run(phase);
  };
  every(start, 1_000, () => {
    managers.get('us')?.recordProgress('j');
    managers.get('ap')?.recordProgress('j');
  });
  c.schedule(start, () => {
    for (const [, m] of managers)
      m.startTracking({ jobId: 'j', timeoutMs: 3_600_000, gate: { addr: 'gate', leaseToken: 1n } });
    g.startTracking({ jobId: 'j', timeoutMs: 3_600_000, datacenters: dcs, leaseToken: 1n });
  });
  every(start + tickPhase, TIMEOUT_DEFAULTS.managerTickIntervalMs, () => {
    for (const [dc, m] of managers) fromManager(dc, m.tick());
  });
  every(start + checkPhase, TIMEOUT_DEFAULTS.gateCheckIntervalMs, () => fromGate(g.check()));
  c.advance(start + 400_000);
  const threshold = start + TIMEOUT_DEFAULTS.stuckThresholdMs;
  return {
    lastCancelAfterThreshold: cancels.length === dcs.length ? Math.max(...cancels) - threshold : Number.NaN,
    messages,
  };
}
const reactions: number[] = [];
let failedTrials = 0;
for (let seed = 1; seed <= 200; seed++) {
  const trial = stuckTrial(seed);
  if (Number.isNaN(trial.lastCancelAfterThreshold)) failedTrials++;
  else reactions.push(trial.lastCancelAfterThreshold);
}
reactions.sort((x, y) => x - y);
const reactionP50 = percentile(reactions, 50) / 1000;
const reactionMax = (reactions.at(-1) ?? Number.NaN) / 1000;
console.log(
  `one DC stuck (3 DCs, 200 seeded trials): all DCs cancelled ${reactionP50.toFixed(1)} s (p50) / ${reactionMax.toFixed(1)} s (max) after the 120 s threshold; bound = tick 5 s + check 15 s; trials without 3 cancels: ${failedTrials}`,
);

// 3. Gate traffic of a healthy job: progress reports only.
const trafficClock = new VirtualClock(0);
const trafficManager = new ManagerJobTimeouts({
  clock: trafficClock,
  identity: { datacenter: 'dc', managerId: 'm', host: 'h', port: 1 },
});
trafficManager.startTracking({ jobId: 'j', timeoutMs: 3_600_000, gate: { addr: 'gate', leaseToken: 1n } });
let reports = 0;
for (let t = 0; t < 600_000; t += TIMEOUT_DEFAULTS.managerTickIntervalMs) {
  trafficClock.advance(TIMEOUT_DEFAULTS.managerTickIntervalMs);
  trafficManager.recordProgress('j');
  reports += trafficManager.tick().length;
}
const messagesPerJobMinute = reports / 10;
console.log(`healthy job: ${messagesPerJobMinute} manager→gate messages per job-minute (progress reports every 10 s)`);

console.log(
  JSON.stringify({
    bench: 'timeout',
    jobs: JOBS,
    manager_tick_10k_jobs_p50_ms: Number(managerTickP50.toFixed(3)),
    gate_check_10k_jobs_3dc_p50_ms: Number(gateCheckP50.toFixed(3)),
    one_dc_stuck_all_cancelled_after_threshold_p50_s: Number(reactionP50.toFixed(2)),
    one_dc_stuck_all_cancelled_after_threshold_max_s: Number(reactionMax.toFixed(2)),
    one_dc_stuck_trials_failed: failedTrials,
    healthy_job_gate_messages_per_minute: messagesPerJobMinute,
  }),
);
