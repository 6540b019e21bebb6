// `pnpm bench backpressure-sim` — a progress storm against one simulated manager, with
// backpressure on and off.
//
// Issue 7's experiment against a real manager-svc process is `pnpm bench backpressure`; this is
// the same experiment as a deterministic discrete-event simulation, driving the real
// @hyperscale/backpressure classes (StatsBuffer, WorkerFlushPolicy, OverloadDetector, LoadShedder)
// on virtual time, so a policy change can be judged without the machine's noise:
//
//   - the manager is one event loop: a FIFO single server. Every message costs service time
//     (progress: per message + per update; control RPC; SWIM ping; the 50 ms aggregation tick;
//     a shed request costs almost nothing). Queueing in that FIFO is what starves control work.
//   - 50 workers, 2 jobs × 2 workflows each, sample progress every 10 ms and flush through their
//     WorkerFlushPolicy; every progress ack carries the manager's signal; a worker heartbeat every
//     1 s carries it too (see the report: WorkerHeartbeatResponse needs the field).
//   - control traffic all along: 20 cancels/s and 20 dispatch acks/s (latency measured, + 1.2 ms
//     of network and gRPC overhead), 5 SWIM pings/s (an ack later than the 500 ms LAN probe
//     timeout counts as a false suspicion, memberlist DefaultLANConfig, anchors §8).
//   - "off": workers ignore signals and the manager sheds nothing.
//
// Memory is modelled (bytes queued + buffered + retained), not the RSS of a process: the RSS of
// this simulation says nothing about a manager. Figures are virtual-time figures, fully
// reproducible; nothing here depends on the speed of the machine.
import {
  BackpressureLevel,
  type BackpressureSignal,
  LoadShedder,
  managerSignal,
  OverloadDetector,
  Priority,
  StatsBuffer,
  signalForLevel,
  WorkerFlushPolicy,
} from '@hyperscale/backpressure';
import { seededRandom, VirtualClock } from '@hyperscale/deterministic';

// ---------------------------------------------------------------- model parameters (ours)
const WORKERS = 50;
const JOBS_PER_WORKER = 2;
const WORKFLOWS_PER_JOB = 2;
const SAMPLE_EVERY_MS = 10; // issue 7: workers flushing every 10 ms
const HEARTBEAT_EVERY_MS = 1000;
const ONE_WAY_MS = 0.5; // LAN
const CONTROL_OVERHEAD_MS = 1.2; // RTT + gRPC framing, added to every control latency
const COST = {
  progressMessageMs: 0.06, // decode + route one ReportProgress
  progressUpdateMs: 0.02, // apply one workflow's snapshot
  controlMs: 0.2,
  pingMs: 0.05,
  heartbeatMs: 0.03,
  shedMs: 0.01,
  aggregatePerRecordMs: 0.002,
  lagProbeMs: 0.001,
};
const BYTES = { progressMessage: 200, progressUpdate: 120, control: 200, workerBufferedUpdate: 150, aggregate: 64 };
const MEMORY_BUDGET_BYTES = 512 * 1024 * 1024;
const PROBE_TIMEOUT_MS = 500;
const IDLE_MS = 2000;
const STORM_MS = 10_000;
const AFTER_MS = 5000;
const TOTAL_MS = IDLE_MS + STORM_MS + AFTER_MS;

function leastSquaresSlope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

// ---------------------------------------------------------------- one run
interface RunResult {
  backpressure: 'on' | 'off';
  progressUpdatesAbsorbedPerSecond: number;
  progressStalenessP99Ms: number;
  controlP99IdleMs: number;
  controlP99StormMs: number;
  controlP99Ratio: number;
  /** The same ratio leaving out the storm's first second (the onset, before any signal can act). */
  controlP99RatioAfterFirstSecond: number;
  falseSuspicions: number;
  secondsToNoneAfterStorm: number | null;
  memoryMbEverySecond: number[];
  memorySlopeMbPerSecondAfterWarmup: number;
  memoryPeakMb: number;
  peakQueueDepth: number;
  shedByPriority: Record<string, number>;
  worker: { sent: number; throttled: number; batched: number; dropped: number; superseded: number };
  levelTimeMs: Record<string, number>;
}

function run(backpressureOn: boolean): RunResult {
  const clock = new VirtualClock();
  const stats = new StatsBuffer(clock);
  const detector = new OverloadDetector();
  const shedder = new LoadShedder(detector);

  // ---- the manager's event loop: FIFO single server
  let queued = 0;
  let queuedBytes = 0;
  let peakQueue = 0;
  let busyInWindow = 0;
  // Each job's cost is decided when the loop reaches it (shedding looks at the state at that time).
  const fifo: { arrival: number; bytes: number; cost: () => number; done: (f: number) => void }[] = [];
  let serving = false;
  const enqueue = (bytes: number, cost: () => number, done: (finish: number) => void): void => {
    fifo.push({ arrival: clock.now(), bytes, cost, done });
    queued++;
    queuedBytes += bytes;
    peakQueue = Math.max(peakQueue, queued);
    if (!serving) next();
  };
  const next = (): void => {
    const job = fifo.shift();
    if (!job) {
      serving = false;
      return;
    }
    serving = true;
    const c = job.cost();
    busyInWindow += c;
    clock.schedule(clock.now() + c, () => {
      queued--;
      queuedBytes -= job.bytes;
      job.done(clock.now());
      next();
    });
  };

  // ---- metrics
  const controlIdle: number[] = [];
  const controlStorm: number[] = [];
  const controlStormAfterOnset: number[] = [];
  const staleness: number[] = [];
  let absorbedInStorm = 0;
  let falseSuspicions = 0;
  const memory: number[] = [];
  const levelTime: Record<string, number> = { NONE: 0, THROTTLE: 0, BATCH: 0, REJECT: 0 };
  let lastLevelAt = 0;
  let lastLevel = BackpressureLevel.NONE;
  // On: the worse of the stats level and the overload state (managerSignal). Off: nobody listens anyway.
  const currentSignal = (): BackpressureSignal => managerSignal(stats.level, detector.state);
  /** Last time the manager's level was above NONE: the level is back to NONE for good after it. */
  let lastAboveNoneAt = 0;
  const stormEnd = IDLE_MS + STORM_MS;
  const trackLevel = (): void => {
    // The level the manager signals: with backpressure on, the combined one; off, the stats level.
    const level = backpressureOn ? currentSignal().level : stats.level;
    if (clock.now() > TOTAL_MS && lastLevel === BackpressureLevel.NONE && level === BackpressureLevel.NONE) return;
    levelTime[BackpressureLevel[lastLevel]]! += clock.now() - lastLevelAt;
    if (lastLevel !== BackpressureLevel.NONE || level !== BackpressureLevel.NONE) lastAboveNoneAt = clock.now();
    lastLevelAt = clock.now();
    lastLevel = level;
  };

  // ---- workers
  const policies: WorkerFlushPolicy<{ sampledAt: number }>[] = [];
  for (let w = 0; w < WORKERS; w++) {
    const policy = new WorkerFlushPolicy<{ sampledAt: number }>(
      clock,
      { baseIntervalMs: SAMPLE_EVERY_MS },
      seededRandom(w + 1), // stepped recovery jitter, reproducible
    );
    policies.push(policy);
    const phase = (w * SAMPLE_EVERY_MS) / WORKERS;
    const tick = (): void => {
      if (clock.now() >= IDLE_MS && clock.now() < stormEnd) {
        for (let j = 0; j < JOBS_PER_WORKER; j++) {
          for (let f = 0; f < WORKFLOWS_PER_JOB; f++) {
            policy.offer({
              kind: 'progress',
              jobId: `w${w}j${j}`,
              workflowId: `f${f}`,
              payload: { sampledAt: clock.now() },
            });
          }
        }
      }
      const decision = policy.poll();
      for (const message of decision.messages) {
        const updates = message.updates;
        let shed = false;
        clock.schedule(clock.now() + ONE_WAY_MS, () =>
          enqueue(
            BYTES.progressMessage + BYTES.progressUpdate * updates.length,
            () => {
              shed = backpressureOn && shedder.decide(Priority.NORMAL).shed;
              return shed ? COST.shedMs : COST.progressMessageMs + COST.progressUpdateMs * updates.length;
            },
            (finish) => {
              if (shed) {
                // RESOURCE_EXHAUSTED: the worker shell treats it as a REJECT from this manager.
                clock.schedule(finish + ONE_WAY_MS, () =>
                  policy.onSignal('m1', signalForLevel(BackpressureLevel.REJECT)),
                );
                return;
              }
              let accepted = 0;
              for (const u of updates) {
                if (stats.record(1) === 'accepted') accepted++;
                staleness.push(finish - u.sampledAt);
              }
              if (finish >= IDLE_MS && finish < stormEnd) absorbedInStorm += accepted;
              trackLevel();
              const signal = currentSignal();
              if (backpressureOn) clock.schedule(finish + ONE_WAY_MS, () => policy.onSignal('m1', signal));
            },
          ),
        );
      }
      if (clock.now() < TOTAL_MS) clock.schedule(clock.now() + SAMPLE_EVERY_MS, tick);
    };
    clock.schedule(phase, tick);
    // heartbeat carrying the signal back (proposed WorkerHeartbeatResponse.backpressure)
    const heartbeat = (): void => {
      clock.schedule(clock.now() + ONE_WAY_MS, () =>
        enqueue(
          BYTES.control,
          () => COST.heartbeatMs,
          (finish) => {
            const signal = currentSignal();
            if (backpressureOn) clock.schedule(finish + ONE_WAY_MS, () => policy.onSignal('m1', signal));
          },
        ),
      );
      if (clock.now() < TOTAL_MS) clock.schedule(clock.now() + HEARTBEAT_EVERY_MS, heartbeat);
    };
    clock.schedule((w * HEARTBEAT_EVERY_MS) / WORKERS, heartbeat);
  }

  // ---- aggregation tick every 50 ms (facts §1.5 window), through the same loop
  const aggregate = (): void => {
    enqueue(
      0,
      () => COST.aggregatePerRecordMs * stats.hotCount,
      () => {
        stats.aggregate();
        trackLevel();
      },
    );
    if (clock.now() < TOTAL_MS) clock.schedule(clock.now() + 50, aggregate);
  };
  clock.schedule(50, aggregate);

  // ---- control traffic: cancels + dispatch acks (40/s), SWIM pings (5/s)
  const control = (): void => {
    const sentAt = clock.now();
    enqueue(
      BYTES.control,
      () => (backpressureOn && shedder.decide(Priority.CRITICAL).shed ? COST.shedMs : COST.controlMs),
      (finish) => {
        const latency = finish - sentAt + CONTROL_OVERHEAD_MS;
        if (sentAt < IDLE_MS) controlIdle.push(latency);
        else if (sentAt < stormEnd) {
          controlStorm.push(latency);
          if (sentAt >= IDLE_MS + 1000) controlStormAfterOnset.push(latency);
        }
      },
    );
    if (clock.now() < TOTAL_MS) clock.schedule(clock.now() + 25, control);
  };
  clock.schedule(3.3, control);
  const ping = (): void => {
    const sentAt = clock.now();
    clock.schedule(clock.now() + ONE_WAY_MS, () =>
      enqueue(
        BYTES.control,
        () => COST.pingMs,
        (finish) => {
          if (finish + ONE_WAY_MS - sentAt > PROBE_TIMEOUT_MS) falseSuspicions++;
        },
      ),
    );
    if (clock.now() < TOTAL_MS) clock.schedule(clock.now() + 200, ping);
  };
  clock.schedule(7.1, ping);

  // ---- overload detector: event-loop lag every 100 ms, CPU and memory every 250 ms (facts §7.4)
  const lagProbe = (): void => {
    const sentAt = clock.now();
    enqueue(
      0,
      () => COST.lagProbeMs,
      (finish) => {
        // AD-18 watches request latency: the loop lag plus the fixed cost every request pays.
        if (backpressureOn) detector.recordLatency(finish - sentAt + CONTROL_OVERHEAD_MS);
      },
    );
    if (clock.now() < TOTAL_MS) clock.schedule(clock.now() + 100, lagProbe);
  };
  clock.schedule(1, lagProbe);
  const modelledBytes = (): number => {
    let bytes = queuedBytes;
    bytes += stats.hotCount * 16 + (stats.warmAggregates().length + stats.coldAggregates().length) * BYTES.aggregate;
    for (const p of policies) bytes += p.bufferedCount * BYTES.workerBufferedUpdate;
    return bytes;
  };
  const resources = (): void => {
    const cpu = Math.min(1, busyInWindow / 250);
    busyInWindow = 0;
    if (backpressureOn) detector.recordResources(cpu, modelledBytes() / MEMORY_BUDGET_BYTES);
    if (clock.now() < TOTAL_MS) clock.schedule(clock.now() + 250, resources);
  };
  clock.schedule(250, resources);
  const sampleMemory = (): void => {
    if (clock.now() > IDLE_MS && clock.now() < stormEnd) memory.push(modelledBytes() / (1024 * 1024));
    if (clock.now() < TOTAL_MS) clock.schedule(clock.now() + 250, sampleMemory);
  };
  clock.schedule(IDLE_MS, sampleMemory);

  // Run, then let the backlog drain: aggregation keeps ticking until the queue is empty and the
  // level has been NONE for a second (bounded at 120 s).
  clock.set(TOTAL_MS);
  const drainLimit = TOTAL_MS + 120_000;
  const drainAggregate = (): void => {
    enqueue(
      0,
      () => COST.aggregatePerRecordMs * stats.hotCount,
      () => {
        stats.aggregate();
        trackLevel();
      },
    );
    const settled = queued === 0 && lastLevel === BackpressureLevel.NONE && clock.now() - lastAboveNoneAt > 1000;
    if (clock.now() < drainLimit && !settled) clock.schedule(clock.now() + 50, drainAggregate);
  };
  clock.schedule(clock.now() + 50, drainAggregate);
  clock.set(drainLimit);
  const settledNone = queued === 0 && lastLevel === BackpressureLevel.NONE;

  const counters = policies.reduce(
    (acc, p) => {
      acc.sent += p.counters.sent;
      acc.throttled += p.counters.throttled;
      acc.batched += p.counters.batched;
      acc.dropped += p.counters.dropped;
      acc.superseded += p.counters.superseded;
      return acc;
    },
    { sent: 0, throttled: 0, batched: 0, dropped: 0, superseded: 0 },
  );
  const idleP99 = percentile(controlIdle, 99);
  const stormP99 = percentile(controlStorm, 99);
  // Memory after a 1 s warm-up: least-squares slope (MB/s) and the peak.
  const afterWarmup = memory.slice(4);
  const slope = leastSquaresSlope(afterWarmup.map((mb, i) => [i * 0.25, mb]));
  const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
  return {
    backpressure: backpressureOn ? 'on' : 'off',
    progressUpdatesAbsorbedPerSecond: Math.round(absorbedInStorm / (STORM_MS / 1000)),
    progressStalenessP99Ms: round(percentile(staleness, 99), 1),
    controlP99IdleMs: round(idleP99, 3),
    controlP99StormMs: round(stormP99, 3),
    controlP99Ratio: round(stormP99 / idleP99, 2),
    controlP99RatioAfterFirstSecond: round(percentile(controlStormAfterOnset, 99) / idleP99, 2),
    falseSuspicions,
    secondsToNoneAfterStorm: settledNone ? round(Math.max(0, lastAboveNoneAt - stormEnd) / 1000, 3) : null,
    memoryMbEverySecond: memory.filter((_, i) => i % 4 === 3).map((m) => round(m, 3)),
    memorySlopeMbPerSecondAfterWarmup: round(slope, 4),
    memoryPeakMb: round(Math.max(0, ...memory), 3),
    peakQueueDepth: peakQueue,
    shedByPriority: shedder.snapshot(),
    worker: counters,
    levelTimeMs: Object.fromEntries(Object.entries(levelTime).map(([k, v]) => [k, Math.round(v)])),
  };
}

// ---------------------------------------------------------------- main
const onRun = run(true);
const offRun = run(false);
for (const r of [onRun, offRun]) {
  console.log(`backpressure ${r.backpressure}:`);
  console.log(`  progress updates absorbed/s during storm   ${r.progressUpdatesAbsorbedPerSecond}`);
  console.log(`  progress staleness p99 (ms)                ${r.progressStalenessP99Ms}`);
  console.log(
    `  control p99 idle / storm (ms)              ${r.controlP99IdleMs} / ${r.controlP99StormMs}  ratio ${r.controlP99Ratio} (after the 1st s: ${r.controlP99RatioAfterFirstSecond})`,
  );
  console.log(`  false suspicions (ack > ${PROBE_TIMEOUT_MS} ms)          ${r.falseSuspicions}`);
  console.log(`  seconds to NONE after storm                ${r.secondsToNoneAfterStorm ?? 'never (within 120 s)'}`);
  console.log(`  modelled memory MB each 1 s of storm       ${r.memoryMbEverySecond.join(' ')}`);
  console.log(
    `  memory slope after 1 s warm-up (MB/s)      ${r.memorySlopeMbPerSecondAfterWarmup}  peak ${r.memoryPeakMb} MB`,
  );
  console.log(`  peak queue depth                           ${r.peakQueueDepth}`);
  console.log(`  shed by priority                           ${JSON.stringify(r.shedByPriority)}`);
  console.log(`  worker counters                            ${JSON.stringify(r.worker)}`);
  console.log(`  manager time per level (ms)                ${JSON.stringify(r.levelTimeMs)}`);
}
const goals = {
  memoryFlat: Math.abs(onRun.memorySlopeMbPerSecondAfterWarmup) <= 0.01,
  controlP99RatioAtMost2: onRun.controlP99Ratio <= 2,
  zeroFalseSuspicions: onRun.falseSuspicions === 0,
  noneWithin2s: onRun.secondsToNoneAfterStorm !== null && onRun.secondsToNoneAfterStorm <= 2,
};
console.log(`goals (backpressure on): ${JSON.stringify(goals)}`);
console.log(
  JSON.stringify({
    bench: 'backpressure-sim',
    mode: 'simulated-manager',
    workers: WORKERS,
    sampleEveryMs: SAMPLE_EVERY_MS,
    stormSeconds: STORM_MS / 1000,
    on: onRun,
    off: offRun,
    goals,
  }),
);
